import { startTestApp, TestApp } from '../support/test-app';

/**
 * Tenancy and validation of the audience, template and campaign routes. Every route that names an id is tried
 * with another tenant's key (answered exactly like a missing id) and with a malformed id; every body is tried
 * with what a client may get wrong. Nothing here may answer 500.
 */
describe('campaign API: tenancy and validation (e2e)', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  const asA = () => ({ Authorization: `Bearer ${a}` });
  const asB = () => ({ Authorization: `Bearer ${b}` });
  const op = () => ({ Authorization: `Bearer ${t.adminKey}` });
  let listId: string;
  let templateId: string;
  let campaignId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const spA = (
      await t.http().post('/v1/service-providers').set(op()).send({ name: 'A', iysCode: '730001' }).expect(201)
    ).body;
    const spB = (
      await t.http().post('/v1/service-providers').set(op()).send({ name: 'B', iysCode: '730002' }).expect(201)
    ).body;
    a = spA.apiKey;
    b = spB.apiKey;
    await t
      .http()
      .post(`/v1/service-providers/${spA.id}/brands`)
      .set(op())
      .send({ name: 'A', brandCode: '730001', fromEmail: 'a@a.com.tr', fromName: 'A' })
      .expect(201);
    await t
      .http()
      .post(`/v1/service-providers/${spA.id}/brands`)
      .set(op())
      .send({ name: 'A2', brandCode: '730011', fromEmail: 'a2@a.com.tr', fromName: 'A2' })
      .expect(201);
    await t
      .http()
      .post(`/v1/service-providers/${spB.id}/brands`)
      .set(op())
      .send({ name: 'B', brandCode: '730002', fromEmail: 'b@b.com.tr', fromName: 'B' })
      .expect(201);
    listId = (await t.http().post('/v1/brands/730001/lists').set(asA()).send({ name: 'A listesi' }).expect(201)).body
      .id;
    await t
      .http()
      .post(`/v1/lists/${listId}/contacts`)
      .set(asA())
      .send([{ email: 'x@example.com' }])
      .expect(200);
    templateId = (
      await t
        .http()
        .post('/v1/brands/730001/templates')
        .set(asA())
        .send({ name: 'T', subject: 'S', html: '<p>x</p>' })
        .expect(201)
    ).body.id;
    campaignId = (
      await t
        .http()
        .post('/v1/brands/730001/campaigns')
        .set(asA())
        .send({ name: 'C', listId, templateId, purpose: 'NEWSLETTER' })
        .expect(201)
    ).body.id;
  });
  afterAll(() => t?.close());

  const idRoutes = (id: { list: string; template: string; campaign: string }, auth: Record<string, string>) => [
    t.http().get(`/v1/lists/${id.list}`).set(auth),
    t
      .http()
      .post(`/v1/lists/${id.list}/contacts`)
      .set(auth)
      .send([{ email: 'y@example.com' }]),
    t
      .http()
      .post(`/v1/lists/${id.list}/contacts`)
      .set(auth)
      .set('content-type', 'text/csv')
      .send('email\ny@example.com\n'),
    t.http().get(`/v1/templates/${id.template}`).set(auth),
    t.http().post(`/v1/templates/${id.template}/preview`).set(auth).send({ data: {} }),
    t.http().get(`/v1/campaigns/${id.campaign}`).set(auth),
    t.http().get(`/v1/campaigns/${id.campaign}/recipients`).set(auth),
    t.http().post(`/v1/campaigns/${id.campaign}/launch`).set(auth),
    t.http().post(`/v1/campaigns/${id.campaign}/pause`).set(auth),
    t.http().post(`/v1/campaigns/${id.campaign}/resume`).set(auth),
    t.http().post(`/v1/campaigns/${id.campaign}/cancel`).set(auth),
  ];

  it("answers another tenant's list, template and campaign exactly like missing ones, on every id route, and changes nothing", async () => {
    const own = { list: listId, template: templateId, campaign: campaignId };
    const missing = {
      list: '00000000-0000-4000-8000-000000000000',
      template: '00000000-0000-4000-8000-000000000001',
      campaign: '00000000-0000-4000-8000-000000000002',
    };
    const foreign = await Promise.all(idRoutes(own, asB()));
    const absent = await Promise.all(idRoutes(missing, asA()));
    for (let i = 0; i < foreign.length; i++) {
      expect([foreign[i].status, foreign[i].body.code]).toEqual([404, 'NOT_FOUND']);
      expect(foreign[i].body.detail).toBe(absent[i].body.detail);
      expect(absent[i].status).toBe(404);
    }
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM contacts WHERE list_id = $1`, [listId]);
    expect(n).toBe(1);
    expect((await t.http().get(`/v1/campaigns/${campaignId}`).set(asA()).expect(200)).body.status).toBe('DRAFT');
  });

  it('answers malformed ids with 404, never 500', async () => {
    const res = await Promise.all(idRoutes({ list: 'nope', template: "1' OR '1'='1", campaign: '123' }, asA()));
    for (const r of res) expect([r.status, r.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it("refuses another tenant's brand on every brand route, and a campaign naming another brand's list or template", async () => {
    const attempts = await Promise.all([
      t.http().post('/v1/brands/730001/lists').set(asB()).send({ name: 'x' }),
      t.http().post('/v1/brands/730001/templates').set(asB()).send({ name: 'x', subject: 's', html: 'h' }),
      t
        .http()
        .post('/v1/brands/730001/campaigns')
        .set(asB())
        .send({ name: 'x', listId, templateId, purpose: 'PROMOTION' }),
    ]);
    for (const r of attempts) expect([r.status, r.body.code]).toEqual([404, 'NOT_FOUND']);
    const crossTenant = await t
      .http()
      .post('/v1/brands/730002/campaigns')
      .set(asB())
      .send({ name: 'x', listId, templateId, purpose: 'PROMOTION' })
      .expect(422);
    expect(crossTenant.body).toMatchObject({
      code: 'UNKNOWN_REFERENCE',
      errors: [{ field: 'listId' }, { field: 'templateId' }],
    });
    // Same tenant, other brand: a campaign's list and template must be its brand's.
    const crossBrand = await t
      .http()
      .post('/v1/brands/730011/campaigns')
      .set(asA())
      .send({ name: 'x', listId, templateId, purpose: 'PROMOTION' })
      .expect(422);
    expect(crossBrand.body.errors.map((e: { field: string }) => e.field)).toEqual(['listId', 'templateId']);
  });

  it('keeps the operator key off tenant routes', async () => {
    await t.http().get(`/v1/campaigns/${campaignId}`).set(op()).expect(403);
    await t.http().post('/v1/brands/730001/lists').set(op()).send({ name: 'x' }).expect(403);
    await t.http().get(`/v1/lists/${listId}`).expect(401);
  });

  it.each([
    ['/v1/brands/730001/lists', {}, 'name'],
    ['/v1/brands/730001/lists', { name: 'a\nb' }, 'name'],
    ['/v1/brands/730001/lists', { name: 'x', extra: 1 }, 'extra'],
    ['/v1/brands/730001/templates', { name: 'x', subject: 's' }, 'html'],
    ['/v1/brands/730001/templates', { name: 'x', subject: 's', html: 'h', layout: 'fancy' }, 'layout'],
    ['/v1/brands/730001/templates', { name: 'x', subject: 's'.repeat(999), html: 'h' }, 'subject'],
    [
      '/v1/brands/730001/campaigns',
      { name: 'x', listId: 'nope', templateId: '00000000-0000-4000-8000-000000000001', purpose: 'PROMOTION' },
      'listId',
    ],
    [
      '/v1/brands/730001/campaigns',
      {
        name: 'x',
        listId: '00000000-0000-4000-8000-000000000000',
        templateId: '00000000-0000-4000-8000-000000000001',
        purpose: 'SPAM',
      },
      'purpose',
    ],
    [
      '/v1/brands/730001/campaigns',
      {
        name: 'x',
        listId: '00000000-0000-4000-8000-000000000000',
        templateId: '00000000-0000-4000-8000-000000000001',
        purpose: 'PROMOTION',
        ratePerSecond: 0,
      },
      'ratePerSecond',
    ],
    [
      '/v1/brands/730001/campaigns',
      {
        name: 'x',
        listId: '00000000-0000-4000-8000-000000000000',
        templateId: '00000000-0000-4000-8000-000000000001',
        purpose: 'PROMOTION',
        ratePerSecond: '10',
      },
      'ratePerSecond',
    ],
    [
      '/v1/brands/730001/campaigns',
      {
        name: 'x',
        listId: '00000000-0000-4000-8000-000000000000',
        templateId: '00000000-0000-4000-8000-000000000001',
        purpose: 'PROMOTION',
        sendAt: '2026-12-01 09:00',
      },
      'sendAt',
    ],
  ])('refuses POST %s with %j naming %s', async (path, body, field) => {
    const res = await t.http().post(path).set(asA()).send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses a schedule more than a year ahead, bad query parameters and a foreign cursor', async () => {
    const far = await t
      .http()
      .post('/v1/brands/730001/campaigns')
      .set(asA())
      .send({ name: 'x', listId, templateId, purpose: 'PROMOTION', sendAt: '2099-01-01T00:00:00Z' })
      .expect(400);
    expect(far.body.errors[0].field).toBe('sendAt');
    for (const q of ['status=DONE', 'limit=0', 'limit=5000', 'after=%%%', 'after=eyJ4IjoxfQ']) {
      const res = await t.http().get(`/v1/campaigns/${campaignId}/recipients?${q}`).set(asA()).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    await t
      .http()
      .post(`/v1/templates/${templateId}/preview`)
      .set(asA())
      .send({ data: [1, 2] })
      .expect(400);
    await t.http().post(`/v1/templates/${templateId}/preview`).set(asA()).send({ data: 'x' }).expect(400);
  });

  it('answers malformed JSON and oversized bodies as client errors', async () => {
    await t
      .http()
      .post(`/v1/lists/${listId}/contacts`)
      .set(asA())
      .set('content-type', 'application/json')
      .send('[{"email": ')
      .expect(400);
    const huge = JSON.stringify([{ email: 'a@example.com', data: { x: 'y'.repeat(1_100_000) } }]);
    await t
      .http()
      .post(`/v1/lists/${listId}/contacts`)
      .set(asA())
      .set('content-type', 'application/json')
      .send(huge)
      .expect(413);
    const many = Array.from({ length: 10_001 }, (_, i) => ({ email: `m${i}@e.io` }));
    const tooMany = await t.http().post(`/v1/lists/${listId}/contacts`).set(asA()).send(many);
    expect([400, 413]).toContain(tooMany.status);
  });
});
