import type { Server } from 'http';
import { INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, RequestHandler, urlencoded } from 'express';
import { ApiError } from './common/http/api-error';
import { bodyParserProblem } from './common/http/problem-details.filter';
import { bodyShapeGuard } from './common/http/body-shape';
import { Logger } from 'nestjs-pino';
import type { PGlite } from '@electric-sql/pglite';
import { restrictDataDir, type AppConfig } from '@izinli/config';
import { startIysSimulator, RunningIysSimulator } from '@izinli/iys-simulator';
import { AppModule } from './app.module';
import { createValidationPipe } from './common/http/validation.pipe';
import { RuntimeRole } from './jobs/runtime-role';
import { OperatorKeyService } from './tenancy/operator-key.service';
import { mountQueueBoard } from './operations/queue-board';
import { databaseFailure, portFailure } from './start-failure';

export const JSON_BODY_LIMIT = '1mb';

/** What Izinli keeps in DATA_DIR: the embedded database and captured mail (app.module.ts), the generated secrets. */
const DATA_DIR_ENTRIES = ['pg', 'mail', 'secrets.json'] as const;

/**
 * Body-parser errors become problems here, before Nest would turn a JSON syntax error into a generic 400 and
 * lose what kind of error it was.
 */
function withBodyErrors(parser: RequestHandler): RequestHandler {
  return (req, res, next) =>
    parser(req, res, (err?: unknown) => {
      if (!err) return next();
      const p = bodyParserProblem(err);
      next(p ? new ApiError(p.status, p.code, p.detail) : err);
    });
}

export interface IzinliApp {
  app: INestApplication;
  /** The HTTP base URL (no trailing slash), when this process serves HTTP. */
  url?: string;
  iysUrl: string;
  /** The operator key when this start generated it (first start with no ADMIN_API_KEY), otherwise null. */
  generatedAdminKey: string | null;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  pglite?: PGlite;
  queuePrefix?: string;
  /** Skip listening (tests that drive the app in-process). Default false. */
  noListen?: boolean;
}

/**
 * Builds and starts Izinli exactly as `main.ts` does; the end-to-end tests call this same function.
 */
export async function createIzinliApp(config: AppConfig, options: CreateAppOptions = {}): Promise<IzinliApp> {
  const role = new RuntimeRole(config.role);
  // A DATA_DIR left open by an older release, or made by hand, is closed before anything in it is read.
  restrictDataDir(config.dataDir, DATA_DIR_ENTRIES);
  let simulator: RunningIysSimulator | undefined;
  if (!config.iys.url) {
    try {
      simulator = await startIysSimulator({ port: config.iys.simulatorPort, host: '127.0.0.1' });
    } catch (err) {
      throw portFailure('IYS_SIMULATOR_PORT', config.iys.simulatorPort, err) ?? err;
    }
  }
  const iysUrl = config.iys.url ?? simulator!.url;
  let app: INestApplication;
  try {
    app = await NestFactory.create(
      AppModule.forRoot({ config, pglite: options.pglite, queuePrefix: options.queuePrefix, iysUrl }),
      {
        bodyParser: false,
        bufferLogs: true,
        // Kept until pino takes over below: a start that fails here is reported once, by main.ts, not also as
        // Nest's buffered start-up lines and its stack trace.
        autoFlushLogs: false,
        abortOnError: false,
      },
    );
  } catch (err) {
    await simulator?.close();
    throw databaseFailure(config, err) ?? err;
  }
  // PGlite unpacks a new database with its files world-writable.
  restrictDataDir(config.dataDir, DATA_DIR_ENTRIES);
  app.useLogger(app.get(Logger));
  app.flushLogs();
  app.enableShutdownHooks();
  const http = app.getHttpAdapter().getInstance();
  http.disable('x-powered-by');
  // Whose X-Forwarded-For names the client (rate limits and unsubscribe evidence use req.ip): TRUST_PROXY.
  http.set('trust proxy', config.trustProxy);
  app.use(withBodyErrors(json({ limit: JSON_BODY_LIMIT, type: ['application/json', 'application/*+json'] })));
  // Unsubscribe pages post forms, and RFC 8058 one-click posts `List-Unsubscribe=One-Click` form-encoded.
  app.use(withBodyErrors(urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 })));
  app.use(bodyShapeGuard);
  app.useGlobalPipes(createValidationPipe());
  const docs = new DocumentBuilder()
    .setTitle('Izinli API')
    .setDescription('Consent-aware e-mail for Turkey: İYS-gated campaigns, transactional mail and unsubscribes.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, docs), { jsonDocumentUrl: 'docs-json' });
  mountQueueBoard(app);

  let url: string | undefined;
  let generatedAdminKey: string | null;
  try {
    if (role.servesHttp && !options.noListen) {
      // An idle keep-alive connection outlives a proxy's or load balancer's (60 s is common): if Node closed it first
      // (its default is 5 s), a request the proxy sent on it at that moment would fail with a reset.
      const server = app.getHttpServer() as Server;
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      try {
        await app.listen(config.port, '0.0.0.0');
      } catch (err) {
        throw portFailure('PORT', config.port, err) ?? err;
      }
      const addr = app.getHttpServer().address() as { port: number };
      url = `http://127.0.0.1:${addr.port}`;
    } else {
      await app.init();
    }
    // Generated only once this process serves: a start that fails before (a taken PORT) must not leave behind an
    // operator key that nobody was shown, and the next start generates and shows one instead.
    generatedAdminKey = await app.get(OperatorKeyService).ensure(config.adminApiKey);
  } catch (err) {
    await app.close().catch(() => undefined);
    await simulator?.close();
    throw err;
  }
  return {
    app,
    url,
    iysUrl,
    generatedAdminKey,
    close: async () => {
      await app.close();
      await simulator?.close();
    },
  };
}

export function logStartBanner(started: IzinliApp, config: AppConfig): void {
  const log = new NestLogger('Izinli');
  const lines = [
    `Izinli is running (ROLE=${config.role}).`,
    started.url
      ? `  API:           ${config.publicUrl}  (docs at ${config.publicUrl}/docs, health at ${config.publicUrl}/health)`
      : '  API:           not served by this process (ROLE=worker)',
    `  database:      ${config.database.url ? 'PostgreSQL server' : `embedded PGlite in ${config.dataDir}/pg`}`,
    `  queue:         ${config.redis.url ? 'Bull on Redis' : 'in-process'}`,
    `  mail:          ${config.smtp.url ? 'SMTP' : `.eml files in ${config.dataDir}/mail`}`,
    `  İYS:           ${config.iys.url ? config.iys.url : `in-process simulator at ${started.iysUrl}`}`,
  ];
  if (started.generatedAdminKey) {
    lines.push(
      '',
      `  Operator key (shown once, keep it): ${started.generatedAdminKey}`,
      '',
      '  First steps:',
      `    curl -s -X POST ${config.publicUrl}/v1/service-providers -H "Authorization: Bearer <operator key>" \\`,
      `      -H 'content-type: application/json' -d '{"name":"Demo","iysCode":"100001"}'`,
      '    (then README.md, "The API in a few commands", and apps/campaigns/CAMPAIGNS.md for a first campaign)',
    );
  } else if (config.adminApiKey) {
    lines.push('  operator key:  ADMIN_API_KEY');
  } else {
    // Only the key's hash is kept, so a lost key cannot be shown again; replacing it is the way back in.
    lines.push(
      '  operator key:  the one shown at the first start. Lost it? Restart with ADMIN_API_KEY set to a new key',
      '                 (at least 24 random characters: openssl rand -hex 24); it replaces the old one.',
    );
  }
  // The banner is for the person at the terminal, not for the log pipeline.
  process.stdout.write(lines.join('\n') + '\n');
  log.log('started');
}
