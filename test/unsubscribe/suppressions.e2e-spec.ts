import { SuppressionList } from '@izinli/consent';
import { startTestApp, TestApp } from '../support/test-app';

interface Entry {
  id?: string;
  email: string;
  reason?: string;
  scope: 'TENANT' | 'PLATFORM';
  suppressed: true;
  origin?: string;
  note?: string | null;
  createdAt?: string;
  serviceProviderId?: string | null;
}

/** `/v1/suppressions` over HTTP: scopes (service provider vs operator), tenant isolation, paging, validation, the gate. */
describe('suppressions API (e2e)', () => {
  let t: TestApp;
  let keyA: string;
  let keyB: string;
  let spA: string;
  const brandA = '770001';
  const brandB = '770002';
  const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
  const op = () => auth(t.adminKey);
  const add = (key: string, body: Record<string, unknown>) =>
    t.http().post('/v1/suppressions').set(auth(key)).send(body);
  const list = async (key: string, query = '') =>
    (await t.http().get(`/v1/suppressions${query}`).set(auth(key)).expect(200)).body as {
      items: Entry[];
      next: string | null;
    };
  const gate = async (key: string, brandCode: string, recipient: string, kind = 'COMMERCIAL') =>
    (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/consents/check`)
        .set(auth(key))
        .send({ type: 'EPOSTA', recipients: [recipient], kind })
        .expect(200)
    ).body.results[0] as {
      allowed: boolean;
      reason: string;
    };
  const approve = (key: string, brandCode: string, recipient: string) =>
    t
      .http()
      .post(`/v1/brands/${brandCode}/consents`)
      .set(auth(key))
      .send({ recipient, type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);

  beforeAll(async () => {
    t = await startTestApp();
    const a = (
      await t.http().post('/v1/service-providers').set(op()).send({ name: 'Sup A', iysCode: '770001' }).expect(201)
    ).body;
    const b = (
      await t.http().post('/v1/service-providers').set(op()).send({ name: 'Sup B', iysCode: '770002' }).expect(201)
    ).body;
    keyA = a.apiKey;
    keyB = b.apiKey;
    spA = a.id;
    await t
      .http()
      .post(`/v1/service-providers/${a.id}/brands`)
      .set(op())
      .send({ name: 'A', brandCode: brandA, fromEmail: 'a@a.com.tr', fromName: 'A' })
      .expect(201);
    await t
      .http()
      .post(`/v1/service-providers/${b.id}/brands`)
      .set(op())
      .send({ name: 'B', brandCode: brandB, fromEmail: 'b@b.com.tr', fromName: 'B' })
      .expect(201);
  });
  afterAll(() => t?.close());

  it('adds a tenant entry with a service-provider key (201), and answers a repeat with the same entry (200)', async () => {
    const first = await add(keyA, { email: ' Spam@Example.com ', reason: 'COMPLAINT', note: 'ticket 42' }).expect(201);
    expect(first.body).toEqual({
      id: expect.any(String),
      email: 'spam@example.com',
      reason: 'COMPLAINT',
      scope: 'TENANT',
      suppressed: true,
      origin: 'API',
      note: 'ticket 42',
      createdAt: expect.any(String),
    });
    const again = await add(keyA, { email: 'spam@example.com', reason: 'MANUAL' }).expect(200);
    expect(again.body).toEqual(first.body);
  });

  it('adds a platform-wide entry with the operator key', async () => {
    const res = await t
      .http()
      .post('/v1/suppressions')
      .set(op())
      .send({ email: 'platform@example.com', reason: 'HARD_BOUNCE' })
      .expect(201);
    expect(res.body).toMatchObject({
      email: 'platform@example.com',
      scope: 'PLATFORM',
      origin: 'OPERATOR',
      note: null,
      serviceProviderId: null,
    });
  });

  it('refuses an invalid address with 422 INVALID_EMAIL, and bad fields with 400', async () => {
    for (const email of ['not an address', 'ayşe@example.com', 'a@b', '']) {
      const res = await add(keyA, { email, reason: 'MANUAL' });
      expect([email, res.status]).toEqual([email, 422]);
      expect(res.body).toMatchObject({ code: 'INVALID_EMAIL', errors: [{ field: 'email', code: 'INVALID_EMAIL' }] });
    }
    for (const body of [
      { email: 'x@example.com', reason: 'SPITE' },
      { email: 'x@example.com' },
      { email: 42, reason: 'MANUAL' },
      { email: 'x@example.com', reason: 'MANUAL', extra: 1 },
      { email: 'x@example.com', reason: 'MANUAL', note: 'n'.repeat(501) },
    ]) {
      const res = await add(keyA, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await t.http().delete('/v1/suppressions/not-an-address').set(auth(keyA))).status).toBe(422);
    expect((await t.http().get('/v1/suppressions?email=nope').set(auth(keyA))).status).toBe(422);
    await t.http().post('/v1/suppressions').send({ email: 'x@example.com', reason: 'MANUAL' }).expect(401);
  });

  /** Every item of a tenant's list, through every page. */
  const listAll = async (key: string) => {
    const seen: Entry[] = [];
    let query = '?limit=2';
    for (let pages = 0; pages < 100; pages++) {
      const page = await list(key, query);
      seen.push(...page.items);
      if (!page.next) return seen;
      query = `?limit=2&after=${page.next}`;
    }
    throw new Error('too many pages');
  };

  it("lists only the caller's own entries: never another tenant's, never a platform-wide one", async () => {
    await add(keyB, { email: 'b-only@example.com', reason: 'MANUAL', note: 'B ticket 7' }).expect(201);
    // A hard bounce of tenant A's message, recorded platform-wide as the delivery workers record it.
    await t.izinli.app
      .get(SuppressionList)
      .add('bounced-a@example.com', null, 'HARD_BOUNCE', 'SMTP', 'hard bounce 550 of message msg-of-tenant-a');
    const a = await listAll(keyA);
    expect(a.map((e) => [e.email, e.scope])).toEqual([['spam@example.com', 'TENANT']]);
    const b = await listAll(keyB);
    expect(b.map((e) => [e.email, e.scope])).toEqual([['b-only@example.com', 'TENANT']]);
    const bText = JSON.stringify(b);
    for (const leaked of ['spam@example.com', 'platform@example.com', 'bounced-a@example.com', 'msg-of-tenant-a']) {
      expect([leaked, bText.includes(leaked)]).toEqual([leaked, false]);
    }
    expect((await list(keyA, '?email=SPAM@example.com')).items).toEqual([
      expect.objectContaining({ email: 'spam@example.com', scope: 'TENANT', note: 'ticket 42', suppressed: true }),
    ]);
    expect((await list(keyB, '?email=spam@example.com')).items).toEqual([]);
  });

  it('answers a tenant asking about a platform-suppressed address with suppressed: true and nothing else', async () => {
    for (const key of [keyA, keyB]) {
      const page = await list(key, '?email=Bounced-A@example.com');
      expect(page).toEqual({
        items: [{ email: 'bounced-a@example.com', scope: 'PLATFORM', suppressed: true }],
        next: null,
      });
    }
    // Its own entry whole, beside the platform marker.
    await add(keyB, { email: 'platform@example.com', reason: 'MANUAL', note: 'B also' }).expect(201);
    expect((await list(keyB, '?email=platform@example.com')).items).toEqual([
      expect.objectContaining({ email: 'platform@example.com', scope: 'TENANT', note: 'B also' }),
      { email: 'platform@example.com', scope: 'PLATFORM', suppressed: true },
    ]);
    await t.http().delete('/v1/suppressions/platform@example.com').set(auth(keyB)).expect(204);
  });

  it('shows the operator every entry, with the service provider it belongs to', async () => {
    const operator = await listAll(t.adminKey);
    expect(operator.map((e) => [e.email, e.scope, e.serviceProviderId])).toEqual(
      expect.arrayContaining([
        ['spam@example.com', 'TENANT', spA],
        ['b-only@example.com', 'TENANT', expect.any(String)],
        ['platform@example.com', 'PLATFORM', null],
        ['bounced-a@example.com', 'PLATFORM', null],
      ]),
    );
    expect(operator.find((e) => e.email === 'bounced-a@example.com')).toMatchObject({
      origin: 'SMTP',
      note: 'hard bounce 550 of message msg-of-tenant-a',
    });
  });

  it('pages with limit and after', async () => {
    for (let i = 0; i < 5; i++) await add(keyB, { email: `page${i}@example.com`, reason: 'MANUAL' }).expect(201);
    const seen: string[] = [];
    let query = '?limit=2';
    for (let pages = 0; pages < 10; pages++) {
      const page = await list(keyB, query);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.email));
      if (!page.next) break;
      query = `?limit=2&after=${page.next}`;
    }
    expect(seen).toEqual(expect.arrayContaining(['page0@example.com', 'page4@example.com', 'b-only@example.com']));
    expect(new Set(seen).size).toBe(seen.length);
    for (const q of ['?after=!!!', '?limit=0', '?limit=5000', '?other=1']) {
      expect([q, (await t.http().get(`/v1/suppressions${q}`).set(auth(keyB))).status]).toEqual([q, 400]);
    }
  });

  it("deletes only in the caller's scope: another tenant's entry is 404, a platform-wide one is 403 for a service provider", async () => {
    await t.http().delete('/v1/suppressions/spam@example.com').set(auth(keyB)).expect(404);
    expect((await list(keyA, '?email=spam@example.com')).items).toHaveLength(1);
    const forbidden = await t.http().delete('/v1/suppressions/platform@example.com').set(auth(keyA)).expect(403);
    expect(forbidden.body.code).toBe('PLATFORM_SUPPRESSION');
    expect(forbidden.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await list(t.adminKey, '?email=platform@example.com')).items).toEqual([
      expect.objectContaining({ email: 'platform@example.com', scope: 'PLATFORM', origin: 'OPERATOR' }),
    ]);
    await t.http().delete('/v1/suppressions/Spam@Example.com').set(auth(keyA)).expect(204);
    await t.http().delete('/v1/suppressions/spam@example.com').set(auth(keyA)).expect(404);
    await t.http().delete('/v1/suppressions/b-only@example.com').set(op()).expect(404);
    await t.http().delete('/v1/suppressions/platform@example.com').set(op()).expect(204);
    await t.http().delete('/v1/suppressions/platform@example.com').set(op()).expect(404);
  });

  it('blocks an address added through the API at the gate: a tenant entry for its own brands, a platform entry for all', async () => {
    await approve(keyA, brandA, 'gated@example.com');
    await approve(keyB, brandB, 'gated@example.com');
    expect((await gate(keyA, brandA, 'gated@example.com')).allowed).toBe(true);

    await add(keyA, { email: 'gated@example.com', reason: 'COMPLAINT' }).expect(201);
    expect(await gate(keyA, brandA, 'gated@example.com')).toMatchObject({ allowed: false, reason: 'SUPPRESSED' });
    expect(await gate(keyA, brandA, 'gated@example.com', 'TRANSACTIONAL')).toMatchObject({
      allowed: false,
      reason: 'SUPPRESSED',
    });
    expect((await gate(keyB, brandB, 'gated@example.com')).allowed).toBe(true);

    await t
      .http()
      .post('/v1/suppressions')
      .set(op())
      .send({ email: 'gated@example.com', reason: 'HARD_BOUNCE' })
      .expect(201);
    expect(await gate(keyB, brandB, 'gated@example.com')).toMatchObject({ allowed: false, reason: 'SUPPRESSED' });

    await t.http().delete('/v1/suppressions/gated@example.com').set(auth(keyA)).expect(204);
    await t.http().delete('/v1/suppressions/gated@example.com').set(op()).expect(204);
    expect((await gate(keyA, brandA, 'gated@example.com')).allowed).toBe(true);
  });

  it('blocks a suppressed address when a campaign is launched', async () => {
    await approve(keyA, brandA, 'launch-ok@example.com');
    await approve(keyA, brandA, 'launch-blocked@example.com');
    await add(keyA, { email: 'launch-blocked@example.com', reason: 'MANUAL' }).expect(201);
    const list = (await t.http().post(`/v1/brands/${brandA}/lists`).set(auth(keyA)).send({ name: 'L' }).expect(201))
      .body;
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(auth(keyA))
      .send([{ email: 'launch-ok@example.com' }, { email: 'launch-blocked@example.com' }])
      .expect(200);
    const tpl = (
      await t
        .http()
        .post(`/v1/brands/${brandA}/templates`)
        .set(auth(keyA))
        .send({ name: 'T', subject: 'S', html: '<p>x</p>' })
        .expect(201)
    ).body;
    const campaign = (
      await t
        .http()
        .post(`/v1/brands/${brandA}/campaigns`)
        .set(auth(keyA))
        .send({ name: 'C', listId: list.id, templateId: tpl.id, purpose: 'PROMOTION' })
        .expect(201)
    ).body;
    const launched = (await t.http().post(`/v1/campaigns/${campaign.id}/launch`).set(auth(keyA)).expect(200)).body;
    expect(launched.counts).toMatchObject({ total: 2, eligible: 1, blocked: { SUPPRESSED: 1 } });
    await t.http().post(`/v1/campaigns/${campaign.id}/cancel`).set(auth(keyA));
  });
});
