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
  // The event-loop suite measures /health's answers against a 100 ms budget while hostile requests run: it needs the
  // cores to itself, which only the integration layer gives it (one suite at a time).
  testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '<rootDir>/test/security/event-loop.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  // Generous: two cores shared by two workers, each booting a whole app with an embedded database.
  testTimeout: 60000,
  maxWorkers: 2,
};
