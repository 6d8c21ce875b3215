import { randomUUID } from 'crypto';
import { Clock } from '../clock';
import { IysApiError, IysAuthError, IysUnavailableError } from './iys-errors';
import { IysTokenRecord, IysTokenStore } from './iys-token-store';

export type IysTokenGrant = { kind: 'password' } | { kind: 'refresh'; refreshToken: string };

export interface IysTokenAnswer {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  refreshExpiresInSeconds: number;
}

/** Performs one request to İYS's token endpoint (the client supplies it, rate-limited like any other request). */
export type IysTokenRequester = (grant: IysTokenGrant) => Promise<IysTokenAnswer>;

export interface IysTokenSettings {
  /** Refresh this long before the access token expires (iys-api.md §3: about 5 minutes). */
  refreshAheadMs: number;
  /** Token requests allowed per rolling hour, by all processes together. İYS documents 10 (or 100): stay under it. */
  maxRequestsPerHour: number;
  /** After H084, how long no token is requested. İYS restarts its hour on every request inside it. */
  haltMs: number;
  /** How long one process may hold the right to request a token. */
  leaseMs: number;
  /** How long a caller waits for another process's token request before giving up for now. */
  waitForOtherMs: number;
}

export const DEFAULT_TOKEN_SETTINGS: IysTokenSettings = {
  refreshAheadMs: 5 * 60_000,
  maxRequestsPerHour: 8,
  haltMs: 61 * 60_000,
  leaseMs: 30_000,
  waitForOtherMs: 15_000,
};

const HOUR_MS = 3_600_000;
/** A token closer than this to its expiry is not handed out: the request it is for could outlive it. */
const MIN_REMAINING_MS = 30_000;
const POLL_MS = 200;
const MAX_REFUSED = 16;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The least time between two token requests, given how many were made in the last hour: none after the first (a
 * token İYS revoked is replaced at once), then 2 s, doubling, at most 5 minutes. A healthy client makes one request
 * every two hours and never meets it; one whose requests keep failing spreads the hour's budget over minutes.
 */
export function minGapAfter(requestsInLastHour: number): number {
  return requestsInLastHour <= 1 ? 0 : Math.min(300_000, 1000 * 2 ** (requestsInLastHour - 1));
}

/**
 * Access tokens for one İYS API user (iys-api.md §3), cached and refreshed ahead of expiry, with one request to the
 * token endpoint at a time across every process and never more than the hourly budget. The refresh grant is
 * preferred while the refresh token lives (it is rotated on each use, so the newest is always kept); when it is
 * refused, the password grant takes over. H084 stops every token request for the hour.
 */
export class IysTokenProvider {
  private cached: { token: string; refreshAtMs: number } | null = null;
  private inflight: Promise<string> | null = null;
  /** Tokens İYS answered 401 to, newest last: never handed out again, whatever the store says. */
  private readonly refused = new Set<string>();
  private readonly holder = randomUUID();

  constructor(
    private readonly account: string,
    private readonly store: IysTokenStore,
    private readonly request: IysTokenRequester,
    private readonly clock: Clock,
    private readonly settings: IysTokenSettings = DEFAULT_TOKEN_SETTINGS,
  ) {}

  /** A valid access token; requests one only when the cached one is missing or due for refresh. */
  async accessToken(): Promise<string> {
    // An acquisition that began before a refusal may still hand back the refused token: ask again (bounded).
    for (let round = 0; ; round++) {
      if (this.cached && !this.refused.has(this.cached.token) && this.nowMs() < this.cached.refreshAtMs)
        return this.cached.token;
      // Concurrent callers of this process share one acquisition.
      this.inflight ??= this.obtain().finally(() => {
        this.inflight = null;
      });
      const token = await this.inflight;
      if (!this.refused.has(token) || round >= 2) return token;
    }
  }

  /**
   * İYS refused `token` (H351): forget it, here and in the store, unless a newer one already replaced it. The token
   * is remembered as refused at once, before the store is touched, so that no caller of this process picks it up
   * again from the store in between.
   */
  async invalidate(token: string): Promise<void> {
    this.refused.add(token);
    if (this.refused.size > MAX_REFUSED) this.refused.delete(this.refused.values().next().value as string);
    if (this.cached?.token === token) this.cached = null;
    const record = await this.store.read(this.account);
    if (record.accessToken === token)
      await this.store.write(this.account, { accessToken: null, accessExpiresAt: null });
  }

  private async obtain(): Promise<string> {
    const giveUpAt = this.nowMs() + this.settings.waitForOtherMs;
    for (;;) {
      const record = await this.store.read(this.account);
      const now = this.nowMs();
      const usable = this.usable(record, now);
      if (usable && now < this.refreshAt(record)) return this.remember(usable, this.refreshAt(record));
      if (await this.store.lease(this.account, this.holder, new Date(now + this.settings.leaseMs), new Date(now))) {
        try {
          return await this.requestUnderLease();
        } catch (err) {
          // A refresh that could not happen (budget, H084, İYS down) does not stop a token that is still valid.
          if (usable && !(err instanceof IysAuthError)) return this.remember(usable, now + 30_000);
          throw err;
        } finally {
          await this.store.release(this.account, this.holder);
        }
      }
      // Another process is asking İYS right now; a still-valid token serves in the meantime.
      if (usable) return this.remember(usable, now + 5_000);
      if (now >= giveUpAt)
        throw new IysUnavailableError(
          'TOKEN_BUSY',
          new Date(now + 1_000),
          'another process is requesting the İYS token',
        );
      await sleep(POLL_MS);
    }
  }

  private async requestUnderLease(): Promise<string> {
    const record = await this.store.read(this.account);
    const now = this.nowMs();
    const usable = this.usable(record, now);
    // Someone else may have renewed it between our read and our lease.
    if (usable && now < this.refreshAt(record)) return this.remember(usable, this.refreshAt(record));
    if (record.haltedUntil && record.haltedUntil.getTime() > now) {
      throw new IysUnavailableError(
        'TOKEN_HALTED',
        record.haltedUntil,
        'İYS answered H084: no token request before the hour is over',
      );
    }
    let recent = record.recentRequests
      .filter((d) => d.getTime() > now - HOUR_MS)
      .sort((a, b) => a.getTime() - b.getTime());
    const last = recent[recent.length - 1];
    const gap = minGapAfter(recent.length);
    if (last && now - last.getTime() < gap) {
      // Token requests that keep failing (İYS's token endpoint down) must not spend the hour's budget in seconds.
      throw new IysUnavailableError(
        'TOKEN_BUSY',
        new Date(last.getTime() + gap),
        'the last İYS token request was moments ago',
      );
    }
    const grants: IysTokenGrant[] = [];
    if (record.refreshToken && record.refreshExpiresAt && record.refreshExpiresAt.getTime() > now + 60_000) {
      grants.push({ kind: 'refresh', refreshToken: record.refreshToken });
    }
    grants.push({ kind: 'password' });
    for (const grant of grants) {
      if (recent.length >= this.settings.maxRequestsPerHour) {
        throw new IysUnavailableError(
          'TOKEN_BUDGET',
          new Date(recent[0].getTime() + HOUR_MS),
          'the hourly budget of İYS token requests is spent',
        );
      }
      const startedAt = this.nowMs();
      // Counted before it is sent: a request that fails still counts at İYS.
      recent = [...recent, new Date(startedAt)];
      await this.store.write(this.account, { recentRequests: recent });
      try {
        const answer = await this.request(grant);
        const fresh: Partial<IysTokenRecord> = {
          accessToken: answer.accessToken,
          refreshToken: answer.refreshToken,
          accessExpiresAt: new Date(startedAt + answer.expiresInSeconds * 1000),
          refreshExpiresAt: new Date(startedAt + answer.refreshExpiresInSeconds * 1000),
        };
        await this.store.write(this.account, fresh);
        return this.remember(
          answer.accessToken,
          startedAt + answer.expiresInSeconds * 1000 - this.settings.refreshAheadMs,
        );
      } catch (err) {
        if (
          err instanceof IysApiError &&
          (err.code === 'H084' || (err.httpStatus === 429 && err.code !== 'H124' && err.code !== 'H083'))
        ) {
          const until = new Date(this.nowMs() + this.settings.haltMs);
          await this.store.write(this.account, { haltedUntil: until });
          throw new IysUnavailableError(
            'TOKEN_HALTED',
            until,
            'İYS answered H084: no token request before the hour is over',
          );
        }
        if (grant.kind === 'refresh' && err instanceof IysAuthError) {
          // The refresh token was refused (expired, rotated by another client): the password grant takes over.
          await this.store.write(this.account, { refreshToken: null, refreshExpiresAt: null });
          continue;
        }
        throw err;
      }
    }
    throw new Error('unreachable: the password grant always ends the loop');
  }

  private usable(record: IysTokenRecord, now: number): string | null {
    return record.accessToken &&
      !this.refused.has(record.accessToken) &&
      record.accessExpiresAt &&
      record.accessExpiresAt.getTime() - MIN_REMAINING_MS > now
      ? record.accessToken
      : null;
  }

  private refreshAt(record: IysTokenRecord): number {
    return (record.accessExpiresAt?.getTime() ?? 0) - this.settings.refreshAheadMs;
  }

  private remember(token: string, refreshAtMs: number): string {
    this.cached = { token, refreshAtMs };
    return token;
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}
