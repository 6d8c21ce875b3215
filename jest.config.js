// `npm test`: unit specs beside the code, plus the integration and end-to-end suites on the embedded
// database (PGlite), the in-process queue and the in-process İYS simulator. No outside service is needed.
const shared = require('./jest.shared');
module.exports = {
  ...shared,
  testMatch: [
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
    '<rootDir>/test/**/*.int-spec.ts',
  ],
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Generous: two cores shared by two workers, each booting a whole app with an embedded database.
  testTimeout: 60000,
  maxWorkers: 2,
};
