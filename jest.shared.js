// Settings shared by every jest layer: SWC transpiles TypeScript (type checking is `npm run typecheck`'s job),
// and the library aliases resolve to their single public entry.
const fs = require('fs');
const swc = JSON.parse(fs.readFileSync(__dirname + '/.swcrc', 'utf8'));
delete swc.$schema;
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@izinli/(consent|config|database|queue|mailer|testing)$': '<rootDir>/libs/$1/src/index.ts',
    '^@izinli/iys-simulator$': '<rootDir>/apps/iys-simulator/src/index.ts',
  },
  setupFiles: ['<rootDir>/test/setup-logging.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
