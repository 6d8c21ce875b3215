// `npm run test:integration`: the database, queue and end-to-end suites against a PostgreSQL server and Redis
// (DATABASE_URL and REDIS_URL; defaults point at the local services).
const shared = require('./jest.shared');
process.env.IZINLI_TEST_DATABASE_URL ||= process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
process.env.IZINLI_TEST_REDIS_URL ||= process.env.REDIS_URL || 'redis://127.0.0.1:6379';
module.exports = {
  ...shared,
  testMatch: ['<rootDir>/test/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // These use neither a database nor a queue: running them again here would prove nothing new.
  testPathIgnorePatterns: [
    ...shared.testPathIgnorePatterns,
    '<rootDir>/test/iys-simulator/',
    '<rootDir>/test/foundation/start.e2e-spec.ts',
  ],
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 90000,
};
