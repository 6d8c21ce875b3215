import Redis from 'ioredis';
import { RateLimitStore } from './rate-limit-store';

/**
 * One atomic step per hit: add, and give a new window's key its expiry (twice the window, so a process whose clock
 * runs a little behind still finds it). The key carries the window's number, so no process ever resets another's
 * count.
 */
const HIT = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return n
`;

type RateLimitRedis = Redis & { rateLimitHit(key: string, cost: number, ttlMs: number): Promise<number> };

/** Counters in Redis (REDIS_URL), shared by every API process, under the deployment's key prefix. */
export class RedisRateLimitStore extends RateLimitStore {
  readonly shared = true;
  private readonly redis: RateLimitRedis;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
  ) {
    super();
    // A request waits for its counter: with Redis away, fail fast (the caller lets the request through) rather than
    // queue commands behind a reconnect.
    this.redis = new Redis(redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2_000,
      lazyConnect: true,
    }) as RateLimitRedis;
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT });
  }

  /** Resolves once connected; without this the first requests after a start would find no connection yet. */
  async connect(): Promise<void> {
    await this.redis.connect();
  }

  hit(key: string, window: number, windowMs: number, cost = 1): Promise<number> {
    return this.redis.rateLimitHit(`${this.prefix}:rl:${key}:${window}`, cost, windowMs * 2);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
