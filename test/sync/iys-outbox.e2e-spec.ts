import { BusinessCalendar, formatIysDate, PostgresIysTokenStore, SealedIysTokenStore } from '@izinli/consent';
import { sqlRows } from '@izinli/database';
import { waitFor } from '@izinli/testing';
import { startTestApp, TestApp } from '../support/test-app';

/** The İYS outbox over HTTP: listing by state with deadlines and risk, tenancy isolation, /health and /metrics. */
describe('İYS outbox (e2e)', () => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;
  const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
  const sim = (path: string, init?: RequestInit) =>
    fetch(`${t.izinli.iysUrl}${path}`, { headers: { 'content-type': 'application/json' }, ...init });

  beforeAll(async () => {
    t = await startTestApp();
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const a = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Outbox A', iysCode: '720001' }).expect(201)
    ).body;
    const b = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Outbox B', iysCode: '720002' }).expect(201)
    ).body;
    keyA = a.apiKey;
    keyB = b.apiKey;
    await t
      .http()
      .post(`/v1/service-providers/${a.id}/brands`)
      .set(op)
      .send({ name: 'A', brandCode: '720001', fromEmail: 'a@a.com.tr', fromName: 'A' })
      .expect(201);
    await t
      .http()
      .post(`/v1/service-providers/${b.id}/brands`)
      .set(op)
      .send({ name: 'B', brandCode: '720002', fromEmail: 'b@b.com.tr', fromName: 'B' })
      .expect(201);
  });
  afterAll(() => t?.close());
  afterEach(async () => {
    await sim('/_sim/faults', { method: 'DELETE' });
  });

  it('sends a recorded consent at once and lists it ACCEPTED with its transactionId and deadline', async () => {
    await t
      .http()
      .post('/v1/brands/720001/consents')
      .set(auth(keyA))
      .send({ recipient: 'ece@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);
    const consent = await waitFor(
      async () => (await t.http().get('/v1/brands/720001/consents/EPOSTA/ece@example.com').set(auth(keyA))).body,
      (b) => b.iys?.state === 'ACCEPTED',
    );
    expect(consent.iys.transactionId).toMatch(/^[0-9a-f]{64}$/);
    const page = (await t.http().get('/v1/iys/outbox?state=ACCEPTED&brandCode=720001').set(auth(keyA)).expect(200))
      .body;
    const item = page.items.find((i: { recipient: string }) => i.recipient === 'ece@example.com');
    expect(item).toMatchObject({
      brandCode: '720001',
      state: 'ACCEPTED',
      status: 'ONAY',
      mode: 'SINGLE',
      atRisk: false,
      overdue: false,
      transactionId: consent.iys.transactionId,
    });
    expect(new Date(item.deadline).getTime()).toBeGreaterThan(Date.now());
    expect(page.next).toBeNull();
  });

  it('keeps the İYS tokens it was given sealed in the database, opening only with its own secret', async () => {
    // The test before made the app ask İYS for a token.
    const rows = await sqlRows<{ account: string; access_token: string; refresh_token: string }>(
      t.db.dataSource,
      `SELECT account, access_token, refresh_token FROM iys_tokens`,
    );
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row.access_token).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(row.refresh_token).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    const stored = new PostgresIysTokenStore(t.db.dataSource);
    const opened = await new SealedIysTokenStore(stored, t.config.unsubscribeSecret!).read(row.account);
    expect(opened.accessToken).toEqual(expect.any(String));
    expect(opened.refreshToken).toEqual(expect.any(String));
    expect(row.access_token).not.toContain(opened.accessToken);
    expect(row.refresh_token).not.toContain(opened.refreshToken);
    // What opens is the token İYS issued: the simulator accepts it, and refuses a token it never issued.
    const brands = (token: string) =>
      fetch(`${t.izinli.iysUrl}/sps/720001/brands`, { headers: { authorization: `Bearer ${token}` } });
    expect((await brands(opened.accessToken!)).status).toBe(200);
    expect((await brands(`${opened.accessToken}x`)).status).toBe(401);
    // With any other secret nothing opens.
    const other = await new SealedIysTokenStore(stored, 'another secret').read(row.account);
    expect(other).toMatchObject({ accessToken: null, refreshToken: null });
  });

  it('shows each service provider only its own rows, and answers another brand as not found', async () => {
    await t
      .http()
      .post('/v1/brands/720002/consents')
      .set(auth(keyB))
      .send({ recipient: 'bora@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);
    const mine = (await t.http().get('/v1/iys/outbox').set(auth(keyB)).expect(200)).body;
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((i: { brandCode: string }) => i.brandCode === '720002')).toBe(true);
    const others = (await t.http().get('/v1/iys/outbox').set(auth(keyA)).expect(200)).body;
    expect(others.items.some((i: { brandCode: string }) => i.brandCode === '720002')).toBe(false);
    const res = await t.http().get('/v1/iys/outbox?brandCode=720002').set(auth(keyA)).expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
    await t
      .http()
      .get('/v1/iys/outbox')
      .set({ Authorization: `Bearer ${t.adminKey}` })
      .expect(403);
    await t.http().get('/v1/iys/outbox').expect(401);
  });

  it('pages with limit and after', async () => {
    for (const r of ['p1@example.com', 'p2@example.com', 'p3@example.com']) {
      await t
        .http()
        .post('/v1/brands/720002/consents')
        .set(auth(keyB))
        .send({ recipient: r, type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
        .expect(201);
    }
    const first = (await t.http().get('/v1/iys/outbox?limit=2').set(auth(keyB)).expect(200)).body;
    expect(first.items).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    const second = (await t.http().get(`/v1/iys/outbox?limit=2&after=${first.next}`).set(auth(keyB)).expect(200)).body;
    expect(second.items[0].id).not.toBe(first.items[1].id);
    expect(Number(second.items[0].id)).toBeGreaterThan(Number(first.items[1].id));
  });

  it('refuses bad filters with 400, never 500', async () => {
    for (const q of ['state=BOGUS', 'atRisk=maybe', 'after=!!!', 'brandCode=abc', 'limit=0', 'limit=5000', 'extra=1']) {
      const res = await t.http().get(`/v1/iys/outbox?${q}`).set(auth(keyA));
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('flags a movement near its deadline as at risk, in the listing, /health and /metrics', async () => {
    // İYS unreachable: the movement stays PENDING. Dated three business days before the next business day, its
    // deadline is the end of that day: one business day left (whatever day of the week the test runs on).
    await sim('/_sim/faults', { method: 'POST', body: JSON.stringify({ outageSeconds: 30 }) });
    const calendar = new BusinessCalendar();
    const consentDate = formatIysDate(calendar.addBusinessDays(calendar.addBusinessDays(new Date(), 1), -3));
    await t
      .http()
      .post('/v1/brands/720001/consents')
      .set(auth(keyA))
      .send({ recipient: 'risky@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB', consentDate })
      .expect(201);
    const page = (await t.http().get('/v1/iys/outbox?atRisk=true').set(auth(keyA)).expect(200)).body;
    const item = page.items.find((i: { recipient: string }) => i.recipient === 'risky@example.com');
    expect(item).toMatchObject({ state: 'PENDING', atRisk: true, overdue: false });
    const pending = (await t.http().get('/v1/iys/outbox?state=PENDING').set(auth(keyA)).expect(200)).body;
    expect(pending.items.map((i: { id: string }) => i.id)).toContain(item.id);
    const health = await waitFor(
      async () => (await t.http().get('/health')).body,
      (h) => h.checks?.['iys-outbox']?.status === 'warn',
    );
    expect(health.checks['iys-outbox']).toMatchObject({
      atRisk: expect.any(Number),
      atRiskIds: expect.arrayContaining([item.id]),
    });
    // A warning is not an outage: only the İYS reachability check is down, because İYS is.
    expect(health.checks.iys.status).toBe('down');
    const metrics = (await t.http().get('/metrics')).text;
    expect(metrics).toMatch(/izinli_iys_outbox_at_risk [1-9]/);
    expect(metrics).toMatch(/izinli_iys_outbox_pending [1-9]/);
    // İYS back: the retry registers it and the risk clears.
    await sim('/_sim/faults', { method: 'DELETE' });
    await waitFor(
      async () => (await t.http().get('/v1/brands/720001/consents/EPOSTA/risky@example.com').set(auth(keyA))).body,
      (b) => b.iys?.state === 'ACCEPTED',
      20_000,
    );
  });
});
