import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { startTcpProxy, TcpProxy, testDatabaseUrl } from '@izinli/testing';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 18: while the database restarts, the API answers 503 with Retry-After and a problem+json body, never 500,
 * and works again by itself afterwards. With a PostgreSQL server (npm run test:integration) the app reaches it
 * through a TCP proxy that the test cuts: every connection reset, new ones refused, as in a restart. Embedded, every
 * statement fails as it does on a connection the server terminated (57P01).
 */
describe(`the API during a database outage (${testDatabaseUrl() ? 'PostgreSQL behind a proxy' : 'embedded'})`, () => {
  let t: TestApp;
  let proxy: TcpProxy | undefined;
  let key: string;
  let spId: string;

  beforeAll(async () => {
    const server = testDatabaseUrl() ? new URL(testDatabaseUrl()!) : undefined;
    if (server) proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    t = await startTestApp(
      {},
      {
        databaseUrlForApp: (url) => {
          const u = new URL(url);
          u.hostname = proxy!.host;
          u.port = String(proxy!.port);
          return u.toString();
        },
      },
    );
    const sp = (
      await t
        .http()
        .post('/v1/service-providers')
        .set({ Authorization: `Bearer ${t.adminKey}` })
        .send({ name: 'Kesinti A.Ş.', iysCode: '730001' })
        .expect(201)
    ).body as { id: string; apiKey: string };
    key = sp.apiKey;
    spId = sp.id;
    await t
      .http()
      .post(`/v1/service-providers/${spId}/brands`)
      .set({ Authorization: `Bearer ${t.adminKey}` })
      .send({ name: 'Kesinti', brandCode: '730001', fromEmail: 'kampanya@kesinti.com.tr', fromName: 'Kesinti' })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  const requests = () => [
    t
      .http()
      .get(`/v1/service-providers/${spId}/api-keys`)
      .set({ Authorization: `Bearer ${t.adminKey}` }),
    t
      .http()
      .get('/v1/api-keys')
      .set({ Authorization: `Bearer ${key}` }),
    t
      .http()
      .post('/v1/brands/730001/lists')
      .set({ Authorization: `Bearer ${key}` })
      .send({ name: 'Liste' }),
    t
      .http()
      .get('/v1/campaigns/5f0c6c1e-8a4b-4c39-9d51-0c3f1d2a7b64')
      .set({ Authorization: `Bearer ${key}` }),
  ];

  async function outage<T>(during: () => Promise<T>): Promise<T> {
    if (proxy) {
      await proxy.cut();
      try {
        return await during();
      } finally {
        await proxy.restore();
      }
    }
    const down = jest
      .spyOn(PostgresQueryRunner.prototype, 'query')
      .mockRejectedValue(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      );
    try {
      return await during();
    } finally {
      down.mockRestore();
    }
  }

  it('answers 503 with Retry-After and a problem+json body while the database is away, then recovers by itself', async () => {
    const answers = await outage(async () => {
      const out = [];
      // Twice: the first requests meet connections the outage broke, the later ones a server that refuses new ones.
      for (let round = 0; round < 2; round++) for (const r of requests()) out.push(await r);
      return out;
    });
    for (const res of answers) {
      expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
        status: 503,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.body).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(res.body.errorId).toBeUndefined();
    }
    // Back: the pool reconnects on its own, no restart of the app.
    let statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      statuses = (await Promise.all(requests())).map((r) => r.status);
      if (statuses.every((s) => s < 500)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(statuses).toEqual([200, 200, 201, 404]);
  });
});
