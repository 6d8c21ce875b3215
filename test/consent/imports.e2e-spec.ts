import { randomInt } from 'crypto';
import { waitFor } from '@izinli/testing';
import { startTestApp, TestApp } from '../support/test-app';

const HEADER = 'recipient,type,status,source,consentDate,recipientType';

describe('consent imports (e2e)', () => {
  let t: TestApp;
  let key: string;
  let otherKey: string;
  let brandCode: string;
  const op = () => ({ Authorization: `Bearer ${t.adminKey}` });
  // Inside the 3-business-day window whatever day the suite runs on.
  const recent = () => new Date(Date.now() - 5 * 60_000).toISOString();

  async function tenant(name: string) {
    const iysCode = String(randomInt(100_000_000, 999_999_999));
    const sp = (await t.http().post('/v1/service-providers').set(op()).send({ name, iysCode }).expect(201)).body;
    await t
      .http()
      .post(`/v1/service-providers/${sp.id}/brands`)
      .set(op())
      .send({ name, brandCode: iysCode, fromEmail: 'news@example.com', fromName: name })
      .expect(201);
    return { apiKey: sp.apiKey as string, brandCode: iysCode };
  }

  const upload = (body: string, apiKey = key, contentType = 'text/csv; charset=utf-8') =>
    t
      .http()
      .post(`/v1/brands/${brandCode}/consents/imports`)
      .set({ Authorization: `Bearer ${apiKey}` })
      .set('content-type', contentType)
      .send(body);

  const finished = (id: string) =>
    waitFor<Record<string, any>>(
      async () =>
        (
          await t
            .http()
            .get(`/v1/imports/${id}`)
            .set({ Authorization: `Bearer ${key}` })
        ).body,
      (b) => b.status === 'COMPLETED' || b.status === 'FAILED',
      20_000,
    );

  beforeAll(async () => {
    t = await startTestApp();
    const mine = await tenant('Importer');
    key = mine.apiKey;
    brandCode = mine.brandCode;
    otherKey = (await tenant('Someone else')).apiKey;
  });
  afterAll(() => t?.close());

  it('accepts a CSV body with 202, imports the good rows and reports each bad one by line', async () => {
    const body = [
      HEADER,
      `ok1@example.com,EPOSTA,ONAY,HS_WEB,${recent()},`,
      `ok2@example.com,EPOSTA,ONAY,HS_MOBIL,${recent()},BIREYSEL`,
      `not-an-address,EPOSTA,ONAY,HS_WEB,${recent()},`,
      `first-ret@example.com,EPOSTA,RET,HS_WEB,${recent()},`,
      `old@example.com,EPOSTA,ONAY,HS_WEB,2020-01-06 10:00:00,`,
    ].join('\n');
    const res = await upload(body).expect(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const summary = await finished(res.body.id);
    expect(summary).toMatchObject({
      status: 'COMPLETED',
      total: 5,
      accepted: 3,
      rejected: 2,
      firstRefusals: 1,
      next: null,
      iys: { rejected: 0, notRequired: 1 },
    });
    expect(summary.errors.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [4, 'INVALID_EMAIL'],
      [6, 'REGISTRATION_WINDOW_PASSED'],
    ]);
    expect(summary.iys.pending + summary.iys.accepted).toBe(2);
    const consent = await t
      .http()
      .get(`/v1/brands/${brandCode}/consents/EPOSTA/ok1@example.com`)
      .set({ Authorization: `Bearer ${key}` })
      .expect(200);
    expect(consent.body).toMatchObject({ status: 'ONAY', source: 'HS_WEB' });
  });

  it("keeps first refusals and merchants' undated first rows as the API does; the gate blocks the refusals", async () => {
    const body = [
      HEADER,
      `never-seen@example.com,EPOSTA,RET,HS_WEB,${recent()},`,
      `esnaf@example.com,EPOSTA,ONAY,,,TACIR`,
      `esnaf@example.com,EPOSTA,RET,,,TACIR`,
      `esnaf-ret@example.com,EPOSTA,RET,HS_WEB,${recent()},TACIR`,
    ].join('\n');
    const summary = await finished((await upload(body).expect(202)).body.id);
    expect(summary).toMatchObject({ status: 'COMPLETED', total: 4, accepted: 3, rejected: 1, firstRefusals: 2 });
    expect(summary.errors).toEqual([
      { line: 4, code: 'TACIR_CONSENT_DATE_REQUIRED', message: expect.stringMatching(/H462.*H463/) },
    ]);
    const auth = { Authorization: `Bearer ${key}` };
    const esnaf = await t
      .http()
      .get(`/v1/brands/${brandCode}/consents/EPOSTA/esnaf@example.com?recipientType=TACIR`)
      .set(auth)
      .expect(200);
    expect(esnaf.body).toMatchObject({ status: 'ONAY', consentDate: null, source: null });
    const check = async (recipientType: string, recipients: string[]) =>
      (
        await t
          .http()
          .post(`/v1/brands/${brandCode}/consents/check`)
          .set(auth)
          .send({ type: 'EPOSTA', recipientType, recipients })
          .expect(200)
      ).body.results.map((r: { recipient: string; allowed: boolean; reason: string }) => [r.allowed, r.reason]);
    expect(await check('BIREYSEL', ['never-seen@example.com'])).toEqual([[false, 'REFUSED']]);
    expect(await check('TACIR', ['esnaf-ret@example.com', 'esnaf@example.com'])).toEqual([
      [false, 'REFUSED'],
      [true, 'TACIR_NOT_REFUSED'],
    ]);
    // The merchant's record reaches İYS in its first-insert shape; the refusals never do (İYS would answer H175).
    const simulated = await waitFor(
      async () =>
        (
          (await (await fetch(`${t.izinli.iysUrl}/_sim/consents?brandCode=${brandCode}`)).json()) as {
            list: Record<string, unknown>[];
          }
        ).list,
      (list) => list.some((c) => c.recipient === 'esnaf@example.com'),
      20_000,
    );
    const held = simulated.find((c) => c.recipient === 'esnaf@example.com')!;
    expect(held).toMatchObject({ recipientType: 'TACIR', status: 'ONAY' });
    expect(held).not.toHaveProperty('consentDate');
    expect(held).not.toHaveProperty('source');
    expect(simulated.map((c) => c.recipient)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/never-seen|esnaf-ret/)]),
    );
  });

  it('pages the error list with ?limit= and ?after=', async () => {
    const body = [HEADER, ...Array.from({ length: 5 }, (_, i) => `bad${i},EPOSTA,ONAY,HS_WEB,${recent()},`)].join('\n');
    const { id } = (await upload(body).expect(202)).body;
    await finished(id);
    const first = (
      await t
        .http()
        .get(`/v1/imports/${id}?limit=2`)
        .set({ Authorization: `Bearer ${key}` })
        .expect(200)
    ).body;
    expect(first.errors.map((e: { line: number }) => e.line)).toEqual([2, 3]);
    expect(first.rejected).toBe(5);
    const second = (
      await t
        .http()
        .get(`/v1/imports/${id}?limit=2&after=${first.next}`)
        .set({ Authorization: `Bearer ${key}` })
        .expect(200)
    ).body;
    expect(second.errors.map((e: { line: number }) => e.line)).toEqual([4, 5]);
    await t
      .http()
      .get(`/v1/imports/${id}?after=garbage`)
      .set({ Authorization: `Bearer ${key}` })
      .expect(400);
  });

  it("answers another tenant's import, and an unknown one, with the same 404", async () => {
    const { id } = (await upload(`${HEADER}\nx@example.com,EPOSTA,ONAY,HS_WEB,${recent()},\n`).expect(202)).body;
    const theirs = await t
      .http()
      .get(`/v1/imports/${id}`)
      .set({ Authorization: `Bearer ${otherKey}` })
      .expect(404);
    const missing = await t
      .http()
      .get('/v1/imports/00000000-0000-4000-8000-000000000000')
      .set({ Authorization: `Bearer ${key}` })
      .expect(404);
    expect(theirs.body).toEqual(missing.body);
    await t
      .http()
      .get('/v1/imports/not-a-uuid')
      .set({ Authorization: `Bearer ${key}` })
      .expect(404);
    // Nor can another tenant import into this brand.
    await upload(`${HEADER}\n`, otherKey).expect(404);
  });

  it('refuses a body that is not text/csv with 415 and a wrong header with 422', async () => {
    const wrongType = await upload(`${HEADER}\n`, key, 'text/plain').expect(415);
    expect(wrongType.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await upload(`${HEADER}\n`, key, 'text/csv; charset=iso-8859-9').expect(415);
    const badHeader = await upload('email,status\na@example.com,ONAY\n').expect(422);
    expect(badHeader.body).toMatchObject({
      code: 'INVALID_CSV_HEADER',
      detail: expect.stringContaining('missing column(s)'),
    });
    const empty = await upload('').expect(422);
    expect(empty.body.code).toBe('INVALID_CSV_HEADER');
  });

  it('refuses a declared body over the limit with 413 before reading it', async () => {
    const res = await t
      .http()
      .post(`/v1/brands/${brandCode}/consents/imports`)
      .set({ Authorization: `Bearer ${key}`, 'content-type': 'text/csv', 'content-length': String(300 * 1024 * 1024) })
      .send(`${HEADER}\n`)
      .catch((err: { response?: { status: number; body: unknown } }) => err.response);
    expect(res?.status).toBe(413);
  });

  it('lists the import routes in the OpenAPI document', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/brands/{brandCode}/consents/imports', '/v1/imports/{id}']),
    );
    expect(res.body.components.schemas.ImportDto.required).toEqual(expect.arrayContaining(['firstRefusals']));
  });
});
