import { startTestApp, TestApp } from '../support/test-app';

/**
 * Tenancy over real HTTP: the operator key manages service providers; each service provider's key reaches only
 * its own brands and consents. Every endpoint that names a brand or an id is tried with the other tenant's key.
 */
describe('tenancy and keys (e2e)', () => {
  let t: TestApp;
  let a: { id: string; apiKey: string; apiKeyId: string };
  let b: { id: string; apiKey: string; apiKeyId: string };
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

  interface KeyItem {
    id: string;
    name: string | null;
    prefix: string;
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
    current: boolean;
  }
  const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
  const brandsWith = (key: string) => t.http().get('/v1/brands').set(bearer(key));
  const listKeys = async (path: string, auth: Record<string, string>) => {
    const items: KeyItem[] = [];
    let query = '?limit=1';
    for (let pages = 0; pages < 50; pages++) {
      const res = await t.http().get(`${path}${query}`).set(auth).expect(200);
      items.push(...(res.body.items as KeyItem[]));
      if (!res.body.next) return items;
      query = `?limit=1&after=${res.body.next}`;
    }
    throw new Error('too many pages');
  };

  it('rotates keys: several live keys work at once; the list shows ids, prefixes and times, never a key or its hash', async () => {
    const created = (
      await t.http().post(`/v1/service-providers/${a.id}/api-keys`).set(op()).send({ name: 'deploy 2' }).expect(201)
    ).body;
    expect(created).toMatchObject({
      id: expect.any(String),
      name: 'deploy 2',
      apiKey: expect.stringMatching(/^izk_sp_/),
    });
    expect(created.apiKey.startsWith(created.prefix)).toBe(true);
    await brandsWith(a.apiKey).expect(200);
    await brandsWith(created.apiKey).expect(200);
    const keys = await listKeys(`/v1/service-providers/${a.id}/api-keys`, op());
    expect(keys.map((k) => k.id)).toEqual(expect.arrayContaining([created.id]));
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const [{ key_hash: hash }] = await t.db.dataSource.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [
      created.id,
    ]);
    const text = JSON.stringify(keys);
    expect(text).not.toContain(created.apiKey);
    expect(text).not.toContain(a.apiKey);
    expect(text).not.toContain(hash);
    const mine = keys.find((k) => k.id === created.id)!;
    expect(mine).toEqual({
      id: created.id,
      name: 'deploy 2',
      prefix: created.prefix,
      createdAt: created.createdAt,
      lastUsedAt: expect.any(String),
      revokedAt: null,
      current: false,
    });
    expect(Date.parse(mine.lastUsedAt!)).toBeGreaterThanOrEqual(Date.parse(mine.createdAt));
    for (const body of [{ name: '' }, { name: 'a\nb' }, { name: 'n'.repeat(101) }, { other: 1 }]) {
      const res = await t.http().post(`/v1/service-providers/${a.id}/api-keys`).set(op()).send(body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
    }
  });

  it('revokes a key at once: the very next request with it is 401, the other keys keep working; again is 204', async () => {
    const k = (await t.http().post(`/v1/service-providers/${a.id}/api-keys`).set(op()).expect(201)).body;
    // Used first, so this process holds an answer for it.
    await brandsWith(k.apiKey).expect(200);
    await brandsWith(k.apiKey).expect(200);
    await t.http().delete(`/v1/service-providers/${a.id}/api-keys/${k.id}`).set(op()).expect(204);
    const refused = await brandsWith(k.apiKey).expect(401);
    expect(refused.body.code).toBe('UNAUTHORIZED');
    await brandsWith(a.apiKey).expect(200);
    await t.http().delete(`/v1/service-providers/${a.id}/api-keys/${k.id}`).set(op()).expect(204);
    const listed = (await listKeys(`/v1/service-providers/${a.id}/api-keys`, op())).find((x) => x.id === k.id)!;
    expect(listed.revokedAt).toEqual(expect.any(String));
    // Another service provider's key, an unknown one, a malformed id: 404, and nothing revoked.
    const bKey = (await t.http().post(`/v1/service-providers/${b.id}/api-keys`).set(op()).expect(201)).body;
    for (const keyId of [bKey.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await t.http().delete(`/v1/service-providers/${a.id}/api-keys/${keyId}`).set(op()).expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
    }
    await brandsWith(bKey.apiKey).expect(200);
    await t.http().get(`/v1/service-providers/${a.id}/api-keys`).set(bearer(a.apiKey)).expect(403);
    await t.http().delete(`/v1/service-providers/${a.id}/api-keys/${k.id}`).set(bearer(a.apiKey)).expect(403);
  });

  it('lets a service provider rotate its own keys with its own key, but never revoke its last live one', async () => {
    const c = (
      await t.http().post('/v1/service-providers').set(op()).send({ name: 'Gama', iysCode: '700003' }).expect(201)
    ).body;
    const next = (await t.http().post('/v1/api-keys').set(bearer(c.apiKey)).send({ name: 'next' }).expect(201)).body;
    let own = await listKeys('/v1/api-keys', bearer(next.apiKey));
    expect(own.map((k) => [k.id, k.current])).toEqual([
      [c.apiKeyId, false],
      [next.id, true],
    ]);
    // The new key revokes the old one; the old one is refused on its very next request.
    await brandsWith(c.apiKey).expect(200);
    await t.http().delete(`/v1/api-keys/${c.apiKeyId}`).set(bearer(next.apiKey)).expect(204);
    await brandsWith(c.apiKey).expect(401);
    await t.http().get('/v1/api-keys').set(bearer(c.apiKey)).expect(401);
    const last = await t.http().delete(`/v1/api-keys/${next.id}`).set(bearer(next.apiKey)).expect(409);
    expect(last.body.code).toBe('LAST_API_KEY');
    await brandsWith(next.apiKey).expect(200);
    // Another tenant's keys are not there to see or revoke.
    own = await listKeys('/v1/api-keys', bearer(next.apiKey));
    expect(own.map((k) => k.id)).toEqual([c.apiKeyId, next.id]);
    await t.http().delete(`/v1/api-keys/${a.apiKeyId}`).set(bearer(next.apiKey)).expect(404);
    await brandsWith(a.apiKey).expect(200);
    await t.http().get('/v1/api-keys').set(op()).expect(403);
    await t.http().get('/v1/api-keys?after=!!!').set(bearer(next.apiKey)).expect(400);
  });

  it('holds at most 20 live keys per service provider (409 TOO_MANY_API_KEYS)', async () => {
    const d = (
      await t.http().post('/v1/service-providers').set(op()).send({ name: 'Delta', iysCode: '700004' }).expect(201)
    ).body;
    for (let i = 1; i < 20; i++) await t.http().post('/v1/api-keys').set(bearer(d.apiKey)).send({}).expect(201);
    const full = await t.http().post('/v1/api-keys').set(bearer(d.apiKey)).send({}).expect(409);
    expect(full.body.code).toBe('TOO_MANY_API_KEYS');
    await t.http().post(`/v1/service-providers/${d.id}/api-keys`).set(op()).expect(409);
    const extra = (await listKeys('/v1/api-keys', bearer(d.apiKey))).find((k) => !k.current)!;
    await t.http().delete(`/v1/api-keys/${extra.id}`).set(bearer(d.apiKey)).expect(204);
    await t.http().post('/v1/api-keys').set(bearer(d.apiKey)).send({}).expect(201);
  });

  it('answers an unknown service provider id with 404, not 500', async () => {
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      for (const res of [
        await t.http().post(`/v1/service-providers/${id}/api-keys`).set(op()).expect(404),
        await t.http().get(`/v1/service-providers/${id}/api-keys`).set(op()).expect(404),
      ]) {
        expect(res.body.code).toBe('NOT_FOUND');
      }
    }
  });
});
