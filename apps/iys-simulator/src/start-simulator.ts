import type { AddressInfo } from 'net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type SimulatorKnobs, type SimulatorKnobsPatch, defaultKnobs, mergeKnobs } from './core/simulator-knobs';
import { createSimulatorLogger, withQuietNestStartup } from './core/simulator-logger';
import { fastJson } from './http/fast-json';
import { IysExceptionFilter } from './http/iys-exception.filter';
import { createRequestPipeline } from './http/request-pipeline';
import { LimitsService } from './limits/limits.service';
import { IysSimulatorModule } from './simulator.module';
import { SimulatorState } from './state/simulator-state';
import { SimulatorStateFile } from './state/state-file';

export interface IysSimulatorOptions {
  /** 0 (the default) = any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Knobs to start with (merged deeply over the defaults; `rateLimits` may be partial). A reset returns to these. */
  config?: SimulatorKnobsPatch;
  /** Log through Nest's ConsoleLogger. Default false: silent. */
  logger?: boolean;
  /**
   * IYS_SIMULATOR_TOKEN: the bearer token every caller of the test surface (/_sim/) must present. Unset (the
   * default): /_sim/ answers callers on this machine only.
   */
  testSurfaceToken?: string;
  /**
   * IYS_SIMULATOR_STATE_FILE: keep the state in this JSON file, loaded at start and written after changes, so a
   * restarted simulator holds what İYS would. Unset (the default): in memory only.
   */
  stateFile?: string;
}

export interface RunningIysSimulator {
  /** e.g. http://127.0.0.1:4010, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts one simulated İYS over HTTP. Several may run in one process; each has its own state. */
export async function startIysSimulator(options: IysSimulatorOptions = {}): Promise<RunningIysSimulator> {
  const knobs: SimulatorKnobs = mergeKnobs(defaultKnobs(), options.config ?? {});
  const host = options.host ?? '127.0.0.1';
  const logger = createSimulatorLogger(options.logger ?? false);
  let stateFile: SimulatorStateFile | undefined;
  const app = await withQuietNestStartup(!options.logger, async () => {
    const created = await NestFactory.create<NestExpressApplication>(IysSimulatorModule.register({ knobs }, logger), {
      bodyParser: false,
      // Nest's default would end the process on a start-up error; an embedding app must get the error instead.
      abortOnError: false,
    });
    created.set('etag', false);
    created.disable('x-powered-by');
    (created.getHttpAdapter().getInstance() as { response: { json: unknown } }).response.json = fastJson;
    if (options.stateFile) {
      const state = created.get(SimulatorState);
      created.use((_req: unknown, res: { on(event: 'finish', listener: () => void): void }, next: () => void) => {
        res.on('finish', () => state.onChange());
        next();
      });
    }
    created.use(
      createRequestPipeline(created.get(SimulatorState), created.get(LimitsService), options.testSurfaceToken),
    );
    created.useGlobalFilters(new IysExceptionFilter(logger));
    try {
      if (options.stateFile) stateFile = SimulatorStateFile.open(created.get(SimulatorState), options.stateFile);
      await created.listen(options.port ?? 0, host);
    } catch (error) {
      // e.g. EADDRINUSE: release what was built before handing the error to the caller.
      created.get(SimulatorState).dispose();
      await created.close().catch(() => undefined);
      throw error;
    }
    return created;
  });
  const state = app.get(SimulatorState);
  const server = app.getHttpServer();
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${port}`;
  logger.log(`İYS simulator listening on ${url} (test surface under ${url}/_sim/)`, 'IysSimulator');
  let closing: Promise<void> | null = null;
  return {
    url,
    close: () => {
      closing ??= (async () => {
        state.dispose();
        server.closeIdleConnections?.();
        await app.close();
        await stateFile?.close();
      })();
      return closing;
    },
  };
}
