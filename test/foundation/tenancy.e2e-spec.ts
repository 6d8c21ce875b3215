import { startTestApp, TestApp } from '../support/test-app';

/**
 * Tenancy over real HTTP: the operator key manages service providers; each service provider's key reaches only
 * its own brands and consents. Every endpoint that names a brand or an id is tried with the other tenant's key.
 */
describe('tenancy and keys (e2e)', () => {
  let t: TestApp;
  let a: { id: string; apiKey: string };
  let b: { id: string; apiKey: string };
  const op = () => ({ Authorization: `Bearer ${t.adminKey}` });

  beforeAll(async () => {
    t = await startTestApp();
    a = (
      await t
        .http()
        .post('/v1/service-providers')
        .set(op())
        .send({ name: 'Alfa Mağazacılık', iysCode: '700001' })
        .expect(201)
    ).body;
    b = (
      await t
        .http()
        .post('/v1/service-providers')
        .set(op())
        .send({ name: 'Beta Tekstil', iysCode: '700002' })
        .expect(201)
    ).body;
    await t
      .http()
      .post(`/v1/service-providers/${a.id}/brands`)
      .set(op())
      .send({ name: 'Alfa', brandCode: '700001', fromEmail: 'kampanya@alfa.com.tr', fromName: 'Alfa' })
      .expect(201);
    await t
      .http()
      .post(`/v1/service-providers/${b.id}/brands`)
      .set(op())
      .send({ name: 'Beta', brandCode: '700002', fromEmail: 'haber@beta.com.tr', fromName: 'Beta' })
      .expect(201);
  });
  afterAll(() => t?.close());

  it('creates a service provider with a key shown once and stored only as a hash', async () => {
    expect(a.apiKey).toMatch(/^izk_sp_/);
    const rows = await t.db.dataSource.query(
      `SELECT key_hash, key_prefix FROM api_keys WHERE service_provider_id = $1`,
      [a.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).not.toContain(a.apiKey);
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.apiKey.startsWith(rows[0].key_prefix)).toBe(true);
  });

  it('refuses a duplicate iysCode and brandCode with 409', async () => {
    const sp = await t
      .http()
      .post('/v1/service-providers')
      .set(op())
      .send({ name: 'Copy', iysCode: '700001' })
      .expect(409);
    expect(sp.body.code).toBe('IYS_CODE_TAKEN');
    const br = await t
      .http()
      .post(`/v1/service-providers/${b.id}/brands`)
      .set(op())
      .send({ name: 'X', brandCode: '700001', fromEmail: 'x@beta.com.tr', fromName: 'X' })
      .expect(409);
    expect(br.body.code).toBe('BRAND_CODE_TAKEN');
  });

  it('issues additional keys that work, and only the operator may', async () => {
    const { apiKey } = (await t.http().post(`/v1/service-providers/${a.id}/api-keys`).set(op()).expect(201)).body;
    const res = await t.http().get('/v1/brands').set('Authorization', `Bearer ${apiKey}`).expect(200);
    expect(res.body.items.map((x: { brandCode: string }) => x.brandCode)).toEqual(['700001']);
    await t
      .http()
      .post(`/v1/service-providers/${a.id}/api-keys`)
      .set('Authorization', `Bearer ${a.apiKey}`)
      .expect(403);
  });

  it('shows each service provider only its own brands; the operator sees all', async () => {
    const ra = await t.http().get('/v1/brands').set('Authorization', `Bearer ${a.apiKey}`).expect(200);
    const rb = await t.http().get('/v1/brands').set('Authorization', `Bearer ${b.apiKey}`).expect(200);
    const ro = await t.http().get('/v1/brands').set(op()).expect(200);
    expect(ra.body.items.map((x: { brandCode: string }) => x.brandCode)).toEqual(['700001']);
    expect(rb.body.items.map((x: { brandCode: string }) => x.brandCode)).toEqual(['700002']);
    expect(ro.body.items.map((x: { brandCode: string }) => x.brandCode)).toEqual(
      expect.arrayContaining(['700001', '700002']),
    );
  });

  it("answers another tenant's brand exactly like a missing one, on every brand route", async () => {
    const asA = { Authorization: `Bearer ${a.apiKey}` };
    const attempts = [
      t
        .http()
        .post('/v1/brands/700002/consents')
        .set(asA)
        .send({ recipient: 'x@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' }),
      t.http().get('/v1/brands/700002/consents/EPOSTA/x@example.com').set(asA),
      t
        .http()
        .post('/v1/brands/700002/consents/check')
        .set(asA)
        .send({ type: 'EPOSTA', recipients: ['x@example.com'] }),
      t
        .http()
        .post('/v1/brands/999999/consents/check')
        .set(asA)
        .send({ type: 'EPOSTA', recipients: ['x@example.com'] }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    }
    // Nothing was written for brand B.
    const n = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM consent_movements`);
    expect(n[0].n).toBe(0);
  });

  it('keeps service providers off operator endpoints and the operator off tenant endpoints', async () => {
    await t
      .http()
      .post('/v1/service-providers')
      .set('Authorization', `Bearer ${a.apiKey}`)
      .send({ name: 'Nope', iysCode: '700009' })
      .expect(403);
    await t
      .http()
      .post(`/v1/service-providers/${b.id}/brands`)
      .set('Authorization', `Bearer ${a.apiKey}`)
      .send({ name: 'N', brandCode: '700010', fromEmail: 'n@a.com', fromName: 'N' })
      .expect(403);
    await t
      .http()
      .post('/v1/brands/700001/consents/check')
      .set(op())
      .send({ type: 'EPOSTA', recipients: ['x@example.com'] })
      .expect(403);
  });

  it('refuses missing, malformed and unknown keys with 401 problem+json', async () => {
    for (const auth of [undefined, 'Bearer', 'Basic abc', 'Bearer izk_sp_not-a-real-key']) {
      const req = t.http().get('/v1/brands');
      if (auth) req.set('Authorization', auth);
      const res = await req.expect(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('UNAUTHORIZED');
    }
  });

  it('answers an unknown service provider id with 404, not 500', async () => {
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const res = await t.http().post(`/v1/service-providers/${id}/api-keys`).set(op()).expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
  });
});
