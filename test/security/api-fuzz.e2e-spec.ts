import type { Clock } from '@izinli/consent';
import { RATE_LIMIT_CLOCK } from '../../apps/campaigns/src/common/http/rate-limits';
import { startTestApp, TestApp } from '../support/test-app';
import { buildFuzzCases, FuzzCase, FuzzContext, OpenApiDocument } from './support/fuzz-cases';

/**
 * Thousands of generated bad requests across the whole API, read from the API's own OpenAPI document (so an
 * endpoint added later is fuzzed without touching this file), plus the public routes the document leaves out.
 * Every answer must be a 4xx or better, never a 5xx; the requests that are bad beyond doubt (no or forged key,
 * another tenant's ids, malformed JSON, unknown or missing fields, values of the wrong kind, junk ids and cursors,
 * bodies over the limit) must be refused with a 4xx. Afterwards the application still answers normally.
 *
 * The cases come from a seeded generator: a failure prints the seed and the requests that failed, and
 * `IZINLI_FUZZ_SEED=<seed>` replays them.
 *
 * The request limits are on, at the values set below. The main run sends each case from an address of its own
 * (X-Forwarded-For, trusted from loopback), so no limit is reached and every case is judged on its content; then the
 * failed-authentication cases and junk unsubscribe links are sent again as a flood from one address each, which
 * must turn into 429s with Retry-After, never a 5xx.
 */
describe('API fuzz: bad requests get 4xx, never 5xx (e2e)', () => {
  const seed = Number(process.env.IZINLI_FUZZ_SEED ?? Date.now() % 1_000_000);
  const MIN_BAD = 5_000;
  const AUTH_FAILURES = 20;
  const UNSUBSCRIBE_PER_IP = 120;
  let t: TestApp;
  let ctx: FuzzContext;

  beforeAll(async () => {
    t = await startTestApp({
      IYS_PUSH_USERNAME: 'iys-push',
      IYS_PUSH_PASSWORD: 'push-secret-1e7c93a5',
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES),
      RATE_LIMIT_API_KEY_PER_MINUTE: '300000',
      RATE_LIMIT_UNSUBSCRIBE_PER_IP_PER_MINUTE: String(UNSUBSCRIBE_PER_IP),
      RATE_LIMIT_UNSUBSCRIBE_PER_TOKEN_PER_MINUTE: '20',
    });
    // One window for the whole run: a minute boundary in the middle of a flood would restart its count.
    jest
      .spyOn(t.izinli.app.get<Clock>(RATE_LIMIT_CLOCK), 'now')
      .mockImplementation(() => new Date(Date.UTC(2031, 0, 6, 8, 0, 0)));
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const a = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Fuzz A', iysCode: '710001' }).expect(201)
    ).body as { id: string; apiKey: string };
    const b = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Fuzz B', iysCode: '710002' }).expect(201)
    ).body as { id: string; apiKey: string };
    await t
      .http()
      .post(`/v1/service-providers/${a.id}/brands`)
      .set(op)
      .send({ name: 'Fuzz A', brandCode: '710001', fromEmail: 'news@fuzz-a.com.tr', fromName: 'Fuzz A' })
      .expect(201);
    await t
      .http()
      .post(`/v1/service-providers/${b.id}/brands`)
      .set(op)
      .send({ name: 'Fuzz B', brandCode: '710002', fromEmail: 'news@fuzz-b.com.tr', fromName: 'Fuzz B' })
      .expect(201);
    const asA = { Authorization: `Bearer ${a.apiKey}` };
    const list = (await t.http().post('/v1/brands/710001/lists').set(asA).send({ name: 'Fuzz list' }).expect(201))
      .body as { id: string };
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(asA)
      .send([{ email: 'fuzz@example.com' }])
      .expect(200);
    const template = (
      await t
        .http()
        .post('/v1/brands/710001/templates')
        .set(asA)
        .send({ name: 'Fuzz', subject: 'Merhaba {{name}}', html: '<p>{{name}}</p>' })
        .expect(201)
    ).body as { id: string };
    const campaign = (
      await t
        .http()
        .post('/v1/brands/710001/campaigns')
        .set(asA)
        .send({ name: 'Fuzz', listId: list.id, templateId: template.id, purpose: 'PROMOTION' })
        .expect(201)
    ).body as { id: string };
    const imp = (
      await t
        .http()
        .post('/v1/brands/710001/consents/imports')
        .set(asA)
        .set('content-type', 'text/csv')
        .send('recipient,type,status,source\nfuzz@example.com,EPOSTA,ONAY,HS_WEB\n')
        .expect(202)
    ).body as { id: string };
    const message = (
      await t
        .http()
        .post('/v1/messages')
        .set(asA)
        .send({
          brandCode: '710001',
          to: 'fuzz@example.com',
          purpose: 'ORDER',
          subject: 'Siparişiniz',
          text: 'Siparişiniz alındı.',
        })
        .expect(202)
    ).body as { id: string };
    const doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
    ctx = {
      doc,
      operatorKey: t.adminKey,
      tenantKey: a.apiKey,
      otherTenantKey: b.apiKey,
      pushAuth: 'Basic ' + Buffer.from('iys-push:push-secret-1e7c93a5').toString('base64'),
      ids: {
        'service-providers': a.id,
        lists: list.id,
        templates: template.id,
        campaigns: campaign.id,
        imports: imp.id,
        messages: message.id,
      },
      brandCode: '710001',
    };
  });
  afterAll(() => t?.close());

  it(`answers at least ${MIN_BAD} generated bad requests with 4xx and never with 5xx`, async () => {
    const cases = buildFuzzCases(ctx, seed, MIN_BAD);
    const operations = new Set(cases.map((c) => `${c.method} ${c.route}`));
    // The document really was read: every route family of the API is in the run.
    for (const route of [
      'POST /v1/messages',
      'GET /v1/messages/{id}',
      'POST /v1/suppressions',
      'POST /v1/brands/{brandCode}/consents',
      'POST /v1/brands/{brandCode}/campaigns',
      'GET /v1/campaigns/{id}/recipients',
      'POST /iys/push',
      'POST /v1/service-providers',
    ]) {
      expect(operations).toContain(route);
    }
    const results = await runAll(t.url, cases, 8, (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const serverErrors = results.filter((r) => r.status >= 500 || r.status === 0);
    const notRefused = results.filter((r) => r.case.expect === '4xx' && (r.status < 400 || r.status >= 500));
    const bad = cases.filter((c) => c.expect === '4xx').length;
    console.log(
      `fuzz seed ${seed}: ${cases.length} requests over ${operations.size} operations, ${bad} bad beyond doubt; status counts ${JSON.stringify(countBy(results.map((r) => r.status)))}`,
    );
    expect(bad).toBeGreaterThanOrEqual(MIN_BAD);
    expect({ seed, serverErrors: serverErrors.slice(0, 10).map(describeResult) }).toEqual({ seed, serverErrors: [] });
    expect({ seed, notRefused: notRefused.slice(0, 10).map(describeResult) }).toEqual({ seed, notRefused: [] });
    // No case was judged by a limit instead of by its content.
    expect(results.filter((r) => r.status === 429).map(describeResult)).toEqual([]);

    // Still alive and still right: the health check and a valid request.
    await t.http().get('/health').expect(200);
    const ok = await t.http().get('/v1/brands').set('Authorization', `Bearer ${ctx.tenantKey}`).expect(200);
    expect(ok.body.items.map((x: { brandCode: string }) => x.brandCode)).toEqual(['710001']);
  }, 240_000);

  it('turns a flood of failed authentications or junk unsubscribe links from one address into 429s', async () => {
    const cases = buildFuzzCases(ctx, seed, MIN_BAD);
    const failedAuth = cases.filter((c) => c.kind === 'auth' || c.kind === 'random key').slice(0, 300);
    // The junk links that reach the limit at all: a body over the size limit or a path that is not valid percent-encoding
    // is refused before any route or middleware runs.
    const junkLinks = cases.filter(
      (c) =>
        (c.route.startsWith('GET /u/') || c.route.startsWith('POST /u/')) &&
        (c.body === undefined || c.body.length < 16_000) &&
        decodes(c.path),
    );
    const links = Array.from({ length: UNSUBSCRIBE_PER_IP + 60 }, (_, i) => junkLinks[i % junkLinks.length]);
    const auth = await runAll(t.url, failedAuth, 8, () => '203.0.113.66');
    const unsubscribe = await runAll(t.url, links, 8, () => '203.0.113.77');
    console.log(
      `fuzz seed ${seed} floods: failed authentication ${JSON.stringify(countBy(auth.map((r) => r.status)))}, unsubscribe links ${JSON.stringify(countBy(unsubscribe.map((r) => r.status)))}`,
    );
    const all = [...auth, ...unsubscribe];
    const serverErrors = all.filter((r) => r.status >= 500 || r.status === 0).map(describeResult);
    expect({ seed, serverErrors }).toEqual({ seed, serverErrors: [] });
    const notRefused = all.filter((r) => r.status < 400).map(describeResult);
    expect({ seed, notRefused }).toEqual({ seed, notRefused: [] });
    // Past the limit everything from the address waits, with a Retry-After inside the window.
    expect(auth.filter((r) => r.status === 401).length).toBeLessThanOrEqual(AUTH_FAILURES);
    expect(auth.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(failedAuth.length - 2 * AUTH_FAILURES);
    expect(unsubscribe.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(UNSUBSCRIBE_PER_IP);
    expect(unsubscribe.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(
      links.length - UNSUBSCRIBE_PER_IP,
    );
    for (const r of all.filter((x) => x.status === 429)) {
      expect(r.retryAfter).toMatch(/^([1-9]|[1-5]\d|60)$/);
      if (r.case.path.startsWith('/u/')) expect(r.body).toMatch(/^<!DOCTYPE html>/);
      else expect(JSON.parse(r.body)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    }
    // The flooding address waits even with the right key; everyone else is served.
    const asTenant = (from: string) =>
      t.http().get('/v1/brands').set('Authorization', `Bearer ${ctx.tenantKey}`).set('X-Forwarded-For', from);
    expect((await asTenant('203.0.113.66')).status).toBe(429);
    await asTenant('203.0.113.67').expect(200);
  }, 120_000);
});

interface FuzzResult {
  case: FuzzCase;
  status: number;
  body: string;
  retryAfter?: string | null;
}

/** Sends every case, `concurrency` at a time, each from the client address `from` gives it. */
async function runAll(
  base: string,
  cases: FuzzCase[],
  concurrency: number,
  from: (index: number) => string,
): Promise<FuzzResult[]> {
  const results: FuzzResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= cases.length) return;
      const c = cases[i];
      try {
        const res = await fetch(base + c.path, {
          method: c.method,
          headers: { ...c.headers, 'x-forwarded-for': from(i) },
          body: c.body,
          redirect: 'manual',
        });
        const body = await res.text();
        results[i] = {
          case: c,
          status: res.status,
          body: body.slice(0, 300),
          retryAfter: res.headers.get('retry-after'),
        };
      } catch (err) {
        // A dropped connection counts as a failure like a 500: the server must answer every request.
        results[i] = { case: c, status: 0, body: String(err) };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

function describeResult(r: FuzzResult): string {
  const body =
    r.case.body === undefined
      ? ''
      : typeof r.case.body === 'string'
        ? r.case.body.slice(0, 160)
        : `<${r.case.body.byteLength} bytes>`;
  return `${r.status} ← ${r.case.method} ${r.case.path.slice(0, 160)} [${r.case.kind}] ${body} → ${r.body.slice(0, 200)}`;
}

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function countBy(xs: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
