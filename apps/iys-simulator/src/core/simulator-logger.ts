import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';

// Logging of one simulator instance. Nest's static Logger is process-wide: `NestFactory.create(…, { logger: false })`
// would silence every Nest application in the process, including the campaigns app that embeds a simulator. So
// the simulator's own services log through an instance-owned logger (a ConsoleLogger, or nothing), and Nest's
// start-up chatter is muted only for the moment the instance boots (see `withQuietNestStartup`).

export const SIMULATOR_LOGGER = Symbol('IYS_SIMULATOR_LOGGER');

const SILENT: LoggerService = {
  log: () => undefined,
  error: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
};

export function createSimulatorLogger(enabled: boolean): LoggerService {
  return enabled ? new ConsoleLogger('IysSimulator') : SILENT;
}

interface LoggerStatics {
  staticInstanceRef?: LoggerService;
}

// Process-wide by necessity, like the Nest Logger it guards: several simulators may boot at once, and only the
// last one to finish may put the previous logger back.
let quietDepth = 0;
let savedLogger: LoggerService | undefined;

export async function withQuietNestStartup<T>(quiet: boolean, boot: () => Promise<T>): Promise<T> {
  if (!quiet) return boot();
  if (quietDepth++ === 0) {
    savedLogger = (Logger as unknown as LoggerStatics).staticInstanceRef;
    Logger.overrideLogger(false);
  }
  try {
    return await boot();
  } finally {
    if (--quietDepth === 0) Logger.overrideLogger(savedLogger ?? false);
  }
}
