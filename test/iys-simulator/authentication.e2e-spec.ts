// Conformance: authentication (iys-api.md §3, endpoint A1) and the 401 of every data call.
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import { BRAND_PATH, SEED, SimClient, codesOf } from '../../apps/iys-simulator/test/conformance-kit';

describe('İYS simulator: authentication (A1)', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;

  beforeAll(async () => {
    simulator = await startIysSimulator({ port: 0, config: { rateLimits: { enabled: false } } });
    client = new SimClient(simulator.url);
  });
  afterAll(() => simulator.close());
  beforeEach(() => client.sim('POST', '/reset'));

  const passwordGrant = { grant_type: 'password', ...SEED.hs };

  it('A1 password grant (JSON): 200 with both tokens, 7200/14400 s, token_type bearer', async () => {
    const res = await client.request('POST', '/oauth2/token', { body: passwordGrant });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refresh_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      expires_in: 7200,
      refresh_expires_in: 14400,
      token_type: 'bearer',
    });
  });

  it('A1 access token is a Keycloak-shaped JWT with roles, brands and serviceProvider', async () => {
    const res = await client.request('POST', '/oauth2/token', { body: passwordGrant });
    const payload = JSON.parse(Buffer.from(res.body.access_token.split('.')[1], 'base64url').toString());
    expect(payload).toEqual(
      expect.objectContaining({
        realm_access: { roles: expect.arrayContaining(['API_USER']) },
        preferred_username: 'izinli',
        serviceProvider: { title: expect.any(String), iysCode: '100001' },
        brands: [
          { brandCode: '100001', name: 'Izinli Demo' },
          { brandCode: '100002', name: expect.any(String) },
        ],
      }),
    );
  });

  it('A1 accepts the form-encoded (OAuth2) body as well', async () => {
    const res = await client.request('POST', '/oauth2/token', { body: passwordGrant, form: true });
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('bearer');
  });

  it('A1 refresh grant rotates the refresh token; the used one is refused with 400 invalid_grant', async () => {
    const first = await client.request('POST', '/oauth2/token', { body: passwordGrant });
    const refreshed = await client.request('POST', '/oauth2/token', {
      body: { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(refreshed.body.expires_in).toBe(7200);
    const reused = await client.request('POST', '/oauth2/token', {
      body: { grant_type: 'refresh_token', refresh_token: first.body.refresh_token },
    });
    expect(reused.status).toBe(400);
    expect(reused.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    const data = await client.request('GET', `/sps/${SEED.iysCode}/brands`, { token: refreshed.body.access_token });
    expect(data.status).toBe(200);
  });

  it('A1 errors use the OAuth shape: missing grant_type, unknown grant_type, missing username', async () => {
    for (const body of [
      {},
      { grant_type: 'client_credentials' },
      { grant_type: 'password', password: 'x' },
      { grant_type: 'refresh_token' },
    ]) {
      const res = await client.request('POST', '/oauth2/token', { body });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    }
    const empty = await client.request('POST', '/oauth2/token', { body: { grant_type: '' } });
    expect(empty.body.error).toBe('invalid_grant');
  });

  it('A1 invalid credentials: 400 invalid_request "Kullanıcı kimlik bilgileri geçersiz."', async () => {
    const res = await client.request('POST', '/oauth2/token', {
      body: { grant_type: 'password', username: 'izinli', password: 'wrong' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'Kullanıcı kimlik bilgileri geçersiz.' });
  });

  it('A1 an admin web user gets no API token ("Beklenmeyen kullanıcı rolü: admin.")', async () => {
    await client.sim('POST', '/service-providers', {
      iysCode: SEED.iysCode,
      users: [{ username: 'web-admin', password: 'pw', role: 'admin' }],
    });
    const res = await client.request('POST', '/oauth2/token', {
      body: { grant_type: 'password', username: 'web-admin', password: 'pw' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: 'Beklenmeyen kullanıcı rolü: admin.' });
  });

  it('A1 the access token expires after expires_in (401 H351), the refresh token after refresh_expires_in', async () => {
    const res = await client.request('POST', '/oauth2/token', { body: passwordGrant });
    await client.config({ clockOffsetSeconds: 7201 });
    const expired = await client.request('GET', `/sps/${SEED.iysCode}/brands`, { token: res.body.access_token });
    expect(expired.status).toBe(401);
    expect(codesOf(expired.body)).toEqual(['H351']);
    const refreshed = await client.request('POST', '/oauth2/token', {
      body: { grant_type: 'refresh_token', refresh_token: res.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    await client.config({ clockOffsetSeconds: 7201 + 14401 });
    const late = await client.request('POST', '/oauth2/token', {
      body: { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token },
    });
    expect(late.status).toBe(400);
    expect(late.body.error).toBe('invalid_grant');
  });

  it('H351 a data call without a token, or with a forged one, is 401 with errors[]', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const res = await client.request('POST', `${BRAND_PATH}/consents/status`, { token, body: {} });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ errors: [{ code: 'H351', message: 'Eksik veya geçersiz jeton!' }] });
    }
  });

  it('H015 the token endpoint answers an unexpected failure with errors[] (injected fault)', async () => {
    await client.sim('POST', '/faults', { errorRate: 1, errorCodes: ['H015'], pathPattern: '^/oauth2/token$' });
    const res = await client.request('POST', '/oauth2/token', { body: passwordGrant });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ errors: [{ code: 'H015', message: 'Beklenmedik bir hata oluştu!' }] });
  });
});
