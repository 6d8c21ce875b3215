import { Clock } from '../clock';
import { IysApiError, IysAuthError, IysUnavailableError } from './iys-errors';
import { DEFAULT_TOKEN_SETTINGS, IysTokenGrant, IysTokenProvider, minGapAfter } from './iys-token-provider';
import { InProcessIysTokenStore } from './iys-token-store';

class FakeClock extends Clock {
  constructor(public ms = Date.parse('2026-11-30T09:00:00Z')) {
    super();
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A fake token endpoint: numbered tokens, 2 h / 4 h lifetimes, scripted failures. */
function fakeEndpoint() {
  const calls: IysTokenGrant[] = [];
  const failures: unknown[] = [];
  let n = 0;
  return {
    calls,
    failNext: (err: unknown) => failures.push(err),
    request: async (grant: IysTokenGrant) => {
      calls.push(grant);
      const failure = failures.shift();
      if (failure) throw failure;
      n++;
      return {
        accessToken: `access-${n}`,
        refreshToken: `refresh-${n}`,
        expiresInSeconds: 7200,
        refreshExpiresInSeconds: 14400,
      };
    },
  };
}

describe(IysTokenProvider.name, () => {
  let clock: FakeClock;
  let store: InProcessIysTokenStore;
  let endpoint: ReturnType<typeof fakeEndpoint>;
  let sut: IysTokenProvider;

  beforeEach(() => {
    clock = new FakeClock();
    store = new InProcessIysTokenStore();
    endpoint = fakeEndpoint();
    sut = new IysTokenProvider('iys|integrator', store, endpoint.request, clock);
  });

  it('asks for a token once and serves it from the cache until shortly before it expires', async () => {
    expect(await sut.accessToken()).toBe('access-1');
    clock.advance(HOUR);
    expect(await sut.accessToken()).toBe('access-1');
    expect(endpoint.calls).toEqual([{ kind: 'password' }]);
  });

  it('refreshes five minutes ahead of expiry with the refresh grant, and keeps the newest refresh token', async () => {
    await sut.accessToken();
    clock.advance(2 * HOUR - 5 * MIN - 1_000);
    expect(await sut.accessToken()).toBe('access-1');
    clock.advance(2_000);
    expect(await sut.accessToken()).toBe('access-2');
    expect(endpoint.calls[1]).toEqual({ kind: 'refresh', refreshToken: 'refresh-1' });
    clock.advance(2 * HOUR - 5 * MIN + 1_000);
    await sut.accessToken();
    expect(endpoint.calls[2]).toEqual({ kind: 'refresh', refreshToken: 'refresh-2' });
    expect((await store.read('iys|integrator')).refreshToken).toBe('refresh-3');
  });

  it('makes one token request however many callers ask at once, in one process or several', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async (g: IysTokenGrant) => {
      await gate;
      return endpoint.request(g);
    };
    const a = new IysTokenProvider('iys|integrator', store, slow, clock);
    const b = new IysTokenProvider('iys|integrator', store, slow, clock);
    const waiting = Promise.all([a.accessToken(), a.accessToken(), b.accessToken(), b.accessToken()]);
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await waiting).toEqual(['access-1', 'access-1', 'access-1', 'access-1']);
    expect(endpoint.calls).toHaveLength(1);
  });

  it('falls back to the password grant when the refresh token is refused', async () => {
    await sut.accessToken();
    clock.advance(2 * HOUR - 4 * MIN);
    endpoint.failNext(new IysAuthError(400, 'invalid_grant', 'refresh token expired'));
    expect(await sut.accessToken()).toBe('access-2');
    expect(endpoint.calls.map((c) => c.kind)).toEqual(['password', 'refresh', 'password']);
  });

  it('uses the password grant once the refresh token itself has expired', async () => {
    await sut.accessToken();
    clock.advance(5 * HOUR);
    await sut.accessToken();
    expect(endpoint.calls.map((c) => c.kind)).toEqual(['password', 'password']);
  });

  it('stops asking for a token for the hour after H084, and asks again once it is over', async () => {
    endpoint.failNext(new IysApiError(429, [{ code: 'H084', message: 'limit' }], 'token'));
    await expect(sut.accessToken()).rejects.toMatchObject({ reason: 'TOKEN_HALTED' });
    clock.advance(30 * MIN);
    const err = await sut.accessToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IysUnavailableError);
    expect((err as IysUnavailableError).retryAt!.getTime()).toBe(
      Date.parse('2026-11-30T09:00:00Z') + DEFAULT_TOKEN_SETTINGS.haltMs,
    );
    expect(endpoint.calls).toHaveLength(1);
    clock.advance(32 * MIN);
    expect(await sut.accessToken()).toBe('access-1');
    expect(endpoint.calls).toHaveLength(2);
  });

  it('keeps using a token that is still valid when its refresh cannot happen', async () => {
    await sut.accessToken();
    clock.advance(2 * HOUR - 3 * MIN);
    endpoint.failNext(new IysApiError(503, [{ code: 'H192', message: '' }], 'token'));
    expect(await sut.accessToken()).toBe('access-1');
  });

  it('never spends more than the hourly budget, and spreads failing requests out', async () => {
    const budget = DEFAULT_TOKEN_SETTINGS.maxRequestsPerHour;
    let made = 0;
    for (let i = 0; i < 40; i++) {
      endpoint.failNext(new IysApiError(500, [{ code: 'H015', message: '' }], 'token'));
      await sut.accessToken().catch(() => undefined);
      made = endpoint.calls.length;
      clock.advance(5_000);
    }
    expect(made).toBeLessThanOrEqual(budget);
    const err = await sut.accessToken().catch((e: unknown) => e);
    expect((err as IysUnavailableError).reason).toMatch(/TOKEN_BUDGET|TOKEN_BUSY/);
  });

  it('replaces a token İYS refused (H351) at once', async () => {
    await sut.accessToken();
    await sut.invalidate('access-1');
    expect(await sut.accessToken()).toBe('access-2');
    expect(endpoint.calls).toHaveLength(2);
  });

  it('never hands out a refused token again, even when another caller reads the store while it is being cleared', async () => {
    // The store answers slowly, as PostgreSQL does: the refusal and a fresh caller interleave.
    class SlowStore extends InProcessIysTokenStore {
      override async write(account: string, patch: Parameters<InProcessIysTokenStore['write']>[1]) {
        await new Promise((r) => setTimeout(r, 5));
        return super.write(account, patch);
      }
    }
    store = new SlowStore();
    sut = new IysTokenProvider('iys|integrator', store, endpoint.request, clock);
    expect(await sut.accessToken()).toBe('access-1');
    const refusal = sut.invalidate('access-1');
    await new Promise((r) => setImmediate(r));
    const bystander = sut.accessToken(); // reads the store while it still holds access-1
    await refusal;
    const retry = await sut.accessToken();
    expect(retry).toBe('access-2');
    expect(await bystander).not.toBe('access-1');
    expect(endpoint.calls).toHaveLength(2);
  });
});

describe(minGapAfter.name, () => {
  it('lets the first retry go at once and then doubles up to five minutes', () => {
    expect([0, 1, 2, 3, 4, 8, 9, 12].map(minGapAfter)).toEqual([0, 0, 2_000, 4_000, 8_000, 128_000, 256_000, 300_000]);
  });
});
