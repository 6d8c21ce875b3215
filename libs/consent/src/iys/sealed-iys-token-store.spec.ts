import { Logger } from '@nestjs/common';
import { SystemClock } from '../clock';
import { IysTokenGrant, IysTokenProvider } from './iys-token-provider';
import { InProcessIysTokenStore } from './iys-token-store';
import { SealedIysTokenStore } from './sealed-iys-token-store';

const ACCOUNT = 'api.iys.org.tr|integrator';
const ACCESS = 'eyJhbGciOiJIUzI1NiJ9.access-token-body.signature';
const REFRESH = 'eyJhbGciOiJIUzI1NiJ9.refresh-token-body.signature';
const EXPIRES = new Date('2026-11-30T11:00:00Z');

describe(SealedIysTokenStore.name, () => {
  let inner: InProcessIysTokenStore;
  let sut: SealedIysTokenStore;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    inner = new InProcessIysTokenStore();
    sut = new SealedIysTokenStore(inner, 'the application secret');
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('hands back what was written, while the store underneath holds neither token in clear', async () => {
    await sut.write(ACCOUNT, { accessToken: ACCESS, refreshToken: REFRESH, accessExpiresAt: EXPIRES });
    expect(await sut.read(ACCOUNT)).toMatchObject({
      accessToken: ACCESS,
      refreshToken: REFRESH,
      accessExpiresAt: EXPIRES,
    });
    const raw = await inner.read(ACCOUNT);
    expect(raw.accessToken).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(raw.refreshToken).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    for (const part of [...ACCESS.split('.'), ...REFRESH.split('.')]) {
      expect(raw.accessToken).not.toContain(part);
      expect(raw.refreshToken).not.toContain(part);
    }
    // The dates the processes coordinate by stay readable.
    expect(raw.accessExpiresAt).toEqual(EXPIRES);
  });

  it('seals the same token differently each time', async () => {
    await sut.write(ACCOUNT, { accessToken: ACCESS });
    const first = (await inner.read(ACCOUNT)).accessToken;
    await sut.write(ACCOUNT, { accessToken: ACCESS });
    expect((await inner.read(ACCOUNT)).accessToken).not.toBe(first);
    expect((await sut.read(ACCOUNT)).accessToken).toBe(ACCESS);
  });

  it('writes a cleared token as cleared, and leaves fields the patch does not name alone', async () => {
    await sut.write(ACCOUNT, { accessToken: ACCESS, refreshToken: REFRESH });
    await sut.write(ACCOUNT, { accessToken: null, accessExpiresAt: null });
    expect(await sut.read(ACCOUNT)).toMatchObject({ accessToken: null, refreshToken: REFRESH });
    expect((await inner.read(ACCOUNT)).accessToken).toBeNull();
  });

  it('opens nothing under another secret, and says once why', async () => {
    await sut.write(ACCOUNT, { accessToken: ACCESS, refreshToken: REFRESH });
    const other = new SealedIysTokenStore(inner, 'another secret');
    expect(await other.read(ACCOUNT)).toMatchObject({ accessToken: null, refreshToken: null });
    await other.read(ACCOUNT);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/does not open with this process's secret/);
    expect(String(warn.mock.calls[0][0])).not.toContain('integrator');
  });

  it('opens nothing moved to another account or field, tampered with, cut short, or stored in clear', async () => {
    await sut.write(ACCOUNT, { accessToken: ACCESS, refreshToken: REFRESH });
    const sealed = await inner.read(ACCOUNT);
    await inner.write('other|user', { accessToken: sealed.accessToken });
    expect((await sut.read('other|user')).accessToken).toBeNull();
    await inner.write(ACCOUNT, { accessToken: sealed.refreshToken, refreshToken: sealed.accessToken });
    expect(await sut.read(ACCOUNT)).toMatchObject({ accessToken: null, refreshToken: null });

    const body = sealed.accessToken!.slice(3);
    const flipped = body.slice(0, -2) + (body.at(-2) === 'A' ? 'B' : 'A') + body.at(-1);
    for (const bad of [`v1:${flipped}`, sealed.accessToken!.slice(0, 30), 'v1:', 'v1:!!!', ACCESS]) {
      await inner.write(ACCOUNT, { accessToken: bad });
      expect([bad, (await sut.read(ACCOUNT)).accessToken]).toEqual([bad, null]);
    }
  });

  it('passes the lease through to the store underneath', async () => {
    const now = new Date();
    expect(await sut.lease(ACCOUNT, 'a', new Date(now.getTime() + 30_000), now)).toBe(true);
    expect(await inner.lease(ACCOUNT, 'b', new Date(now.getTime() + 30_000), now)).toBe(false);
    await sut.release(ACCOUNT, 'a');
    expect(await inner.lease(ACCOUNT, 'b', new Date(now.getTime() + 30_000), now)).toBe(true);
  });

  it('refuses an empty secret', () => {
    expect(() => new SealedIysTokenStore(inner, '')).toThrow(/non-empty secret/);
  });

  it('makes the provider ask İYS again for a token it cannot open, once, and keep the new one', async () => {
    const calls: IysTokenGrant[] = [];
    let n = 0;
    const request = async (grant: IysTokenGrant) => {
      calls.push(grant);
      n++;
      return {
        accessToken: `access-${n}`,
        refreshToken: `refresh-${n}`,
        expiresInSeconds: 7200,
        refreshExpiresInSeconds: 14400,
      };
    };
    // A token kept in clear before sealing existed, still within its lifetime.
    await inner.write(ACCOUNT, {
      accessToken: 'old-clear-token',
      refreshToken: 'old-clear-refresh',
      accessExpiresAt: new Date(Date.now() + 3_600_000),
      refreshExpiresAt: new Date(Date.now() + 7_200_000),
    });
    const provider = new IysTokenProvider(ACCOUNT, sut, request, new SystemClock());
    expect(await provider.accessToken()).toBe('access-1');
    // The refresh token could not be read either, so the password grant was the one used.
    expect(calls).toEqual([{ kind: 'password' }]);
    const again = new IysTokenProvider(ACCOUNT, sut, request, new SystemClock());
    expect(await again.accessToken()).toBe('access-1');
    expect(calls).toHaveLength(1);
  });
});
