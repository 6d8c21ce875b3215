// A second API process for messages.bench.ts's phase (a''): the application started as main.ts starts it (ROLE=api
// from the environment) under the benchmark's Redis key prefix, on a port of its own, which it writes to stdout
// as one JSON line once it listens.
import 'reflect-metadata';
import { loadAppConfig } from '@izinli/config';
import { createIzinliApp } from '../apps/campaigns/src/bootstrap';

createIzinliApp(loadAppConfig(), { queuePrefix: process.argv[2] }).then(
  (started) => {
    process.stdout.write(`${JSON.stringify({ url: started.url })}\n`);
    process.on('SIGTERM', () => void started.close().then(() => process.exit(0)));
  },
  (err: Error) => {
    process.stderr.write(`bench API process failed to start: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
