import { verifyWebhookSignature } from '@izinli/consent';
import { startWebhookReceiver, waitFor, WebhookReceiver } from '@izinli/testing';
import { startTestApp, TestApp } from '../support/test-app';

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

  it('refuses URLs that are not https (except this machine), bad modes and empty changes with 400', async () => {
    for (const body of [
      { webhookUrl: 'http://crm.example.com/hook' },
      { webhookUrl: 'ftp://crm.example.com/hook' },
      { webhookUrl: 'https://user:pass@crm.example.com/hook' },
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
});
