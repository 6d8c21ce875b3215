import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Clock } from '@izinli/consent';
import { loadAppConfig } from '@izinli/config';
import { createTestDatabase, TestDatabase, testRedisUrl } from '@izinli/testing';
import { allMigrations } from '../../apps/campaigns/src/app.module';
import { createIzinliApp, IzinliApp } from '../../apps/campaigns/src/bootstrap';
import { RATE_LIMIT_CLOCK } from '../../apps/campaigns/src/common/http/rate-limits';

const redisUrl = testRedisUrl();
const T0 = Date.UTC(2031, 5, 2, 12, 0, 10);

/**
 * The failed-authentication limit is one count for the whole deployment: with Redis, two app processes (two
 * instances on one database and one Redis prefix) add to the same counter, so failures split across both reach the
 * limit. Without Redis the deployment is one process, which stands for both here.
 */
describe(`failed-authentication limit shared by the API processes (${redisUrl ? 'Redis, two instances' : 'embedded, one instance'})`, () => {
  let db: TestDatabase;
  let dataDir: string;
  const apps: IzinliApp[] = [];
  const adminKey = `test-admin-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase(allMigrations);
    dataDir = mkdtempSync(join(tmpdir(), 'izinli-rl-'));
    const config = loadAppConfig({
      PORT: '0',
      IYS_SIMULATOR_PORT: '0',
      DATA_DIR: dataDir,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'silent',
      UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
      ...(db.url ? { DATABASE_URL: db.url } : {}),
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    });
    const queuePrefix = `t${randomBytes(4).toString('hex')}`;
    if (db.pglite) {
      await db.dataSource.destroy();
      apps.push(await createIzinliApp(config, { pglite: db.pglite, queuePrefix }));
    } else {
      // One after the other: both run the (idempotent) start-up steps on the same database.
      apps.push(await createIzinliApp(config, { queuePrefix }));
      apps.push(await createIzinliApp(config, { queuePrefix }));
    }
    for (const app of apps) {
      jest.spyOn(app.app.get<Clock>(RATE_LIMIT_CLOCK), 'now').mockImplementation(() => new Date(T0));
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    if (db?.pglite) await db.pglite.close();
    else await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const instance = (i: number) => apps[i % apps.length];
  const brands = (i: number, key: string) =>
    fetch(`${instance(i).url}/v1/brands`, { headers: { authorization: `Bearer ${key}` } });

  it('reaches the limit with failures split across the instances, and then refuses a correct key on each', async () => {
    for (let i = 0; i < 20; i++) expect((await brands(i, `izk_op_forged-${i}`)).status).toBe(401);
    // The 21st failure goes to the instance that did not see the 20th.
    const limited = await brands(20, 'izk_op_forged-20');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('50');
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    for (let i = 0; i < apps.length; i++) expect((await brands(i, adminKey)).status).toBe(429);
  });
});
