// `npm run test:faults`: faults staged against the whole delivery stack (worker processes on PostgreSQL and Redis,
// an SMTP server behind a proxy the test can cut). One scenario after another: each loads the 2 cores fully.
const shared = require('./jest.shared');
process.env.IZINLI_TEST_DATABASE_URL ||= process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
process.env.IZINLI_TEST_REDIS_URL ||= process.env.REDIS_URL || 'redis://127.0.0.1:6379';
module.exports = {
  ...shared,
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  testTimeout: 300000,
};
