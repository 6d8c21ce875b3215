// Conformance: the limits of iys-api.md §8, on by default, each resizable and each switchable off.
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import { BRAND_PATH, SEED, SimClient, codesOf } from '../../apps/iys-simulator/test/conformance-kit';

describe('İYS simulator: rate limits (§8)', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;

  beforeAll(async () => {
    simulator = await startIysSimulator({ port: 0 });
    client = new SimClient(simulator.url);
  });
  afterAll(() => simulator.close());
  beforeEach(async () => {
    await client.sim('POST', '/reset');
    client.forgetTokens();
  });

  const tokenRequest = () => client.request('POST', '/oauth2/token', { body: { grant_type: 'password', ...SEED.hs } });
  const key = { recipient: '+905321112233', type: 'MESAJ', recipientType: 'BIREYSEL' };

  it('§8 limits are on by default: 10/s, 10 tokens/h, 1000 status/h, 100 history/h', async () => {
    const res = await client.sim('GET', '/config');
    expect(res.body.rateLimits).toEqual({
      enabled: true,
      perSecond: 10,
      tokenPerHour: 10,
      statusPerHour: 1000,
      historyPerHour: 100,
    });
  });

  it('H124 more than perSecond requests in one second are 429 with errors[]', async () => {
    const token = await client.token();
    await client.config({ rateLimits: { perSecond: 2 } });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => client.request('GET', `/sps/${SEED.iysCode}/brands`, { token })),
    );
    const limited = answers.filter((a) => a.status === 429);
    // Twelve concurrent requests span a second boundary at most a few times; at 2 per second most are refused.
    expect(limited.length).toBeGreaterThanOrEqual(6);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(limited[0].body).toEqual({ errors: [{ code: 'H124', message: expect.any(String) }] });
  });

  it('H084 the hourly token limit answers 429, and asking again while blocked restarts the hour', async () => {
    await client.config({ rateLimits: { tokenPerHour: 3 } });
    for (let i = 0; i < 3; i++) expect((await tokenRequest()).status).toBe(200);
    const blocked = await tokenRequest();
    expect(blocked.status).toBe(429);
    // Both shapes at once: `errors[]` like the rest of İYS, and the top-level `code` one client reads.
    expect(blocked.body).toEqual({
      code: 'H084',
      message: expect.any(String),
      errors: [{ code: 'H084', message: expect.any(String) }],
    });
    await client.config({ clockOffsetSeconds: 59 * 60 });
    expect((await tokenRequest()).status).toBe(429); // restarts the window at +59 min
    await client.config({ clockOffsetSeconds: 59 * 60 + 59 * 60 });
    expect((await tokenRequest()).status).toBe(429); // an hour after the first refusal, but not after the last
    await client.config({ clockOffsetSeconds: 59 * 60 + 59 * 60 + 61 * 60 });
    expect((await tokenRequest()).status).toBe(200);
  });

  it('H086 single status queries over statusPerHour are 429', async () => {
    await client.config({ rateLimits: { statusPerHour: 2 } });
    await client.hs('POST', `${BRAND_PATH}/consents/status`, key);
    await client.hs('POST', `${BRAND_PATH}/consents/status`, key);
    const res = await client.hs('POST', `${BRAND_PATH}/consents/status`, key);
    expect(res.status).toBe(429);
    expect(codesOf(res.body)).toEqual(['H086']);
    await client.config({ clockOffsetSeconds: 3600 });
    expect((await client.hs('POST', `${BRAND_PATH}/consents/status`, key)).status).not.toBe(429);
  });

  it('H089 history queries over historyPerHour are 429', async () => {
    await client.config({ rateLimits: { historyPerHour: 1 } });
    expect((await client.hs('POST', `${BRAND_PATH}/consents/history`, key)).status).toBe(200);
    const res = await client.hs('POST', `${BRAND_PATH}/consents/history`, key);
    expect(res.status).toBe(429);
    expect(codesOf(res.body)).toEqual(['H089']);
  });

  it('§8 each limit can be switched off with null, and all of them with enabled: false', async () => {
    await client.config({ rateLimits: { tokenPerHour: null, perSecond: null } });
    for (let i = 0; i < 12; i++) expect((await tokenRequest()).status).toBe(200);
    await client.config({ rateLimits: { enabled: false, perSecond: 1, statusPerHour: 1 } });
    const token = await client.token();
    const answers = await Promise.all(
      Array.from({ length: 15 }, () => client.request('POST', `${BRAND_PATH}/consents/status`, { token, body: key })),
    );
    expect(answers.every((a) => a.status !== 429)).toBe(true);
  });
});
