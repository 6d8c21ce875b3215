import type { Clock } from '@izinli/consent';
import { RATE_LIMIT_CLOCK } from '../../apps/campaigns/src/common/http/rate-limits';
import { startTestApp, TestApp } from '../support/test-app';

const PUSH_USER = 'iys-push';
const PUSH_PASSWORD = 'push-secret-rate-limits';
const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
// 5 s into a minute: every window here ends 55 s after its first request.
const T0 = Date.UTC(2031, 2, 4, 9, 30, 5);
const API_KEY_CEILING = 30;

/**
 * The request limits over HTTP (README "Security"), on the app's own clock, fixed here. Each test is a client of its
 * own address (X-Forwarded-For from loopback, which TRUST_PROXY's default trusts), so the limits of one do not
 * reach another. The app's defaults apply, except a low per-key ceiling.
 */
describe('request limits against brute force and floods (e2e)', () => {
  let t: TestApp;
  let now = T0;
  let tenantKey: string;

  beforeAll(async () => {
    t = await startTestApp({
      IYS_PUSH_USERNAME: PUSH_USER,
      IYS_PUSH_PASSWORD: PUSH_PASSWORD,
      RATE_LIMIT_API_KEY_PER_MINUTE: String(API_KEY_CEILING),
    });
    jest.spyOn(t.izinli.app.get<Clock>(RATE_LIMIT_CLOCK), 'now').mockImplementation(() => new Date(now));
    tenantKey = await newTenantKey('740001');
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    // A later minute for each test, again 5 s in.
    now = (Math.floor(now / 60_000) + 10) * 60_000 + 5_000;
  });

  async function newTenantKey(iysCode: string): Promise<string> {
    const res = await t
      .http()
      .post('/v1/service-providers')
      .set('Authorization', `Bearer ${t.adminKey}`)
      .set('X-Forwarded-For', '192.0.2.250')
      .send({ name: `Limits ${iysCode}`, iysCode })
      .expect(201);
    return (res.body as { apiKey: string }).apiKey;
  }

  const get = (path: string, from: string, key?: string) => {
    const req = t.http().get(path).set('X-Forwarded-For', from);
    return key === undefined ? req : req.set('Authorization', `Bearer ${key}`);
  };

  it('refuses an address after 20 failed authentications, a correct key too, until the window ends', async () => {
    const from = '203.0.113.10';
    for (let i = 0; i < 20; i++) {
      const res = await get('/v1/brands', from, `izk_sp_forged${i}`);
      expect(res.status).toBe(401);
    }
    const limited = await get('/v1/brands', from, 'izk_sp_forged-21');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('55');
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 55 });

    // The right key from the same address waits as well: a guess that happens to be right gains nothing.
    const right = await get('/v1/brands', from, tenantKey);
    expect(right.status).toBe(429);
    // A request without any key counts as a failure too, and is refused the same way.
    expect((await get('/v1/brands', from)).status).toBe(429);
    // Another address is not affected.
    await get('/v1/brands', '203.0.113.11', tenantKey).expect(200);

    now += 54_000;
    expect((await get('/v1/brands', from, tenantKey)).headers['retry-after']).toBe('1');
    now += 1_000;
    await get('/v1/brands', from, tenantKey).expect(200);
    expect((await get('/v1/brands', from, 'izk_sp_forged-again')).status).toBe(401);
  });

  it('counts only failures: successful requests do not bring an address nearer its limit', async () => {
    const from = '203.0.113.12';
    for (let i = 0; i < 19; i++) expect((await get('/v1/brands', from, `izk_sp_wrong${i}`)).status).toBe(401);
    for (let i = 0; i < 5; i++) await get('/v1/brands', from, tenantKey).expect(200);
    expect((await get('/v1/brands', from, 'izk_sp_wrong-20')).status).toBe(401);
    expect((await get('/v1/brands', from, 'izk_sp_wrong-21')).status).toBe(429);
  });

  it("refuses a key past its per-minute ceiling, whatever the address, and not the other keys' requests", async () => {
    const key = await newTenantKey('740002');
    for (let i = 0; i < API_KEY_CEILING; i++) {
      await get('/v1/brands', `198.51.100.${i}`, key).expect(200);
    }
    const over = await get('/v1/brands', '198.51.100.200', key);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(over.headers['retry-after'])).toBe(55);
    await get('/v1/brands', '198.51.100.200', tenantKey).expect(200);
    now += 55_000;
    await get('/v1/brands', '198.51.100.200', key).expect(200);
  });

  it('refuses an address that floods İYS push with wrong credentials, and counts it with the API keys', async () => {
    const from = '203.0.113.20';
    const push = (authorization: string, who = from) =>
      t.http().post('/iys/push').set('X-Forwarded-For', who).set('Authorization', authorization).send({ list: [] });
    for (let i = 0; i < 20; i++) {
      const res = await push(basic(PUSH_USER, `guess-${i}`));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic/);
    }
    const limited = await push(basic(PUSH_USER, 'guess-21'));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('55');
    expect(limited.headers['www-authenticate']).toBeUndefined();
    expect(limited.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await push(basic(PUSH_USER, PUSH_PASSWORD))).status).toBe(429);
    // One failed-authentication count per address: the API refuses it as well.
    expect((await get('/v1/brands', from, tenantKey)).status).toBe(429);
    // İYS itself, from its own address, still gets through.
    await push(basic(PUSH_USER, PUSH_PASSWORD), '203.0.113.21').expect(200);
  });

  it('refuses a flood of one unsubscribe link, and a flood of links from one address, with the page', async () => {
    const from = '203.0.113.30';
    const page = (token: string, who = from) => t.http().get(`/u/${token}`).set('X-Forwarded-For', who);
    // Per token: 20 a minute.
    for (let i = 0; i < 20; i++) expect((await page('not.a-token')).status).toBeLessThan(429);
    const limited = await page('not.a-token');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('55');
    expect(limited.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(limited.headers['cache-control']).toBe('no-store');
    expect(limited.text).toContain('429');
    // The same token from elsewhere is limited too: the token's own counter is full.
    expect((await page('not.a-token', '203.0.113.31')).status).toBe(429);

    // Per address: 120 a minute, whatever the token (posts count as well).
    for (let i = 21; i < 120; i++) {
      const res =
        i % 2 ? await page(`junk${i}`) : await t.http().post(`/u/junk${i}`).set('X-Forwarded-For', from).type('form');
      expect(res.status).toBeLessThan(429);
    }
    const byAddress = await t.http().post('/u/fresh-token').set('X-Forwarded-For', from).type('form').send({});
    expect(byAddress.status).toBe(429);
    expect(byAddress.headers['retry-after']).toBe('55');
    expect((await page('fresh-token', '203.0.113.32')).status).toBeLessThan(429);
  });
});
