import { randomBytes } from 'crypto';
import { DEFAULT_IYS_RATE_LIMIT, InProcessIysRateLimiter, IysRateLimiter } from '@izinli/consent';
import { testRedisUrl } from '@izinli/testing';
import { RedisIysRateLimiter } from '../../apps/campaigns/src/iys/redis-iys-rate-limiter';

const redisUrl = testRedisUrl();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The shared İYS rate limit, on the adapter the app binds: Redis with Bull (two limiter instances stand for two worker
 * processes), otherwise in-process. Whatever the requests' timing, no 11 of them can reach İYS within one second.
 */
describe(`İYS rate limiter (${redisUrl ? 'Redis, two processes' : 'in-process'})`, () => {
  let limiters: IysRateLimiter[];

  beforeEach(() => {
    if (redisUrl) {
      const scope = `t${randomBytes(4).toString('hex')}:iys-rate`;
      limiters = [
        new RedisIysRateLimiter(redisUrl, scope, DEFAULT_IYS_RATE_LIMIT),
        new RedisIysRateLimiter(redisUrl, scope, DEFAULT_IYS_RATE_LIMIT),
      ];
    } else {
      const one = new InProcessIysRateLimiter(DEFAULT_IYS_RATE_LIMIT);
      limiters = [one, one];
    }
  });
  afterEach(async () => {
    for (const l of new Set(limiters)) if (l instanceof RedisIysRateLimiter) await l.onApplicationShutdown();
  });

  it('never lets 11 requests overlap one second, however long they take', async () => {
    const spans: { start: number; end: number }[] = [];
    const worker = async (limiter: IysRateLimiter) => {
      const until = Date.now() + 2_300;
      while (Date.now() < until) {
        const permit = await limiter.acquire('urgent', 800);
        if (!permit) continue;
        const start = Date.now();
        await sleep(Math.random() * 60);
        spans.push({ start, end: Date.now() });
        permit.release();
      }
    };
    await Promise.all(Array.from({ length: 24 }, (_, i) => worker(limiters[i % 2])));
    expect(spans.length).toBeGreaterThanOrEqual(15);
    // Each request may have reached İYS anywhere in [start, end]. For the last to start of any 11, the 10 others
    // must then still have been in flight or answered less than a second before.
    for (const last of spans) {
      const overlapping = spans.filter((s) => s !== last && s.start <= last.start && s.end > last.start - 1000);
      expect(overlapping.length).toBeLessThan(10);
    }
  }, 20_000);

  it('keeps headroom for more urgent requests', async () => {
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await limiters[0].acquire('background', 100));
    expect(held.every((p) => p !== null)).toBe(true);
    expect(await limiters[1].acquire('background', 50)).toBeNull();
    const normal = [
      await limiters[1].acquire('normal', 50),
      await limiters[1].acquire('normal', 50),
      await limiters[1].acquire('normal', 50),
    ];
    expect(normal.every((p) => p !== null)).toBe(true);
    expect(await limiters[0].acquire('normal', 50)).toBeNull();
    expect(await limiters[0].acquire('urgent', 50)).not.toBeNull();
  });

  it('stops everyone for a pause after İYS answered 429', async () => {
    await limiters[0].pause(400);
    const t0 = Date.now();
    const permit = await limiters[1].acquire('urgent', 2_000);
    expect(permit).not.toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(await limiters[0].acquire('urgent', 0)).not.toBeNull();
  });
});
