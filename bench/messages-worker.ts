// The worker process of messages.bench.ts: the application started as main.ts starts it (ROLE=worker from the
// environment), under the Redis key prefix the benchmark's API uses, so the two share their queues and nothing else.
import 'reflect-metadata';
import { loadAppConfig } from '@izinli/config';
import { createIzinliApp } from '../apps/campaigns/src/bootstrap';

createIzinliApp(loadAppConfig(), { queuePrefix: process.argv[2] }).then(
  (started) => {
    process.on('SIGTERM', () => void started.close().then(() => process.exit(0)));
  },
  (err: Error) => {
    process.stderr.write(`bench worker failed to start: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
