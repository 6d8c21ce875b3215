import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import request from 'supertest';
import { AppConfig, loadAppConfig } from '@izinli/config';
import { createTestDatabase, TestDatabase, testRedisUrl } from '@izinli/testing';
import { createIzinliApp, IzinliApp } from '../../apps/campaigns/src/bootstrap';
import { allMigrations } from '../../apps/campaigns/src/app.module';

export interface TestApp {
  url: string;
  adminKey: string;
  config: AppConfig;
  izinli: IzinliApp;
  db: TestDatabase;
  dataDir: string;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * Boots the real application through the same function as main.ts, on a fresh database (PGlite or a new
 * PostgreSQL database), the in-process queue or Bull under a prefix of its own, and the in-process İYS simulator
 * on a free port.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: {
    /** Server mode: the app reaches its database at this URL instead (through a proxy a test can cut). */
    databaseUrlForApp?: (url: string) => string;
  } = {},
): Promise<TestApp> {
  const db = await createTestDatabase(allMigrations);
  const dataDir = mkdtempSync(join(tmpdir(), 'izinli-test-'));
  const adminKey = `test-admin-${randomBytes(16).toString('hex')}`;
  const redis = testRedisUrl();
  const config = loadAppConfig({
    PORT: '0',
    IYS_SIMULATOR_PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'silent',
    UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
    // The tests' webhook receivers listen on loopback, which webhooks may reach only as an operator's exception.
    WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
    ...(db.url ? { DATABASE_URL: options.databaseUrlForApp?.(db.url) ?? db.url } : {}),
    ...(redis ? { REDIS_URL: redis } : {}),
    ...env,
  });
  // The test database's own data source stays open for assertions; the app gets its own connections
  // (server mode) or shares the PGlite instance through the app's pool (embedded mode, one session).
  let izinli: IzinliApp;
  if (db.pglite) {
    await db.dataSource.destroy();
    izinli = await createIzinliApp(config, { pglite: db.pglite, queuePrefix: `t${randomBytes(4).toString('hex')}` });
    db.dataSource = izinli.app.get((await import('typeorm')).DataSource);
  } else {
    izinli = await createIzinliApp(config, { queuePrefix: `t${randomBytes(4).toString('hex')}` });
  }
  const url = izinli.url!;
  return {
    url,
    adminKey,
    config,
    izinli,
    db,
    dataDir,
    http: () => request(url),
    close: async () => {
      await izinli.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestTenant {
  serviceProviderId: string;
  /** The service provider's first API key. */
  apiKey: string;
  brandCode: string;
}

/**
 * Creates a service provider and one brand of it through the operator's API, as a newcomer would: the setup most
 * end-to-end suites start from.
 */
export async function createTestTenant(
  t: TestApp,
  tenant: {
    name: string;
    iysCode: string;
    brand: { name: string; brandCode: string; fromEmail: string; fromName: string };
  },
): Promise<TestTenant> {
  const op = { Authorization: `Bearer ${t.adminKey}` };
  const sp = (
    await t
      .http()
      .post('/v1/service-providers')
      .set(op)
      .send({ name: tenant.name, iysCode: tenant.iysCode })
      .expect(201)
  ).body as { id: string; apiKey: string };
  await t.http().post(`/v1/service-providers/${sp.id}/brands`).set(op).send(tenant.brand).expect(201);
  return { serviceProviderId: sp.id, apiKey: sp.apiKey, brandCode: tenant.brand.brandCode };
}
