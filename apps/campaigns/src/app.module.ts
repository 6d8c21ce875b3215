import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { join } from 'path';
import type { PGlite } from '@electric-sql/pglite';
import type { AppConfig } from '@izinli/config';
import { DatabaseModule } from '@izinli/database';
import { MailerModule } from '@izinli/mailer';
import { QueueModule } from '@izinli/queue';
import { ApiKeyGuard } from './common/auth/api-key.guard';
import { ProblemDetailsFilter } from './common/http/problem-details.filter';
import { RateLimitedApiKeyGuard } from './common/http/rate-limit.guard';
import { RateLimitModule } from './common/http/rate-limit.module';
import { HttpMetricsMiddleware } from './operations/http-metrics.middleware';
import { APP_CONFIG } from './config.token';
import { appMigrations } from './migrations';
import { ALL_QUEUES } from './jobs/queue-names';
import { JobsModule } from './jobs/jobs.module';
import { RuntimeRole } from './jobs/runtime-role';
import { IysEndpoint } from './iys/iys-endpoint';
import { SimulatorIysDirectory } from './iys/in-process-iys';
import { CoreHealthChecks } from './operations/core-health-checks';
import { HealthService } from './operations/health.service';
import { MetricsService } from './operations/metrics.service';
import { OperationsController } from './operations/operations.controller';
import { IysDirectory, RealIysDirectory } from './tenancy/iys-directory';
import { TenancyModule } from './tenancy/tenancy.module';
import { ConsentModule, consentMigrations } from '@izinli/consent';
import { ConsentsModule } from './consents/consents.module';
import { iysConsentAdapters, iysConsentOptions } from './iys/iys-adapters';
import { IysSyncModule } from './iys/iys-sync.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { AudiencesModule } from './audiences/audiences.module';
import { TemplatesModule } from './templates/templates.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { UnsubscribeModule } from './unsubscribe/unsubscribe.module';
import { SuppressionsModule } from './suppressions/suppressions.module';
import { MessagesModule } from './transactional/messages.module';
import { pinoHttpOptions } from './common/logging/redaction';

/** Every migration the application runs: its own and its libraries', ordered by their timestamps at run time. */
export const allMigrations = [...appMigrations, ...consentMigrations];

export interface AppModuleOptions {
  config: AppConfig;
  /** Tests hand in a PGlite loaded from a migrated snapshot. */
  pglite?: PGlite;
  /** Tests give each suite its own Redis key prefix. */
  queuePrefix?: string;
  /** İYS's base URL: IYS_URL, or the in-process simulator's address once it listens. */
  iysUrl: string;
}

/**
 * The composition root: the one place that binds ports to adapters (database, queue, mail, İYS) from the
 * validated configuration.
 */
@Global()
@Module({})
export class AppModule implements NestModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: pinoHttpOptions(config.logLevel) }),
        DatabaseModule.forRootAsync({
          useFactory: () => ({
            url: config.database.url,
            dataDir: config.database.url ? undefined : join(config.dataDir, 'pg'),
            pglite: options.pglite,
            migrations: allMigrations,
          }),
        }),
        QueueModule.forRoot({ redisUrl: config.redis.url, queueNames: ALL_QUEUES, prefix: options.queuePrefix }),
        MailerModule.forRoot({
          smtpUrl: config.smtp.url,
          poolSize: config.smtp.poolSize,
          mailDir: join(config.dataDir, 'mail'),
          tls: { requireTLS: config.smtp.requireTls, rejectUnauthorized: config.smtp.tlsRejectUnauthorized },
          limits: config.smtp.sendTimeoutMs ? { sendMs: config.smtp.sendTimeoutMs } : {},
        }),
        RateLimitModule.forRoot(config, options.queuePrefix),
        JobsModule,
        TenancyModule,
        ConsentModule.forRoot(
          iysConsentOptions(config, options.iysUrl),
          iysConsentAdapters(config, options.iysUrl, options.queuePrefix),
        ),
        ConsentsModule,
        IysSyncModule,
        WebhooksModule,
        AudiencesModule,
        TemplatesModule,
        CampaignsModule,
        UnsubscribeModule,
        SuppressionsModule,
        MessagesModule,
      ],
      controllers: [OperationsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: RuntimeRole, useValue: new RuntimeRole(config.role) },
        { provide: IysEndpoint, useValue: new IysEndpoint(options.iysUrl, !config.iys.url) },
        { provide: IysDirectory, useClass: config.iys.url ? RealIysDirectory : SimulatorIysDirectory },
        ApiKeyGuard,
        { provide: APP_GUARD, useClass: RateLimitedApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        HealthService,
        MetricsService,
        CoreHealthChecks,
      ],
      exports: [APP_CONFIG, RuntimeRole, IysEndpoint, IysDirectory, HealthService, MetricsService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
