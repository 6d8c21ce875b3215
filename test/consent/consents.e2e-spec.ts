import { BusinessCalendar } from '@izinli/consent';
import { waitFor } from '@izinli/testing';
import { startTestApp, TestApp } from '../support/test-app';

/** The consent endpoints over real HTTP, through the real app and its in-process İYS simulator. */
describe('consents and classification (e2e)', () => {
  let t: TestApp;
  let key: string;
  const auth = () => ({ Authorization: `Bearer ${key}` });

  beforeAll(async () => {
    t = await startTestApp();
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const sp = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Delta', iysCode: '710001' }).expect(201)
    ).body;
    key = sp.apiKey;
    await t
      .http()
      .post(`/v1/service-providers/${sp.id}/brands`)
      .set(op)
      .send({ name: 'Delta', brandCode: '710001', fromEmail: 'info@delta.com.tr', fromName: 'Delta' })
      .expect(201);
  });
  afterAll(() => t?.close());

  it('records a consent with evidence and answers it with its history', async () => {
    const res = await t
      .http()
      .post('/v1/brands/710001/consents')
      .set(auth())
      .send({
        recipient: 'Zeynep@Example.com',
        type: 'EPOSTA',
        status: 'ONAY',
        source: 'HS_WEB',
        evidence: { ip: '203.0.113.5', consentText: 'Onaylıyorum' },
      })
      .expect(201);
    expect(res.body).toMatchObject({
      brandCode: '710001',
      recipient: 'zeynep@example.com',
      type: 'EPOSTA',
      recipientType: 'BIREYSEL',
      status: 'ONAY',
    });
    // The sync engine sends the movement at once, so İYS may already have accepted it.
    expect(['PENDING', 'ACCEPTED']).toContain(res.body.iys.state);
    const got = await t.http().get('/v1/brands/710001/consents/EPOSTA/ZEYNEP@example.com').set(auth()).expect(200);
    expect(got.body.history).toHaveLength(1);
    expect(got.body.history[0]).toMatchObject({
      status: 'ONAY',
      source: 'HS_WEB',
      evidence: { ip: '203.0.113.5', consentText: 'Onaylıyorum' },
    });
  });

  it('answers an older movement with 409 STALE_CONSENT and keeps it in the history', async () => {
    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    await t
      .http()
      .post('/v1/brands/710001/consents')
      .set(auth())
      .send({
        recipient: 'stale@example.com',
        type: 'EPOSTA',
        status: 'ONAY',
        source: 'HS_WEB',
        consentDate: at(60_000),
      })
      .expect(201);
    const res = await t
      .http()
      .post('/v1/brands/710001/consents')
      .set(auth())
      .send({
        recipient: 'stale@example.com',
        type: 'EPOSTA',
        status: 'RET',
        source: 'HS_WEB',
        consentDate: at(120_000),
      })
      .expect(409);
    expect(res.body.code).toBe('STALE_CONSENT');
    const got = await t.http().get('/v1/brands/710001/consents/EPOSTA/stale@example.com').set(auth()).expect(200);
    expect(got.body.status).toBe('ONAY');
    expect(got.body.history.map((h: { status: string; stale: boolean }) => [h.status, h.stale])).toEqual([
      ['RET', true],
      ['ONAY', false],
    ]);
  });

  it('refuses a bad address with a clear 422 and stores nothing', async () => {
    const res = await t
      .http()
      .post('/v1/brands/710001/consents')
      .set(auth())
      .send({ recipient: 'gül@örnek.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(422);
    expect(res.body.code).toBe('INVALID_EMAIL');
    expect(res.body.errors[0]).toMatchObject({ field: 'recipient', code: 'INVALID_EMAIL' });
    await t.http().get('/v1/brands/710001/consents/EPOSTA/gül@örnek.com').set(auth()).expect(404);
  });

  it('refuses an IYS_* source and a consent older than 3 business days', async () => {
    const r1 = await t
      .http()
      .post('/v1/brands/710001/consents')
      .set(auth())
      .send({ recipient: 'a@example.com', type: 'EPOSTA', status: 'ONAY', source: 'IYS_WEB' })
      .expect(422);
    expect(r1.body.code).toBe('INVALID_SOURCE');
    const r2 = await t
      .http()
      .post('/v1/brands/710001/consents')
      .set(auth())
      .send({
        recipient: 'a@example.com',
        type: 'EPOSTA',
        status: 'ONAY',
        source: 'HS_WEB',
        // Four business days back by the calendar: ten calendar days can hold only three around Kurban Bayramı.
        consentDate: new BusinessCalendar().addBusinessDays(new Date(), -4).toISOString(),
      })
      .expect(422);
    expect(r2.body.code).toBe('REGISTRATION_WINDOW_PASSED');
  });

  it('checks a list of recipients with reasons', async () => {
    await t
      .http()
      .post('/v1/brands/710001/consents')
      .set(auth())
      .send({ recipient: 'yes@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);
    await t
      .http()
      .post('/v1/brands/710001/consents')
      .set(auth())
      .send({ recipient: 'no@example.com', type: 'EPOSTA', status: 'RET', source: 'HS_WEB' })
      .expect(201);
    const res = await t
      .http()
      .post('/v1/brands/710001/consents/check')
      .set(auth())
      .send({
        type: 'EPOSTA',
        recipients: ['YES@example.com', 'no@example.com', 'unknown@example.com', 'not-an-address'],
      })
      .expect(200);
    // An ONAY is allowed while İYS registers it and after İYS accepted it; which one depends on the sync's speed.
    expect(['ONAY_IN_REGISTRATION_WINDOW', 'ONAY_ACCEPTED']).toContain(res.body.results[0].reason);
    res.body.results[0].reason = 'ONAY';
    expect(
      res.body.results.map((r: { recipient: string; allowed: boolean; reason: string }) => [
        r.recipient,
        r.allowed,
        r.reason,
      ]),
    ).toEqual([
      ['yes@example.com', true, 'ONAY'],
      ['no@example.com', false, 'REFUSED'],
      ['unknown@example.com', false, 'NO_CONSENT'],
      ['not-an-address', false, 'INVALID_EMAIL'],
    ]);
    const tx = await t
      .http()
      .post('/v1/brands/710001/consents/check')
      .set(auth())
      .send({ type: 'EPOSTA', kind: 'TRANSACTIONAL', recipients: ['no@example.com'] })
      .expect(200);
    expect(tx.body.results[0]).toMatchObject({ allowed: true, reason: 'CONSENT_NOT_REQUIRED' });
  });

  it("records a merchant's first record without source and consentDate, sends it to İYS so, and refuses a later one without them", async () => {
    const recipient = 'esnaf@delta.com.tr';
    const record = (body: Record<string, unknown>) =>
      t.http().post('/v1/brands/710001/consents').set(auth()).send(body);
    const sim = async <T>(path: string) =>
      ((await (await fetch(`${t.izinli.iysUrl}${path}`)).json()) as { list: T[] }).list;
    type SimRequest = { method: string; path: string; body?: Record<string, unknown> };
    const requestsFor = async () =>
      (await sim<SimRequest>('/_sim/requests')).filter((r) => r.method === 'POST' && r.body?.recipient === recipient);

    const first = await record({ recipient, type: 'EPOSTA', status: 'ONAY', recipientType: 'TACIR' }).expect(201);
    expect(first.body).toMatchObject({ recipientType: 'TACIR', status: 'ONAY', consentDate: null, source: null });
    expect(first.body.history).toEqual([expect.objectContaining({ status: 'ONAY', consentDate: null, source: null })]);
    const held = await waitFor(
      async () =>
        (await sim<Record<string, unknown>>('/_sim/consents?brandCode=710001')).find((c) => c.recipient === recipient),
      (c) => c !== undefined,
      20_000,
    );
    expect(held).toMatchObject({ recipientType: 'TACIR', status: 'ONAY' });
    expect(held).not.toHaveProperty('consentDate');
    expect(held).not.toHaveProperty('source');
    const sent = await requestsFor();
    expect(sent).toHaveLength(1);
    expect(Object.keys(sent[0].body!).sort()).toEqual(['recipient', 'recipientType', 'status', 'type']);

    const noDate = await record({ recipient, type: 'EPOSTA', status: 'RET', recipientType: 'TACIR' }).expect(422);
    expect(noDate.body).toMatchObject({
      code: 'TACIR_CONSENT_DATE_REQUIRED',
      detail: expect.stringMatching(/H462.*H463/),
    });
    expect(noDate.body.errors.map((e: { code: string }) => e.code)).toEqual([
      'TACIR_CONSENT_DATE_REQUIRED',
      'TACIR_SOURCE_REQUIRED',
    ]);
    const noSource = await record({
      recipient,
      type: 'EPOSTA',
      status: 'RET',
      recipientType: 'TACIR',
      consentDate: new Date().toISOString(),
    }).expect(422);
    expect(noSource.body.code).toBe('TACIR_SOURCE_REQUIRED');
    const got = await t.http().get(`/v1/brands/710001/consents/EPOSTA/${recipient}?recipientType=TACIR`).set(auth());
    expect(got.body).toMatchObject({ status: 'ONAY', history: [expect.objectContaining({ status: 'ONAY' })] });
    expect(got.body.history).toHaveLength(1);
    const outbox = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM iys_outbox WHERE recipient = $1`, [
      recipient,
    ]);
    expect(outbox[0].n).toBe(1);
    expect(await requestsFor()).toHaveLength(1);
    const listed = (await t.http().get('/v1/iys/outbox?brandCode=710001').set(auth()).expect(200)).body.items as {
      recipient: string;
      consentDate: string | null;
      source: string | null;
    }[];
    expect(listed.find((i) => i.recipient === recipient)).toMatchObject({ consentDate: null, source: null });

    // An individual's record still needs a source.
    const person = await record({ recipient: 'kisi@delta.com.tr', type: 'EPOSTA', status: 'ONAY' }).expect(422);
    expect(person.body.code).toBe('INVALID_SOURCE');
  });

  it('limits a check to 10,000 recipients', async () => {
    const res = await t
      .http()
      .post('/v1/brands/710001/consents/check')
      .set(auth())
      .send({ type: 'EPOSTA', recipients: Array.from({ length: 10_001 }, (_, i) => `u${i}@example.com`) });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('recipients');
  });

  it('classifies messages with reasons', async () => {
    const push = await t
      .http()
      .post('/v1/classify')
      .set(auth())
      .send({ channel: 'PUSH', purpose: 'PROMOTION', text: '%50 indirim!' })
      .expect(200);
    expect(push.body).toMatchObject({ kind: 'EXEMPT', requiresConsent: false, iysType: null });
    const mixed = await t
      .http()
      .post('/v1/classify')
      .set(auth())
      .send({
        channel: 'EMAIL',
        purpose: 'ORDER',
        subject: 'Siparişiniz alındı',
        text: 'Siparişiniz hazırlanıyor. Bir sonraki alışverişinizde %20 indirim kodu: KIS20',
      })
      .expect(200);
    expect(mixed.body).toMatchObject({ kind: 'COMMERCIAL', requiresConsent: true, iysType: 'EPOSTA' });
    expect(mixed.body.reasons.join(' ')).toMatch(/ORDER/);
    const bad = await t.http().post('/v1/classify').set(auth()).send({ channel: 'FAX' }).expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });
});
