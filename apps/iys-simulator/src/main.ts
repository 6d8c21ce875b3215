import { Logger } from '@nestjs/common';
import { loadSimulatorConfig } from '@izinli/config';
import { startIysSimulator } from './start-simulator';

// `npm run iys-simulator`: the simulator on its own, on IYS_SIMULATOR_HOST:IYS_SIMULATOR_PORT (default 0.0.0.0:4010).
async function main(): Promise<void> {
  const config = loadSimulatorConfig();
  const simulator = await startIysSimulator({
    port: config.port,
    host: config.host,
    logger: true,
    testSurfaceToken: config.token,
    stateFile: config.stateFile,
  });
  const logger = new Logger('IysSimulator');
  const stop = (signal: string) => {
    logger.log(`${signal} received, stopping`);
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  new Logger('IysSimulator').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
