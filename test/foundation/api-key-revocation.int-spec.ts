import { randomBytes } from 'crypto';
import { Client } from 'pg';
import request from 'supertest';
import { testDatabaseUrl, waitFor } from '@izinli/testing';
import { createIzinliApp, IzinliApp } from '../../apps/campaigns/src/bootstrap';
import { API_KEYS_CHANNEL, ApiKeyRevocations } from '../../apps/campaigns/src/common/auth/api-key-revocations';
import { startTestApp, TestApp } from '../support/test-app';

const server = !!testDatabaseUrl();

/**
 * A revoked key stops working on every process at once, while each process keeps its cache of key answers. With a
 * PostgreSQL server: two app instances on one database, each holding answers for the key before it is revoked.
 * Embedded: one process by construction, so "the other instance" is the same one.
 */
describe(`API key revocation across processes (${server ? 'two instances on one PostgreSQL' : 'embedded, one process'})`, () => {
  let t: TestApp;
  let second: IzinliApp | undefined;
  let spId: string;
  let instances: { name: string; http: () => ReturnType<typeof request> }[];
  const op = () => ({ Authorization: `Bearer ${t.adminKey}` });
  const brands = (i: number, key: string) =>
    instances[i]
      .http()
      .get('/v1/brands')
      .set({ Authorization: `Bearer ${key}` });
  const newKey = async () =>
    (await t.http().post(`/v1/service-providers/${spId}/api-keys`).set(op()).send({}).expect(201)).body as {
      id: string;
      apiKey: string;
    };
  /** Makes every instance hold a cached answer for the key. */
  const warm = async (key: string) => {
    for (let i = 0; i < instances.length; i++) for (let n = 0; n < 3; n++) await brands(i, key).expect(200);
  };

  beforeAll(async () => {
    t = await startTestApp();
    instances = [{ name: 'instance 1', http: () => t.http() }];
    if (server) {
      second = await createIzinliApp(t.config, { queuePrefix: `t${randomBytes(4).toString('hex')}` });
      const url = second.url!;
      instances.push({ name: 'instance 2', http: () => request(url) });
    } else {
      instances.push(instances[0]);
    }
    spId = (
      await t.http().post('/v1/service-providers').set(op()).send({ name: 'Rotasyon', iysCode: '710001' }).expect(201)
    ).body.id;
  }, 120_000);
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('refuses a key revoked through instance 1 on the very next request to instance 2, with no wait', async () => {
    const revoked = await newKey();
    const kept = await newKey();
    await warm(revoked.apiKey);
    await warm(kept.apiKey);
    await instances[0].http().delete(`/v1/service-providers/${spId}/api-keys/${revoked.id}`).set(op()).expect(204);
    const res = await brands(1, revoked.apiKey);
    expect([instances[1].name, res.status, res.body.code]).toEqual([instances[1].name, 401, 'UNAUTHORIZED']);
    await brands(0, revoked.apiKey).expect(401);
    for (let i = 0; i < instances.length; i++) await brands(i, kept.apiKey).expect(200);
  });

  it('refuses a key revoked through instance 2 with its own key on instance 1 at once', async () => {
    const old = await newKey();
    await warm(old.apiKey);
    const next = (
      await instances[1]
        .http()
        .post('/v1/api-keys')
        .set({ Authorization: `Bearer ${old.apiKey}` })
        .send({ name: 'next' })
        .expect(201)
    ).body as { id: string; apiKey: string };
    await instances[1]
      .http()
      .delete(`/v1/api-keys/${old.id}`)
      .set({ Authorization: `Bearer ${next.apiKey}` })
      .expect(204);
    await brands(0, old.apiKey).expect(401);
    await brands(0, next.apiKey).expect(200);
  });

  if (server) {
    it('refuses a key revoked by hand in SQL on every instance as soon as the change is announced', async () => {
      const key = await newKey();
      await warm(key.apiKey);
      // The test listens too: once it has heard the commit's notification, so have the instances' listeners.
      const listener = new Client({ connectionString: t.config.database.url });
      await listener.connect();
      try {
        await listener.query(`LISTEN ${API_KEYS_CHANNEL}`);
        const heard = new Promise<void>((resolve) =>
          listener.on('notification', (n) => n.payload === key.id && resolve()),
        );
        await t.db.dataSource.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [key.id]);
        await heard;
      } finally {
        await listener.end();
      }
      for (let i = 0; i < instances.length; i++) await brands(i, key.apiKey).expect(401);
    });

    it('looks keys up per request while its listener connection is lost, and caches again once it is back', async () => {
      const key = await newKey();
      await warm(key.apiKey);
      const revocations = [t.izinli, second!].map((app) => app.app.get(ApiKeyRevocations));
      expect(revocations.map((r) => r.listening)).toEqual([true, true]);
      await t.db.dataSource.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'izinli-api-keys'`,
      );
      await waitFor(
        async () => revocations.map((r) => r.listening),
        (v) => v.every((l) => !l),
        5_000,
      );
      // Nobody hears this change: only looking the key up can refuse it.
      await t.db.dataSource.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [key.id]);
      for (let i = 0; i < instances.length; i++) await brands(i, key.apiKey).expect(401);
      await waitFor(
        async () => revocations.map((r) => r.listening),
        (v) => v.every((l) => l),
        10_000,
      );
      const after = await newKey();
      await warm(after.apiKey);
      await instances[0].http().delete(`/v1/service-providers/${spId}/api-keys/${after.id}`).set(op()).expect(204);
      await brands(1, after.apiKey).expect(401);
    });
  }
});
