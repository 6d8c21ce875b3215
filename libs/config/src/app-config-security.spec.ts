import { ConfigValidationError, isLoopbackHost, loadAppConfig, RATE_LIMIT_DEFAULTS } from './app-config';

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadAppConfig(env);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadAppConfig: SMTP transport security', () => {
  it('requires TLS by default for a relay elsewhere, and not for one on this machine', () => {
    expect(loadAppConfig({ SMTP_URL: 'smtp://relay.example.com:587' }).smtp).toMatchObject({
      requireTls: true,
      tlsRejectUnauthorized: true,
    });
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]']) {
      expect(loadAppConfig({ SMTP_URL: `smtp://${host}:25` }).smtp.requireTls).toBe(false);
    }
    expect(loadAppConfig({}).smtp.requireTls).toBe(false);
  });

  it('takes SMTP_REQUIRE_TLS either way, and refuses anything but true or false', () => {
    expect(loadAppConfig({ SMTP_URL: 'smtp://relay:25', SMTP_REQUIRE_TLS: 'false' }).smtp.requireTls).toBe(false);
    expect(loadAppConfig({ SMTP_URL: 'smtp://127.0.0.1:25', SMTP_REQUIRE_TLS: 'true' }).smtp.requireTls).toBe(true);
    expect(problemsOf({ SMTP_REQUIRE_TLS: 'yes' })).toEqual([
      { variable: 'SMTP_REQUIRE_TLS', message: 'SMTP_REQUIRE_TLS must be true or false' },
    ]);
  });

  it('switches certificate checks off only for a loopback relay', () => {
    expect(
      loadAppConfig({ SMTP_URL: 'smtp://localhost:1025', SMTP_TLS_REJECT_UNAUTHORIZED: 'false' }).smtp
        .tlsRejectUnauthorized,
    ).toBe(false);
    expect(problemsOf({ SMTP_URL: 'smtps://relay.example.com', SMTP_TLS_REJECT_UNAUTHORIZED: 'false' })).toEqual([
      expect.objectContaining({
        variable: 'SMTP_TLS_REJECT_UNAUTHORIZED',
        message: expect.stringMatching(/NODE_EXTRA_CA_CERTS/),
      }),
    ]);
  });

  it('refuses the URL parameter the setting replaced, rather than ignoring it', () => {
    expect(problemsOf({ SMTP_URL: 'smtp://relay:25?tlsRejectUnauthorized=false' })).toEqual([
      expect.objectContaining({ variable: 'SMTP_URL', message: expect.stringMatching(/SMTP_TLS_REJECT_UNAUTHORIZED/) }),
    ]);
  });

  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['mail.localhost', true],
    ['127.0.0.1', true],
    ['127.255.0.3', true],
    ['::1', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['127.0.0.1.example.com', false],
    ['localhost.example.com', false],
    ['10.0.0.5', false],
    ['mailpit', false],
  ])('isLoopbackHost(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('loadAppConfig: request limits and TRUST_PROXY', () => {
  it('gives the documented defaults', () => {
    const sut = loadAppConfig({});
    expect(sut.rateLimits).toEqual(RATE_LIMIT_DEFAULTS);
    expect(sut.trustProxy).toBe('loopback');
  });

  it('reads each limit, 0 switching it off, and refuses negative or non-numeric values', () => {
    const sut = loadAppConfig({
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '0',
      RATE_LIMIT_API_KEY_PER_MINUTE: '1000',
      RATE_LIMIT_UNSUBSCRIBE_PER_IP_PER_MINUTE: '30',
      RATE_LIMIT_UNSUBSCRIBE_PER_TOKEN_PER_MINUTE: '5',
    });
    expect(sut.rateLimits).toEqual({
      authFailuresPerMinute: 0,
      apiKeyPerMinute: 1000,
      unsubscribePerIpPerMinute: 30,
      unsubscribePerTokenPerMinute: 5,
    });
    expect(
      problemsOf({ RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '-1', RATE_LIMIT_API_KEY_PER_MINUTE: 'lots' }).map(
        (p) => p.variable,
      ),
    ).toEqual(['RATE_LIMIT_AUTH_FAILURES_PER_MINUTE', 'RATE_LIMIT_API_KEY_PER_MINUTE']);
  });

  it('takes false, a hop count or proxy addresses for TRUST_PROXY, and refuses true', () => {
    expect(loadAppConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadAppConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadAppConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toBe('10.0.0.0/8, loopback');
    expect(problemsOf({ TRUST_PROXY: 'true' }).map((p) => p.variable)).toEqual(['TRUST_PROXY']);
    expect(problemsOf({ TRUST_PROXY: 'anyone' }).map((p) => p.variable)).toEqual(['TRUST_PROXY']);
  });
});
