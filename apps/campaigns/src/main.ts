import 'reflect-metadata';
import { ConfigValidationError, loadAppConfig } from '@izinli/config';
import { createIzinliApp, logStartBanner } from './bootstrap';
import { armShutdownDeadline } from './shutdown-deadline';
import { StartFailure } from './start-failure';

async function main(): Promise<void> {
  let config;
  try {
    config = loadAppConfig();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(err.message + '\n');
      process.exit(2);
    }
    throw err;
  }
  const started = await createIzinliApp(config);
  // Armed once Nest's own shutdown hooks are: before, a signal ends the start at once.
  armShutdownDeadline();
  logStartBanner(started, config);
}

main().catch((err: Error) => {
  if (err instanceof StartFailure) {
    process.stderr.write(`Izinli failed to start: ${err.message}\n`);
  } else {
    process.stderr.write(`Izinli failed to start: ${err.stack ?? err.message}\n`);
  }
  process.exit(1);
});
