import { startTestApp, TestApp } from '../support/test-app';

describe('HTTP conventions (e2e)', () => {
  let t: TestApp;
  const op = () => ({ Authorization: `Bearer ${t.adminKey}` });
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('answers validation failures with 400 VALIDATION_FAILED naming each field', async () => {
    const res = await t.http().post('/v1/service-providers').set(op()).send({ name: '', iysCode: 'abc' }).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: 'Bad Request' });
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['iysCode', 'name']);
  });

  it('refuses unknown fields', async () => {
    const res = await t
      .http()
      .post('/v1/service-providers')
      .set(op())
      .send({ name: 'A', iysCode: '1', admin: true })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'admin' })]);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await t
      .http()
      .post('/v1/service-providers')
      .set(op())
      .set('content-type', 'application/json')
      .send('{"name": "A",')
      .expect(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('answers an oversized body with 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), iysCode: '1' });
    const res = await t
      .http()
      .post('/v1/service-providers')
      .set(op())
      .set('content-type', 'application/json')
      .send(big);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers header injection attempts in names with 400', async () => {
    const { id } = (
      await t.http().post('/v1/service-providers').set(op()).send({ name: 'Gamma', iysCode: '700100' }).expect(201)
    ).body;
    const res = await t
      .http()
      .post(`/v1/service-providers/${id}/brands`)
      .set(op())
      .send({ name: 'G', brandCode: '700100', fromEmail: 'a@gamma.com', fromName: 'Gamma\r\nBcc: victim@example.com' })
      .expect(400);
    expect(res.body.errors[0].field).toBe('fromName');
  });

  it('keeps an idle keep-alive connection longer than a load balancer would (no reset on a reused connection)', async () => {
    const server = t.izinli.app.getHttpServer() as import('http').Server;
    expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    const res = await t.http().get('/health').set('Connection', 'keep-alive');
    expect(res.headers['keep-alive']).toBe(`timeout=${Math.floor(server.keepAliveTimeout / 1000)}`);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await t.http().get('/v1/nothing-here').set(op()).expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('serves the OpenAPI document generated from the DTOs', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/service-providers', '/v1/brands', '/v1/brands/{brandCode}/consents']),
    );
    expect(res.body.components.schemas.CreateBrandDto.required).toEqual(
      expect.arrayContaining(['name', 'brandCode', 'fromEmail', 'fromName']),
    );
    await t.http().get('/docs').expect(200);
  });

  it('reports database, queue, mail and İYS in /health', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    for (const name of ['database', 'queue', 'mail', 'iys']) expect(res.body.checks[name].status).toBe('up');
  });

  it('serves Prometheus metrics with request counts by route pattern', async () => {
    await t.http().get('/v1/brands').set(op()).expect(200);
    const res = await t.http().get('/metrics').expect(200);
    expect(res.text).toContain('izinli_http_requests_total{method="GET",route="/v1/brands",status="200"}');
    expect(res.text).toContain('izinli_process_cpu_seconds_total');
  });

  it('guards the queue board with the operator key', async () => {
    await t.http().get('/admin/queues').expect(401);
    const res = await t.http().get('/admin/queues').set(op());
    expect([200, 404]).toContain(res.status);
    if (t.config.redis.url) expect(res.status).toBe(200);
  });
});
