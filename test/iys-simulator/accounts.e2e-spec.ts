// Conformance: brands (B1), integrator listings (B2, B3), subscriptions (S1, S2), the subscription gates and the
// authorisation answers of every data call (iys-api.md §5.9, rule 16).
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import { BRAND_PATH, SEED, SimClient, codesOf, consentBody } from '../../apps/iys-simulator/test/conformance-kit';

describe('İYS simulator: brands, integrators and subscriptions (B1–B3, S1, S2)', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;

  beforeAll(async () => {
    simulator = await startIysSimulator({ port: 0, config: { rateLimits: { enabled: false } } });
    client = new SimClient(simulator.url);
  });
  afterAll(() => simulator.close());
  beforeEach(async () => {
    await client.sim('POST', '/reset');
    client.forgetTokens();
  });

  /** A second HS with its own user, to flip its subscription without touching the seed. */
  async function otherHs(
    subscription: Record<string, unknown> | null,
  ): Promise<{ username: string; password: string }> {
    await client.sim('POST', '/service-providers', {
      iysCode: 300001,
      title: 'DİĞER A.Ş.',
      brands: [{ brandCode: 300001, name: 'Diğer' }],
      users: [{ username: 'other-hs', password: 'pw' }],
      subscription,
    });
    return { username: 'other-hs', password: 'pw' };
  }

  it("B1 lists the HS's brands with master flag and consent and retailer stats", async () => {
    await client.hs('POST', `${BRAND_PATH}/consents`, consentBody());
    const res = await client.hs('GET', `/sps/${SEED.iysCode}/brands`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        brandCode: 100001,
        name: 'Izinli Demo',
        master: true,
        stats: { consents: { approval: 1, rejection: 0, total: 1 }, retailers: { total: 1 } },
      },
      {
        brandCode: 100002,
        name: expect.any(String),
        master: false,
        stats: { consents: { approval: 0, rejection: 0, total: 0 }, retailers: { total: 0 } },
      },
    ]);
  });

  it('B2 lists every brand authorised to the integrator as { pagination, list } with per-type rights', async () => {
    const res = await client.integrator('GET', `/integrator/${SEED.integratorCode}/sps?offset=0&limit=1`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      pagination: { offset: 0, pageSize: 1, totalCount: 2 },
      list: [
        {
          brandCode: 100001,
          name: 'Izinli Demo',
          master: true,
          title: expect.any(String),
          iysCode: 100001,
          agreementControl: true,
          ARAMA: 'write',
          MESAJ: 'write',
          EPOSTA: 'write',
          viaControl: false,
        },
      ],
    });
  });

  it('B3 lists the authorised brands of one HS; an HS not authorising the integrator is 403 H353', async () => {
    const res = await client.integrator('GET', `/integrator/${SEED.integratorCode}/sps/${SEED.iysCode}`);
    expect(res.status).toBe(200);
    expect(res.body.list.map((b: { brandCode: number }) => b.brandCode)).toEqual([100001, 100002]);
    await otherHs({});
    const other = await client.integrator('GET', `/integrator/${SEED.integratorCode}/sps/300001`);
    expect(other.status).toBe(403);
    expect(codesOf(other.body)).toEqual(['H353']);
  });

  it("H522 an HS user calling an integrator-only endpoint is 400; another integrator's code is 403 H353", async () => {
    const hs = await client.hs('GET', `/integrator/${SEED.integratorCode}/sps`);
    expect(hs.status).toBe(400);
    expect(codesOf(hs.body)).toEqual(['H522']);
    const foreign = await client.integrator('GET', '/integrator/900099/sps');
    expect(foreign.status).toBe(403);
    expect(foreign.body.errors[0]).toEqual(expect.objectContaining({ code: 'H353', location: ['integratorCode'] }));
  });

  it('S1 the HS sees its subscription with consent quota fields; an integrator sees it without them', async () => {
    await client.hs('POST', `${BRAND_PATH}/consents`, consentBody());
    const hs = await client.hs('GET', `/sps/${SEED.iysCode}/subscription`);
    expect(hs.status).toBe(200);
    expect(hs.body).toEqual({
      subscriptionId: expect.any(String),
      startDate: expect.any(String),
      expirationDate: expect.any(String),
      subscriptionPackageName: expect.any(String),
      status: 'ACTIVE',
      consentLimit: expect.any(Number),
      consentLimitExceed: false,
      usedConsentLimit: 1,
    });
    const integrator = await client.integrator('GET', `/sps/${SEED.iysCode}/subscription`);
    expect(integrator.status).toBe(200);
    expect(integrator.body).not.toHaveProperty('consentLimit');
    expect(integrator.body).not.toHaveProperty('usedConsentLimit');
  });

  it("S2 the integrator's own subscription", async () => {
    const res = await client.integrator('GET', `/integrator/${SEED.integratorCode}/subscription`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ subscriptionId: expect.any(String), status: 'ACTIVE' }));
  });

  it('H520 a PAUSED or EXPIRED subscription blocks data calls (403) but still answers S1', async () => {
    for (const status of ['PAUSED', 'EXPIRED']) {
      const user = await otherHs({ status });
      const data = await client.as(user, 'POST', '/sps/300001/brands/300001/consents', consentBody());
      expect(data.status).toBe(403);
      expect(data.body).toEqual({ errors: [{ code: 'H520', message: expect.stringContaining(status) }] });
      const subscription = await client.as(user, 'GET', '/sps/300001/subscription');
      expect(subscription.status).toBe(200);
      expect(subscription.body.status).toBe(status);
    }
  });

  it('H521 a CLOSED subscription blocks every call, S1 included (403)', async () => {
    const user = await otherHs({ status: 'CLOSED' });
    for (const path of ['/sps/300001/brands', '/sps/300001/subscription']) {
      const res = await client.as(user, 'GET', path);
      expect(res.status).toBe(403);
      expect(codesOf(res.body)).toEqual(['H521']);
    }
  });

  it('H524 no subscription at all, H586 a package without API access (403)', async () => {
    const none = await otherHs(null);
    const res = await client.as(none, 'GET', '/sps/300001/brands');
    expect(res.status).toBe(403);
    expect(codesOf(res.body)).toEqual(['H524']);
    await client.sim('POST', '/service-providers', { iysCode: 300001, subscription: { hasApi: false } });
    const noApi = await client.as(none, 'GET', '/sps/300001/brands');
    expect(noApi.status).toBe(403);
    expect(codesOf(noApi.body)).toEqual(['H586']);
  });

  it("H353 an HS touching another HS's iysCode or brandCode is 403 with location and value", async () => {
    const user = await otherHs({});
    const foreignHs = await client.as(user, 'GET', `/sps/${SEED.iysCode}/brands`);
    expect(foreignHs.status).toBe(403);
    expect(foreignHs.body).toEqual({
      errors: [{ code: 'H353', message: expect.any(String), location: ['iysCode'], value: SEED.iysCode }],
    });
    const foreignBrand = await client.hs('POST', `/sps/${SEED.iysCode}/brands/300001/consents`, consentBody());
    expect(foreignBrand.status).toBe(403);
    expect(foreignBrand.body.errors[0]).toEqual(
      expect.objectContaining({ code: 'H353', location: ['brandCode'], value: 300001 }),
    );
  });
});
