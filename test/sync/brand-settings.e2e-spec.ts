import { verifyWebhookSignature } from '@izinli/consent';
import { sqlExec, sqlOne } from '@izinli/database';
import { startWebhookReceiver, waitFor, WebhookReceiver } from '@izinli/testing';
import { startTestApp, TestApp } from '../support/test-app';

/** The addresses of the SSRF report (issue 13) and their other spellings: none may become a webhook destination. */
const INTERNAL_URLS = [
  'http://127.0.0.1:4120/_sim/reset',
  'https://127.0.0.1:4120/_sim/reset',
  'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'https://10.0.0.5/',
  'https://[fd00::1]/',
  'https://0x7f000001/',
  'https://2130706433/',
  'https://0177.0.0.1/',
  'https://127.1/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:7f00:1]/',
  'https://[::1]/',
  'https://[::]/',
  'https://0.0.0.0/',
  'https://192.168.1.1/',
  'https://172.16.0.1/',
  'https://100.64.0.1/',
  'https://[fe80::1]/',
  'https://[64:ff9b::a9fe:a9fe]/',
  'https://224.0.0.1/',
  'https://255.255.255.255/',
  'http://localhost:6379/',
  'https://localhost/',
  'https://api.localhost/',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://metadata/',
];

async function serviceProviderWithBrand(t: TestApp, iysCode: string, brandCodes: string[]): Promise<string> {
  const op = { Authorization: `Bearer ${t.adminKey}` };
  const sp = (
    await t
      .http()
      .post('/v1/service-providers')
      .set(op)
      .send({ name: `SP ${iysCode}`, iysCode })
      .expect(201)
  ).body;
  for (const brandCode of brandCodes)
    await t
      .http()
      .post(`/v1/service-providers/${sp.id}/brands`)
      .set(op)
      .send({ name: `B ${brandCode}`, brandCode, fromEmail: `b${brandCode}@s.com.tr`, fromName: 'B' })
      .expect(201);
  return sp.apiKey as string;
}

/** PATCH /v1/brands/{brandCode} (webhook URL and secret, İYS sync mode) and the webhook delivery log over HTTP. */
describe('brand settings and webhooks (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  let receiver: WebhookReceiver;
  const auth = (k = key) => ({ Authorization: `Bearer ${k}` });

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp();
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const sp = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Settings', iysCode: '740001' }).expect(201)
    ).body;
    const other = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Other', iysCode: '740002' }).expect(201)
    ).body;
    key = sp.apiKey;
    otherKey = other.apiKey;
    await t
      .http()
      .post(`/v1/service-providers/${sp.id}/brands`)
      .set(op)
      .send({ name: 'S', brandCode: '740001', fromEmail: 's@s.com.tr', fromName: 'S' })
      .expect(201);
    await t
      .http()
      .post(`/v1/service-providers/${sp.id}/brands`)
      .set(op)
      .send({ name: 'S2', brandCode: '740003', fromEmail: 's2@s.com.tr', fromName: 'S2' })
      .expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('shows the webhook secret once, when a first URL is set, and never again', async () => {
    const first = (
      await t
        .http()
        .patch('/v1/brands/740003')
        .set(auth())
        .send({ webhookUrl: 'https://crm.example.com/izinli' })
        .expect(200)
    ).body;
    expect(first).toMatchObject({
      brandCode: '740003',
      webhookUrl: 'https://crm.example.com/izinli',
      iysSync: 'PLATFORM',
    });
    expect(first.webhookSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const changed = (
      await t
        .http()
        .patch('/v1/brands/740003')
        .set(auth())
        .send({ webhookUrl: 'https://crm.example.com/v2' })
        .expect(200)
    ).body;
    expect(changed.webhookUrl).toBe('https://crm.example.com/v2');
    expect(changed).not.toHaveProperty('webhookSecret');
    const removed = (await t.http().patch('/v1/brands/740003').set(auth()).send({ webhookUrl: null }).expect(200)).body;
    expect(removed.webhookUrl).toBeNull();
    const again = (
      await t
        .http()
        .patch('/v1/brands/740003')
        .set(auth())
        .send({ webhookUrl: 'https://crm.example.com/v3' })
        .expect(200)
    ).body;
    expect(again.webhookSecret).toMatch(/^whsec_/);
    expect(again.webhookSecret).not.toBe(first.webhookSecret);
  });

  it('changes the İYS sync mode', async () => {
    const res = (await t.http().patch('/v1/brands/740003').set(auth()).send({ iysSync: 'CUSTOMER' }).expect(200)).body;
    expect(res.iysSync).toBe('CUSTOMER');
    const brands = (await t.http().get('/v1/brands').set(auth()).expect(200)).body;
    expect(brands.items.find((b: { brandCode: string }) => b.brandCode === '740003').iysSync).toBe('CUSTOMER');
  });

  it('refuses URLs that are not https (except to an allowed address), bad modes and empty changes with 400', async () => {
    for (const body of [
      { webhookUrl: 'http://crm.example.com/hook' },
      { webhookUrl: 'http://8.8.8.8/hook' },
      { webhookUrl: 'ftp://crm.example.com/hook' },
      { webhookUrl: 'https://user:pass@crm.example.com/hook' },
      { webhookUrl: 'https://crm.example.com/hook#frag' },
      { webhookUrl: 'not a url' },
      { webhookUrl: 42 },
      { iysSync: 'SOMETIMES' },
      {},
      { webhookUrl: 'https://crm.example.com', extra: true },
    ]) {
      const res = await t.http().patch('/v1/brands/740001').set(auth()).send(body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it("answers another service provider's brand as not found", async () => {
    await t.http().patch('/v1/brands/740001').set(auth(otherKey)).send({ iysSync: 'CUSTOMER' }).expect(404);
    await t.http().get('/v1/brands/740001/webhook-deliveries').set(auth(otherKey)).expect(404);
    await t
      .http()
      .patch('/v1/brands/740001')
      .set({ Authorization: `Bearer ${t.adminKey}` })
      .send({ iysSync: 'CUSTOMER' })
      .expect(403);
  });

  it('delivers a signed consent.changed webhook and logs the delivery', async () => {
    const set = (await t.http().patch('/v1/brands/740001').set(auth()).send({ webhookUrl: receiver.url }).expect(200))
      .body;
    await t
      .http()
      .post('/v1/brands/740001/consents')
      .set(auth())
      .send({ recipient: 'hooked@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);
    await waitFor(
      async () => receiver.received.length,
      (n) => n >= 1,
    );
    const hit = receiver.received[0];
    expect(
      verifyWebhookSignature(set.webhookSecret, hit.headers['izinli-signature'] as string, hit.body),
    ).toMatchObject({ ok: true });
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({
      type: 'consent.changed',
      brandCode: '740001',
      movement: { recipient: 'hooked@example.com', status: 'ONAY', type: 'EPOSTA', origin: 'API' },
    });
    expect(Object.keys(body)).toEqual(['id', 'type', 'brandCode', 'movement']);
    const log = await waitFor(
      async () =>
        (await t.http().get('/v1/brands/740001/webhook-deliveries?status=DELIVERED').set(auth()).expect(200)).body,
      (b) => b.items.length === 1,
    );
    expect(log.items[0]).toMatchObject({
      id: body.id,
      status: 'DELIVERED',
      attempts: 1,
      lastStatusCode: 204,
      nextAttemptAt: null,
    });
    await t.http().get('/v1/brands/740001/webhook-deliveries?status=LOST').set(auth()).expect(400);
    await t.http().get('/v1/brands/740001/webhook-deliveries?after=zzz').set(auth()).expect(400);
  });

  it("keeps only its own words in the delivery log, never the receiving server's body, reason or headers", async () => {
    const failing = await startWebhookReceiver({
      status: 500,
      reason: 'SECRET-REASON',
      headers: { 'x-debug': 'SECRET-HEADER' },
      body: 'SECRET-INTERNAL: redis at 10.0.0.7:6379 refused AUTH',
    });
    try {
      const k = await serviceProviderWithBrand(t, '740006', ['740006']);
      await t.http().patch('/v1/brands/740006').set(auth(k)).send({ webhookUrl: failing.url }).expect(200);
      await t
        .http()
        .post('/v1/brands/740006/consents')
        .set(auth(k))
        .send({ recipient: 'failing@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
        .expect(201);
      const res = await waitFor(
        () => t.http().get('/v1/brands/740006/webhook-deliveries').set(auth(k)).expect(200),
        (r) => r.body.items[0]?.attempts >= 1,
      );
      expect(failing.received.length).toBeGreaterThanOrEqual(1);
      expect(res.body.items[0]).toMatchObject({ status: 'PENDING', lastStatusCode: 500, lastError: 'answered 500' });
      expect(res.text).not.toMatch(/SECRET|redis|10\.0\.0\.7|AUTH/);
    } finally {
      await failing.close();
    }
  });

  it('shows a neutral text for any stored error Izinli did not write itself', async () => {
    const k = await serviceProviderWithBrand(t, '740007', ['740007']);
    const brand = await sqlOne<{ id: string }>(t.db.dataSource, `SELECT id FROM brands WHERE brand_code = '740007'`);
    await sqlExec(
      t.db.dataSource,
      `INSERT INTO webhook_deliveries (id, brand_id, movement_id, body, status, attempts, last_error)
       VALUES (gen_random_uuid(), $1, 1, '{}', 'FAILED', 18, 'unreachable (connect ECONNREFUSED 10.0.0.7:6379 SECRET-INTERNAL)'),
              (gen_random_uuid(), $1, 2, '{}', 'FAILED', 18, 'timeout')`,
      [brand!.id],
    );
    const res = await t.http().get('/v1/brands/740007/webhook-deliveries').set(auth(k)).expect(200);
    expect(res.body.items.map((d: { lastError: string }) => d.lastError)).toEqual(['delivery failed', 'timeout']);
    expect(res.text).not.toMatch(/SECRET|ECONNREFUSED|10\.0\.0\.7/);
  });

  it("reaches loopback only at the operator's exact exception", async () => {
    const res = await t
      .http()
      .patch('/v1/brands/740001')
      .set(auth())
      .send({ webhookUrl: receiver.url.replace('127.0.0.1', '127.0.0.2') })
      .expect(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ field: 'webhookUrl', code: 'WEBHOOK_DESTINATION_NOT_ALLOWED' }),
    ]);
  });
});

/**
 * Webhook destinations under an operator exception that does not cover loopback (WEBHOOK_ALLOWED_NETWORKS set to a
 * documentation range): the SSRF report's URLs are refused in every spelling, and a loopback URL that got into the
 * database before the check existed is refused at delivery, before any connection.
 */
describe('webhook destinations (e2e, SSRF)', () => {
  let t: TestApp;
  let key: string;
  let receiver: WebhookReceiver;
  const auth = () => ({ Authorization: `Bearer ${key}` });
  const webhookUrlOf = async (brandCode: string) =>
    (await t.http().get('/v1/brands').set(auth()).expect(200)).body.items.find(
      (b: { brandCode: string }) => b.brandCode === brandCode,
    ).webhookUrl as string | null;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp({ WEBHOOK_ALLOWED_NETWORKS: '192.0.2.0/24' });
    key = await serviceProviderWithBrand(t, '750001', ['750001', '750002']);
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('refuses internal destinations in every spelling with 400 and stores nothing', async () => {
    await t
      .http()
      .patch('/v1/brands/750001')
      .set(auth())
      .send({ webhookUrl: 'https://crm.example.com/izinli' })
      .expect(200);
    for (const webhookUrl of [...INTERNAL_URLS, receiver.url]) {
      const res = await t.http().patch('/v1/brands/750001').set(auth()).send({ webhookUrl });
      expect([webhookUrl, res.status, res.body.code]).toEqual([webhookUrl, 400, 'VALIDATION_FAILED']);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ field: 'webhookUrl', code: 'WEBHOOK_DESTINATION_NOT_ALLOWED' }),
      ]);
    }
    expect(await webhookUrlOf('750001')).toBe('https://crm.example.com/izinli');
    expect(receiver.connections()).toBe(0);
    // The exception itself is honoured, plain http:// included.
    await t.http().patch('/v1/brands/750001').set(auth()).send({ webhookUrl: 'http://192.0.2.10/hook' }).expect(200);
    await t.http().patch('/v1/brands/750001').set(auth()).send({ webhookUrl: null }).expect(200);
  });

  it('refuses at delivery a loopback URL stored before the check, without connecting, and says only that', async () => {
    // As a row written before PATCH checked destinations would be.
    await t
      .http()
      .patch('/v1/brands/750002')
      .set(auth())
      .send({ webhookUrl: 'https://crm.example.com/izinli' })
      .expect(200);
    await sqlExec(t.db.dataSource, `UPDATE brands SET webhook_url = $1 WHERE brand_code = '750002'`, [receiver.url]);
    await t
      .http()
      .post('/v1/brands/750002/consents')
      .set(auth())
      .send({ recipient: 'legacy@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);
    const res = await waitFor(
      () => t.http().get('/v1/brands/750002/webhook-deliveries').set(auth()).expect(200),
      (r) => r.body.items[0]?.attempts >= 1,
    );
    expect(res.body.items[0]).toMatchObject({
      status: 'PENDING',
      lastStatusCode: null,
      lastError: 'destination not allowed',
    });
    expect(receiver.connections()).toBe(0);
    expect(receiver.received).toEqual([]);
  });
});
