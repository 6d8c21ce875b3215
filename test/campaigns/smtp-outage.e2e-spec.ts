import { startSmtpSink, SmtpSink, startTcpProxy, TcpProxy, waitFor } from '@izinli/testing';
import { createTestTenant, startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 18 over HTTP: a campaign launched while the mail server does not answer says what it waits for, the stall
 * is counted in /metrics, and the campaign finishes by itself once the server answers again.
 */
describe('a campaign during an SMTP outage (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let proxy: TcpProxy;
  let key: string;
  const brandCode = '740001';
  const as = () => ({ Authorization: `Bearer ${key}` });
  const recipients = ['ayse@example.com', 'ali@example.com', 'veli@example.com'];

  beforeAll(async () => {
    sink = await startSmtpSink();
    const u = new URL(sink.url);
    proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
    t = await startTestApp({
      SMTP_URL: `smtp://127.0.0.1:${proxy.port}`,
      SMTP_SEND_TIMEOUT_MS: '1000',
      PUBLIC_URL: 'https://izinli.test',
    });
    key = (
      await createTestTenant(t, {
        name: 'Kesinti A.Ş.',
        iysCode: brandCode,
        brand: { name: 'Kesinti', brandCode, fromEmail: 'kampanya@kesinti.com.tr', fromName: 'Kesinti' },
      })
    ).apiKey;
    for (const recipient of recipients)
      await t
        .http()
        .post(`/v1/brands/${brandCode}/consents`)
        .set(as())
        .send({ recipient, type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
        .expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await sink?.close();
  });

  it('shows waiting: SMTP_UNAVAILABLE and counts the stall while SMTP hangs, then completes and clears it', async () => {
    const list = (await t.http().post(`/v1/brands/${brandCode}/lists`).set(as()).send({ name: 'L' }).expect(201)).body;
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send(recipients.map((email) => ({ email })))
      .expect(200);
    const template = (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/templates`)
        .set(as())
        .send({ name: 'Ş', subject: 'Kış indirimi', html: '<p>Merhaba</p>' })
        .expect(201)
    ).body;
    const campaign = (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/campaigns`)
        .set(as())
        .send({ name: 'K', purpose: 'PROMOTION', listId: list.id, templateId: template.id })
        .expect(201)
    ).body;
    proxy.freeze();
    await t.http().post(`/v1/campaigns/${campaign.id}/launch`).set(as()).expect(200);
    const stuck = await waitFor(
      async () => (await t.http().get(`/v1/campaigns/${campaign.id}`).set(as()).expect(200)).body,
      (c) => c.waiting !== null,
      15_000,
      100,
    );
    expect(stuck).toMatchObject({
      status: 'RUNNING',
      waiting: { reason: 'SMTP_UNAVAILABLE', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      counts: { sent: 0 },
    });
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    const stalls = /^izinli_delivery_stalls_total\{reason="SMTP_UNAVAILABLE"\} (\d+)$/m.exec(metrics);
    expect(Number(stalls?.[1])).toBeGreaterThanOrEqual(1);

    proxy.thaw();
    const done = await waitFor(
      async () => (await t.http().get(`/v1/campaigns/${campaign.id}`).set(as()).expect(200)).body,
      (c) => c.status === 'COMPLETED',
      30_000,
      200,
    );
    expect(done).toMatchObject({ waiting: null, counts: { sent: recipients.length } });
    const delivered = new Set(sink.messages.flatMap((m) => m.to));
    expect(recipients.filter((r) => !delivered.has(r))).toEqual([]);
  });
});
