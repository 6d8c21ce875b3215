import { startSmtpSink, SmtpSink, waitFor } from '@izinli/testing';
import { createTestTenant, startTestApp, TestApp } from '../support/test-app';

/**
 * Merchants (TACIR) over real HTTP and real SMTP: addresses registered by their first record alone, without
 * consentDate and source as İYS allows, receive a commercial campaign; a merchant who refused, or whose address is on
 * no record, does not (compliance.md §2).
 */
describe('a campaign to merchants (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let key: string;
  const brandCode = '720001';
  const as = () => ({ Authorization: `Bearer ${key}` });
  const record = (body: Record<string, unknown>) =>
    t
      .http()
      .post(`/v1/brands/${brandCode}/consents`)
      .set(as())
      .send({ type: 'EPOSTA', recipientType: 'TACIR', ...body })
      .expect(201);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: sink.url });
    key = (
      await createTestTenant(t, {
        name: 'Toptan A.Ş.',
        iysCode: brandCode,
        brand: { name: 'Toptan', brandCode, fromEmail: 'bayi@toptan.com.tr', fromName: 'Toptan' },
      })
    ).apiKey;
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('sends to merchants registered by their undated first record, and to no merchant who refused or is unregistered', async () => {
    await record({ recipient: 'bakkal@example.com', status: 'ONAY' });
    await record({ recipient: 'manav@example.com', status: 'ONAY' });
    await record({ recipient: 'kasap@example.com', status: 'ONAY' });
    await record({
      recipient: 'kasap@example.com',
      status: 'RET',
      source: 'HS_WEB',
      consentDate: new Date().toISOString(),
    });
    const list = (await t.http().post(`/v1/brands/${brandCode}/lists`).set(as()).send({ name: 'Bayiler' }).expect(201))
      .body as { id: string };
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send(
        ['bakkal', 'manav', 'kasap', 'berber'].map((name) => ({
          email: `${name}@example.com`,
          recipientType: 'TACIR',
        })),
      )
      .expect(200);
    const tpl = (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/templates`)
        .set(as())
        .send({ name: 'Bayi', subject: 'Yeni fiyat listesi', html: '<p>Toptan fiyatlarımız güncellendi.</p>' })
        .expect(201)
    ).body as { id: string };
    const c = (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/campaigns`)
        .set(as())
        .send({ name: 'Bayi kampanyası', purpose: 'PROMOTION', listId: list.id, templateId: tpl.id })
        .expect(201)
    ).body as { id: string };
    const before = sink.messages.length;

    const launched = (await t.http().post(`/v1/campaigns/${c.id}/launch`).set(as()).expect(200)).body;
    expect(launched.counts).toMatchObject({ total: 4, eligible: 2, blocked: { REFUSED: 1, NOT_REGISTERED: 1 } });
    await waitFor(
      async () => (await t.http().get(`/v1/campaigns/${c.id}`).set(as()).expect(200)).body,
      (b) => b.status === 'COMPLETED',
      20_000,
      100,
    );
    const mails = (await sink.waitFor(before + 2)).slice(before);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['bakkal@example.com', 'manav@example.com']);
    // Each send names the record it relied on: a merchant's first record, with neither date nor source.
    const sent = (await t.http().get(`/v1/campaigns/${c.id}/recipients?status=SENT`).set(as()).expect(200)).body
      .items as { recipient: string; reason: string; consent: Record<string, unknown> | null }[];
    expect(sent.map((s) => s.reason)).toEqual(['TACIR_NOT_REFUSED', 'TACIR_NOT_REFUSED']);
    for (const s of sent) expect(s.consent).toMatchObject({ consentDate: null, source: null });
  });
});
