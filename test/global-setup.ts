// Runs once, in jest's parent process, before any suite. Jest's module mapper does not apply here, so the
// library aliases are resolved by a small hook of our own, the same mapping as jest.shared.js.
/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded after the alias hook is in place */
import 'reflect-metadata';
import Module from 'module';
import { join } from 'path';

const root = join(__dirname, '..');
const mod = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const original = mod._resolveFilename;
mod._resolveFilename = function (request: string, ...rest: unknown[]) {
  const m = /^@izinli\/([a-z-]+)$/.exec(request);
  if (m)
    request = join(root, m[1] === 'iys-simulator' ? 'apps/iys-simulator/src/index.ts' : `libs/${m[1]}/src/index.ts`);
  return original.call(this, request, ...rest);
};

export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  const { warmTestDatabaseSnapshot } = require('../libs/testing/src/test-database');
  const { appMigrations } = require('../apps/campaigns/src/migrations');
  const { consentMigrations } = require('../libs/consent/src/migrations');
  await warmTestDatabaseSnapshot([...appMigrations, ...consentMigrations]);
}
