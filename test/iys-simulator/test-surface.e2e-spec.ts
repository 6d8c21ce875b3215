// Conformance of the simulator's own test surface (/_sim/, design.md), its fault injection, its request log,
// and the behaviour every İYS path shares (bad JSON, unknown paths, several instances in one process).
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import {
  BRAND_PATH,
  SEED,
  SimClient,
  codesOf,
  consentBody,
  turkeyTime,
  uniquePhone,
} from '../../apps/iys-simulator/test/conformance-kit';

describe('İYS simulator: test surface (/_sim/) and shared behaviour', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;

  beforeAll(async () => {
    simulator = await startIysSimulator({ port: 0, config: { rateLimits: { enabled: false }, pullLagMinutes: 0 } });
    client = new SimClient(simulator.url);
  });
  afterAll(() => simulator.close());
  beforeEach(async () => {
    await client.sim('POST', '/reset');
    client.forgetTokens();
  });

  it('startIysSimulator gives a url without a trailing slash', () => {
    expect(simulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('startIysSimulator rejects (instead of exiting) when its port is taken, and refuses bad knobs', async () => {
    const port = Number(new URL(simulator.url).port);
    await expect(startIysSimulator({ port })).rejects.toThrow(/EADDRINUSE/);
    await expect(startIysSimulator({ config: { pullLagMinutes: -1 } })).rejects.toThrow(/pullLagMinutes/);
  });

  it('_sim/config serves the knobs; PATCH merges and validates (400 naming each problem, nothing applied)', async () => {
    const knobs = await client.sim('GET', '/config');
    expect(knobs.body).toEqual(
      expect.objectContaining({
        rateLimits: expect.objectContaining({ enabled: false }),
        pullLagMinutes: 0,
        batchDelaySeconds: expect.any(Number),
        allowRepeatedOnay: true,
        enforceThreeBusinessDays: true,
        unknownStatusAnswer: 'NOT_FOUND',
        clockOffsetSeconds: 0,
        holidays: expect.arrayContaining(['2026-10-29', '2027-01-01']),
      }),
    );
    const patched = await client.sim('PATCH', '/config', { batchDelaySeconds: 5, rateLimits: { tokenPerHour: 100 } });
    expect(patched.body.batchDelaySeconds).toBe(5);
    expect(patched.body.rateLimits).toEqual(expect.objectContaining({ enabled: false, tokenPerHour: 100 }));
    const bad = await client.sim('PATCH', '/config', { batchDelaySeconds: -1, pullLag: 3 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(['batchDelaySeconds must be a number >= 0', 'pullLag is not a knob']);
    expect((await client.sim('GET', '/config')).body.batchDelaySeconds).toBe(5);
  });

  it('_sim/reset returns to the seeded accounts and the start-up knobs, dropping consents and tokens', async () => {
    const token = await client.token();
    await client.hs('POST', `${BRAND_PATH}/consents`, consentBody());
    await client.sim('PATCH', '/config', { pullLagMinutes: 30 });
    expect((await client.sim('POST', '/reset')).body).toEqual({ reset: true });
    expect((await client.sim('GET', '/consents')).body).toEqual({ list: [] });
    expect((await client.sim('GET', '/config')).body.pullLagMinutes).toBe(0);
    expect((await client.request('GET', `/sps/${SEED.iysCode}/brands`, { token })).status).toBe(401);
  });

  it('_sim/service-providers adds an HS with brands and users (201); its user can log in; a taken brandCode is 409', async () => {
    const res = await client.sim('POST', '/service-providers', {
      iysCode: 400001,
      title: 'YENİ HS A.Ş.',
      brands: [
        { brandCode: 400001, name: 'Ana' },
        { brandCode: 400002, name: 'Alt' },
      ],
      users: [{ username: 'yeni', password: 'pw' }],
    });
    expect(res.status).toBe(201);
    expect(res.body.brands).toEqual([
      { brandCode: 400001, name: 'Ana', master: true },
      { brandCode: 400002, name: 'Alt', master: false },
    ]);
    const brands = await client.as({ username: 'yeni', password: 'pw' }, 'GET', '/sps/400001/brands');
    expect(brands.body.map((b: { brandCode: number }) => b.brandCode)).toEqual([400001, 400002]);
    const taken = await client.sim('POST', '/service-providers', {
      iysCode: 400009,
      brands: [{ brandCode: 400001, name: 'X' }],
    });
    expect(taken.status).toBe(409);
    const invalid = await client.sim('POST', '/service-providers', { iysCode: 'x', extra: true });
    expect(invalid.status).toBe(400);
  });

  it('_sim/integrators adds an integrator authorised per brand and type', async () => {
    const res = await client.sim('POST', '/integrators', {
      integratorCode: 900010,
      users: [{ username: 'ortak', password: 'pw' }],
      authorisations: [{ iysCode: SEED.iysCode, brandCode: SEED.subBrandCode, types: ['EPOSTA'] }],
    });
    expect(res.status).toBe(201);
    const listing = await client.as({ username: 'ortak', password: 'pw' }, 'GET', '/integrator/900010/sps');
    expect(listing.body.list).toEqual([expect.objectContaining({ brandCode: SEED.subBrandCode, EPOSTA: 'write' })]);
    expect(listing.body.list[0]).not.toHaveProperty('MESAJ');
    const unknownBrand = await client.sim('POST', '/integrators', {
      integratorCode: 900011,
      authorisations: [{ iysCode: 1, brandCode: 1 }],
    });
    expect(unknownBrand.status).toBe(409);
  });

  it('_sim/movements records a citizen-side movement bypassing HS rules; it shows in /_sim/consents, C4 and pull', async () => {
    const recipient = uniquePhone();
    const res = await client.sim('POST', '/movements', {
      iysCode: SEED.iysCode,
      brandCode: SEED.brandCode,
      recipient,
      type: 'MESAJ',
      status: 'RET',
      source: 'IYS_KISAMESAJ',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(
      expect.objectContaining({
        recipient,
        status: 'RET',
        source: 'IYS_KISAMESAJ',
        transactionId: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    );
    const consents = await client.sim('GET', `/consents?iysCode=${SEED.iysCode}&brandCode=${SEED.brandCode}`);
    expect(consents.body.list).toEqual([
      expect.objectContaining({
        iysCode: SEED.iysCode,
        brandCode: SEED.brandCode,
        recipient,
        status: 'RET',
        source: 'IYS_KISAMESAJ',
      }),
    ]);
    const status = await client.hs('POST', `${BRAND_PATH}/consents/status`, {
      recipient,
      type: 'MESAJ',
      recipientType: 'BIREYSEL',
    });
    expect(status.body.status).toBe('RET');
    const pull = await client.hs('GET', `${BRAND_PATH}/consents/changes?source=IYS`);
    expect(pull.body.list).toEqual([expect.objectContaining({ recipient, transactionId: res.body.transactionId })]);
    const hsSource = await client.sim('POST', '/movements', {
      iysCode: SEED.iysCode,
      brandCode: SEED.brandCode,
      recipient,
      type: 'MESAJ',
      status: 'RET',
      source: 'HS_WEB',
    });
    expect(hsSource.status).toBe(400);
  });

  it('_sim/faults latencyMs delays İYS answers but never the test surface', async () => {
    await client.sim('POST', '/faults', { latencyMs: 500 });
    const started = Date.now();
    await client.request('GET', `/sps/${SEED.iysCode}/brands`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(480);
    const simStarted = Date.now();
    await client.sim('GET', '/faults');
    expect(Date.now() - simStarted).toBeLessThan(450);
  });

  it('_sim/faults errorRate answers with the chosen codes and their own HTTP statuses', async () => {
    const token = await client.token();
    await client.sim('POST', '/faults', { errorRate: 1, errorCodes: ['H192'] });
    const res = await client.request('GET', `/sps/${SEED.iysCode}/brands`, { token });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ errors: [{ code: 'H192', message: expect.any(String) }] });
    await client.sim('DELETE', '/faults');
    expect((await client.request('GET', `/sps/${SEED.iysCode}/brands`, { token })).status).toBe(200);
    expect((await client.sim('POST', '/faults', { errorRate: 2 })).status).toBe(400);
  });

  it('_sim/faults tooManyRequestsFor answers 429 H124 for that many seconds', async () => {
    await client.sim('POST', '/faults', { tooManyRequestsFor: 0.3 });
    const res = await client.request('GET', `/sps/${SEED.iysCode}/brands`);
    expect(res.status).toBe(429);
    expect(codesOf(res.body)).toEqual(['H124']);
    await new Promise((r) => setTimeout(r, 350));
    expect((await client.request('GET', `/sps/${SEED.iysCode}/brands`)).status).toBe(401);
  });

  it('_sim/faults outageSeconds resets every connection to İYS paths for that long', async () => {
    await client.sim('POST', '/faults', { outageSeconds: 0.3 });
    await expect(client.request('GET', `/sps/${SEED.iysCode}/brands`)).rejects.toThrow();
    expect((await client.sim('GET', '/faults')).body.outageUntil).not.toBeNull();
    await new Promise((r) => setTimeout(r, 350));
    expect((await client.request('GET', `/sps/${SEED.iysCode}/brands`)).status).toBe(401);
  });

  it('_sim/requests logs İYS requests (method, path, body, status, time, codes), newest last, without secrets or /_sim/ calls', async () => {
    await client.token();
    await client.hs('POST', `${BRAND_PATH}/consents`, { bad: true });
    const res = await client.sim('GET', '/requests');
    expect(res.body.list).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/oauth2/token',
        status: 200,
        body: expect.objectContaining({ password: '***' }),
        time: expect.any(String),
      }),
      expect.objectContaining({
        method: 'POST',
        path: `${BRAND_PATH}/consents`,
        status: 422,
        body: { bad: true },
        codes: expect.arrayContaining(['H118']),
        username: 'izinli',
      }),
    ]);
  });

  it('_sim clockOffsetSeconds moves the simulated "now" seen in creationDate', async () => {
    await client.config({ clockOffsetSeconds: -86_400 });
    const res = await client.hs(
      'POST',
      `${BRAND_PATH}/consents`,
      consentBody({ consentDate: turkeyTime(Date.now() - 86_400_000 - 60_000) }),
    );
    expect(res.status).toBe(200);
    const yesterday = turkeyTime(Date.now() - 86_400_000).slice(0, 10);
    expect(res.body.creationDate.slice(0, 10)).toBe(yesterday);
  });

  it('H014 a body that is not JSON is 400', async () => {
    const res = await client.request('POST', `${BRAND_PATH}/consents`, {
      raw: '{"recipient":',
      token: await client.token(),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ errors: [{ code: 'H014', message: expect.any(String) }] });
  });

  it("an unknown İYS path is 404 in İYS's error shape", async () => {
    const res = await client.request('GET', '/sps/100001/consents/count');
    expect(res.status).toBe(404);
    expect(codesOf(res.body)).toEqual(['SIM404']);
  });

  it('several simulators in one process keep separate state', async () => {
    const other = await startIysSimulator({ port: 0, config: { rateLimits: { enabled: false } } });
    try {
      const otherClient = new SimClient(other.url);
      await client.hs('POST', `${BRAND_PATH}/consents`, consentBody());
      expect((await client.sim('GET', '/consents')).body.list).toHaveLength(1);
      expect((await otherClient.sim('GET', '/consents')).body.list).toHaveLength(0);
      const token = await client.token();
      expect((await otherClient.request('GET', `/sps/${SEED.iysCode}/brands`, { token })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
