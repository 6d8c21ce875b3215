import { Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { IysPermit, IysPriority, IysRateLimiter, IysRateLimitSettings } from '@izinli/consent';

/**
 * The library's slot rule (`slotWaitMs`: a slot is held while its request is in flight and for a window after its
 * answer), run atomically inside Redis so that every worker process behind one source IP shares İYS's 10 requests
 * per second. The sorted set holds one member per held slot, scored with the instant it frees. Time is Redis's own
 * clock, not each worker's, so workers whose clocks disagree still count alike.
 * Returns { 1, 0 } when a slot was taken, { 0, ms } with the wait until one may be free otherwise.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local inflight = tonumber(ARGV[2])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {0, paused - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if cap <= 0 then return {0, 1000} end
local n = redis.call('ZCARD', KEYS[1])
if n < cap then
  redis.call('ZADD', KEYS[1], now + inflight, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], inflight * 2)
  return {1, 0}
end
local blocking = redis.call('ZRANGE', KEYS[1], n - cap, n - cap, 'WITHSCORES')
local wait = tonumber(blocking[2]) - now
if wait < 1 then wait = 1 end
return {0, wait}
`;

/** The answer came back: the slot frees one window from now (or earlier, if it was due to free earlier anyway). */
const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local current = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not current then return 0 end
local frees = now + tonumber(ARGV[1])
if tonumber(current) < frees then frees = tonumber(current) end
redis.call('ZADD', KEYS[1], 'XX', frees, ARGV[2])
return 1
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return untilMs
`;

type LimiterRedis = Redis & {
  iysAcquire(slots: string, pause: string, cap: number, inFlightMs: number, member: string): Promise<[number, number]>;
  iysRelease(slots: string, windowMs: number, member: string): Promise<number>;
  iysPause(pause: string, ms: number): Promise<number>;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RedisIysRateLimiter extends IysRateLimiter implements OnApplicationShutdown {
  private readonly log = new Logger('IysRateLimiter');
  private readonly redis: LimiterRedis;
  private seq = 0;
  private readonly member = `${process.pid}-${Math.random().toString(36).slice(2)}`;

  /** `scope` names the shared window: one per İYS address (every process that calls it from this deployment). */
  constructor(
    redisUrl: string,
    private readonly scope: string,
    private readonly settings: IysRateLimitSettings,
  ) {
    super();
    this.redis = new Redis(redisUrl, {
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      lazyConnect: false,
    }) as LimiterRedis;
    this.redis.on('error', (err) => this.log.warn({ err: err.message }, 'redis connection problem'));
    this.redis.defineCommand('iysAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    this.redis.defineCommand('iysRelease', { numberOfKeys: 1, lua: RELEASE });
    this.redis.defineCommand('iysPause', { numberOfKeys: 1, lua: PAUSE });
  }

  async acquire(priority: IysPriority, maxWaitMs: number): Promise<IysPermit | null> {
    const cap = this.settings.requests - this.settings.headroom[priority];
    const giveUpAt = Date.now() + maxWaitMs;
    const member = `${this.member}-${++this.seq}`;
    for (;;) {
      const [taken, waitMs] = await this.redis.iysAcquire(
        `${this.scope}:slots`,
        `${this.scope}:pause`,
        cap,
        this.settings.inFlightMs,
        member,
      );
      if (taken === 1) {
        return {
          release: () => {
            this.redis
              .iysRelease(`${this.scope}:slots`, this.settings.windowMs, member)
              .catch((err: Error) =>
                this.log.warn({ err: err.message }, 'could not release an İYS slot; it frees on its own'),
              );
          },
        };
      }
      // In-flight slots free as soon as their answer comes, well before their worst case: look again soon, and give
      // up only when the caller's time is over.
      const left = giveUpAt - Date.now();
      if (left <= 0) return null;
      await sleep(Math.max(1, Math.min(waitMs, 50, left)));
    }
  }

  async pause(ms: number): Promise<void> {
    await this.redis.iysPause(`${this.scope}:pause`, ms);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
