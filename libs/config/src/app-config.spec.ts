import { ConfigValidationError, loadAppConfig, loadSimulatorConfig } from './app-config';

describe(loadAppConfig.name, () => {
  it('gives the documented defaults for an empty environment', () => {
    const sut = loadAppConfig({});
    expect(sut).toMatchObject({
      port: 3000,
      role: 'all',
      dataDir: './.data',
      publicUrl: 'http://localhost:3000',
      database: { url: undefined },
      redis: { url: undefined },
      smtp: { url: undefined, poolSize: 5 },
      iys: {
        url: undefined,
        username: 'integrator',
        password: 'integrator-secret',
        simulatorPort: 4010,
        pullIntervalSeconds: 60,
        integratorCode: '900001',
      },
    });
  });

  it('reads every variable', () => {
    const sut = loadAppConfig({
      PORT: '8080',
      DATA_DIR: '/var/izinli',
      DATABASE_URL: 'postgres://u@db/izinli',
      REDIS_URL: 'redis://cache:6379',
      SMTP_URL: 'smtps://u:p@mail:465',
      SMTP_POOL_SIZE: '12',
      IYS_URL: 'https://api.iys.org.tr',
      IYS_USERNAME: 'user',
      IYS_PASSWORD: 'pass',
      IYS_INTEGRATOR_CODE: '123456',
      IYS_PUSH_USERNAME: 'iys',
      IYS_PUSH_PASSWORD: 'push-secret-7c1e94b2',
      IYS_PULL_INTERVAL_SECONDS: '30',
      PUBLIC_URL: 'https://mail.example.com/',
      ROLE: 'worker',
    });
    expect(sut.port).toBe(8080);
    expect(sut.smtp.poolSize).toBe(12);
    expect(sut.publicUrl).toBe('https://mail.example.com');
    expect(sut.role).toBe('worker');
    expect(sut.iys).toMatchObject({
      url: 'https://api.iys.org.tr',
      username: 'user',
      integratorCode: '123456',
      pullIntervalSeconds: 30,
    });
  });

  it('takes SMTP_SEND_TIMEOUT_MS between 1 s and 10 min, unset leaving the mailer its default', () => {
    expect(loadAppConfig({}).smtp.sendTimeoutMs).toBeUndefined();
    expect(loadAppConfig({ SMTP_SEND_TIMEOUT_MS: '15000' }).smtp.sendTimeoutMs).toBe(15_000);
    expect(() => loadAppConfig({ SMTP_SEND_TIMEOUT_MS: '50' })).toThrow(/SMTP_SEND_TIMEOUT_MS/);
    expect(() => loadAppConfig({ SMTP_SEND_TIMEOUT_MS: 'soon' })).toThrow(/SMTP_SEND_TIMEOUT_MS/);
  });

  it('names every bad variable at once', () => {
    let caught: unknown;
    try {
      loadAppConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ROLE: 'boss', SMTP_POOL_SIZE: '0' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    const vars = (caught as ConfigValidationError).problems.map((p) => p.variable).sort();
    expect(vars).toEqual(['DATABASE_URL', 'PORT', 'ROLE', 'SMTP_POOL_SIZE']);
    expect((caught as Error).message).toContain('ROLE');
  });

  it('requires credentials and integrator code with a real İYS', () => {
    expect(() => loadAppConfig({ IYS_URL: 'https://api.iys.org.tr' })).toThrow(
      /IYS_USERNAME[\s\S]*IYS_PASSWORD[\s\S]*IYS_INTEGRATOR_CODE/,
    );
  });

  it('refuses a split deployment without shared services', () => {
    expect(() => loadAppConfig({ ROLE: 'worker' })).toThrow(/ROLE/);
    expect(() =>
      loadAppConfig({
        ROLE: 'api',
        DATABASE_URL: 'postgres://x/y',
        REDIS_URL: 'redis://r',
        IYS_URL: 'https://i',
        IYS_USERNAME: 'u',
        IYS_PASSWORD: 'p',
        IYS_INTEGRATOR_CODE: '1',
      }),
    ).not.toThrow();
  });

  it('refuses a short UNSUBSCRIBE_SECRET', () => {
    expect(() => loadAppConfig({ UNSUBSCRIBE_SECRET: 'short' })).toThrow(/UNSUBSCRIBE_SECRET/);
  });

  it('reads UNSUBSCRIBE_SECRET_PREVIOUS as a list, newest first, and refuses a short or weak one in it', () => {
    const a = '7f3c9a1e5b2d8046c1e9f7a3b5d20c84';
    const b = 'e1b84c2f9a07d6358b1e4c7a92f06d3b5c8e1a4f';
    expect(loadAppConfig({}).unsubscribePreviousSecrets).toEqual([]);
    expect(loadAppConfig({ UNSUBSCRIBE_SECRET_PREVIOUS: a }).unsubscribePreviousSecrets).toEqual([a]);
    expect(loadAppConfig({ UNSUBSCRIBE_SECRET_PREVIOUS: ` ${a} , ${b}` }).unsubscribePreviousSecrets).toEqual([a, b]);
    expect(() => loadAppConfig({ UNSUBSCRIBE_SECRET_PREVIOUS: `${a},short` })).toThrow(/UNSUBSCRIBE_SECRET_PREVIOUS/);
    expect(() => loadAppConfig({ UNSUBSCRIBE_SECRET_PREVIOUS: `${a},` })).toThrow(/UNSUBSCRIBE_SECRET_PREVIOUS/);
    expect(() => loadAppConfig({ UNSUBSCRIBE_SECRET_PREVIOUS: 'x'.repeat(40) })).toThrow(
      /UNSUBSCRIBE_SECRET_PREVIOUS is one character repeated/,
    );
    expect(() =>
      loadAppConfig({ UNSUBSCRIBE_SECRET_PREVIOUS: 'change-me-unsubscribe-secret-0123456789abcdef' }),
    ).toThrow(/UNSUBSCRIBE_SECRET_PREVIOUS is a placeholder/);
  });

  it('allows webhooks no private network unless WEBHOOK_ALLOWED_NETWORKS lists it', () => {
    expect(loadAppConfig({}).webhooks).toEqual({ allowedNetworks: [] });
    expect(loadAppConfig({ WEBHOOK_ALLOWED_NETWORKS: '' }).webhooks).toEqual({ allowedNetworks: [] });
    expect(
      loadAppConfig({ WEBHOOK_ALLOWED_NETWORKS: ' 127.0.0.1/32, 10.20.0.0/16,fd00::/8 ,192.0.2.7,' }).webhooks,
    ).toEqual({ allowedNetworks: ['127.0.0.1/32', '10.20.0.0/16', 'fd00::/8', '192.0.2.7'] });
  });

  it.each(['localhost', '127.1', '0x7f000001', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/8', '10.0.0.0/', '*'])(
    'refuses %s in WEBHOOK_ALLOWED_NETWORKS',
    (entry) => {
      expect(() => loadAppConfig({ WEBHOOK_ALLOWED_NETWORKS: `127.0.0.1/32,${entry}` })).toThrow(
        /WEBHOOK_ALLOWED_NETWORKS: not an IP address or CIDR/,
      );
    },
  );
});

describe(loadSimulatorConfig.name, () => {
  it('defaults to port 4010', () => {
    expect(loadSimulatorConfig({})).toEqual({ port: 4010, host: '0.0.0.0' });
  });
  it('refuses a bad port', () => {
    expect(() => loadSimulatorConfig({ IYS_SIMULATOR_PORT: '70000' })).toThrow(/IYS_SIMULATOR_PORT/);
  });
});
