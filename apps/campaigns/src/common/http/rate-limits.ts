import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'crypto';
import type { Request, Response } from 'express';
import type { AppConfig } from '@izinli/config';
import type { Clock } from '@izinli/consent';
import { APP_CONFIG } from '../../config.token';
import { ApiError } from './api-error';
import { FixedWindowCounters, RateLimitStore } from './rate-limit-store';

/** The clock the windows are counted on: the system's, or a test's fixed one. */
export const RATE_LIMIT_CLOCK = Symbol('RATE_LIMIT_CLOCK');

/** Every limit counts per minute (RATE_LIMIT_* in the configuration). */
export const RATE_LIMIT_WINDOW_MS = 60_000;

// Bounds on this process's own maps, whatever the number of addresses or keys that come: the oldest entries go.
const MAX_BLOCKED_ADDRESSES = 10_000;
const MAX_KEY_WINDOWS = 10_000;
// The per-key ceiling reaches Redis at most every FLUSH_MS, or every 1/1000 of the limit, whichever comes first.
const FLUSH_MS = 250;
const REDIS_WARNING_EVERY_MS = 10_000;

/** One process's share of a key's window: what Redis last said every process had counted, and what it adds since. */
interface KeyWindow {
  window: number;
  known: number;
  pending: number;
  lastFlush: number;
  flushing: boolean;
}

/**
 * The address a client is counted under: the socket's, or the one the trusted proxies name (TRUST_PROXY). An IPv6
 * client is counted by its /64, the block one subscriber gets, so that rotating addresses inside it does not help.
 */
export function clientAddress(req: Request): string {
  let ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  if (ip.startsWith('::ffff:') && ip.includes('.')) ip = ip.slice(7);
  return ip.includes(':') ? ipv6Slash64(ip) : ip;
}

function ipv6Slash64(ip: string): string {
  const bare = ip.replace(/%.*$/, '').toLowerCase();
  const [head, tail] = bare.split('::', 2);
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/**
 * Answers 429 with Retry-After in whole seconds. Thrown as an ApiError so the one exception filter renders it: a
 * problem+json body, or the unsubscribe error page on `/u/…`.
 */
export function rateLimited(res: Response, waitMs: number, detail: string): ApiError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  res.setHeader('Retry-After', String(seconds));
  return new ApiError(429, 'RATE_LIMITED', `${detail} Try again in ${seconds} s.`, [], { retryAfterSeconds: seconds });
}

/**
 * The request limits against brute force and floods (README "Security"):
 * - failed authentication per client address (API keys and İYS push's Basic auth): past the limit, every request
 *   from that address that needs credentials is refused until the window ends, a correct key too;
 * - requests per API key (per service provider, and the operator key), a ceiling far above any real client's rate;
 * - unsubscribe-link requests per client address and per token.
 *
 * The hot path (an authenticated request that succeeds) never waits on Redis: a failure costs one round trip, and the
 * per-key ceiling is counted locally and added to Redis in batches, asynchronously.
 */
@Injectable()
export class RequestRateLimits implements OnApplicationShutdown {
  private readonly log = new Logger('RateLimits');
  private readonly limits: AppConfig['rateLimits'];
  private readonly blocked = new Map<string, number>();
  private readonly keyWindows = new Map<string, KeyWindow>();
  private readonly localKeyCounts = new FixedWindowCounters(MAX_KEY_WINDOWS);
  private readonly flushBatch: number;
  private lastWarning = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: RateLimitStore,
    @Inject(RATE_LIMIT_CLOCK) private readonly clock: Clock,
  ) {
    this.limits = config.rateLimits;
    this.flushBatch = Math.max(1, Math.floor(this.limits.apiKeyPerMinute / 1000));
  }

  /** Whether any address is blocked at all: lets a request skip working out its client address. */
  anyAddressBlocked(): boolean {
    return this.blocked.size > 0;
  }

  /** Milliseconds until this address may authenticate again, or 0. No I/O: this process's own record. */
  authBlockedFor(address: string): number {
    const until = this.blocked.get(address);
    if (until === undefined) return 0;
    const wait = until - this.now();
    if (wait > 0) return wait;
    this.blocked.delete(address);
    return 0;
  }

  /**
   * Counts one failed authentication. Returns the wait when this failure is past the limit (answer 429 instead of
   * 401), else 0. Reaching the limit blocks the address in this process; another process learns it from the
   * counter at the address's next failure there.
   */
  async failedAuth(address: string): Promise<number> {
    const limit = this.limits.authFailuresPerMinute;
    if (limit <= 0) return 0;
    const now = this.now();
    const window = Math.floor(now / RATE_LIMIT_WINDOW_MS);
    const count = await this.count(`auth-fail:${address}`, window, 1);
    if (count < limit) return 0;
    const until = (window + 1) * RATE_LIMIT_WINDOW_MS;
    this.block(address, until);
    return count > limit ? until - now : 0;
  }

  /**
   * Counts one request of an authenticated key (`subject`: the service provider, or the operator). Returns the wait
   * when the key is past its ceiling, else 0. Never waits on I/O.
   */
  apiKeyRequest(subject: string): number {
    const limit = this.limits.apiKeyPerMinute;
    if (limit <= 0) return 0;
    const now = this.now();
    const window = Math.floor(now / RATE_LIMIT_WINDOW_MS);
    const windowEnd = (window + 1) * RATE_LIMIT_WINDOW_MS;
    if (!this.store.shared) {
      // One process is the whole deployment: its own count is exact.
      return this.localKeyCounts.hit(subject, window) > limit ? windowEnd - now : 0;
    }
    let w = this.keyWindows.get(subject);
    if (!w || w.window !== window) {
      if (w) this.keyWindows.delete(subject);
      else if (this.keyWindows.size >= MAX_KEY_WINDOWS) this.keyWindows.delete(this.keyWindows.keys().next().value!);
      w = { window, known: 0, pending: 0, lastFlush: now, flushing: false };
      this.keyWindows.set(subject, w);
    }
    if (w.known + w.pending >= limit) return windowEnd - now;
    w.pending++;
    if (!w.flushing && (w.pending >= this.flushBatch || now - w.lastFlush >= FLUSH_MS)) this.flush(subject, w, now);
    return 0;
  }

  /** Counts one request to the unsubscribe link; returns the wait when the address or the token is past its limit. */
  async unsubscribeRequest(address: string, token: string): Promise<number> {
    const { unsubscribePerIpPerMinute: perIp, unsubscribePerTokenPerMinute: perToken } = this.limits;
    if (perIp <= 0 && perToken <= 0) return 0;
    const now = this.now();
    const window = Math.floor(now / RATE_LIMIT_WINDOW_MS);
    // Tokens are credentials: only a digest of one is kept, in memory or in Redis.
    const digest = createHash('sha256').update(token, 'utf8').digest('base64url').slice(0, 22);
    const [byIp, byToken] = await Promise.all([
      perIp > 0 ? this.count(`u-ip:${address}`, window, 1) : 0,
      perToken > 0 ? this.count(`u-token:${digest}`, window, 1) : 0,
    ]);
    const over = (perIp > 0 && byIp > perIp) || (perToken > 0 && byToken > perToken);
    return over ? (window + 1) * RATE_LIMIT_WINDOW_MS - now : 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private block(address: string, until: number): void {
    if (!this.blocked.has(address) && this.blocked.size >= MAX_BLOCKED_ADDRESSES)
      this.blocked.delete(this.blocked.keys().next().value!);
    this.blocked.set(address, until);
  }

  /** A store that does not answer lets the request through: a Redis outage must not lock every client out. */
  private async count(key: string, window: number, cost: number): Promise<number> {
    try {
      return await this.store.hit(key, window, RATE_LIMIT_WINDOW_MS, cost);
    } catch (err) {
      this.warn(err);
      return 0;
    }
  }

  private flush(subject: string, w: KeyWindow, now: number): void {
    const cost = w.pending;
    w.pending = 0;
    w.flushing = true;
    w.lastFlush = now;
    this.store.hit(`key:${subject}`, w.window, RATE_LIMIT_WINDOW_MS, cost).then(
      (total) => {
        w.known = Math.max(w.known, total);
        w.flushing = false;
      },
      (err: unknown) => {
        w.flushing = false;
        this.warn(err);
      },
    );
  }

  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < REDIS_WARNING_EVERY_MS) return;
    this.lastWarning = now;
    this.log.warn({ err: (err as Error).message }, 'rate-limit store did not answer; requests are let through');
  }
}
