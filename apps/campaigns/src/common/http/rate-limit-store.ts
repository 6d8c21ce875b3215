/**
 * Fixed-window request counters: one integer per (limit, subject, window), the window being the minute (or other
 * length) of the app's clock that the request falls in. Chosen over a sliding log or a token bucket because a
 * counter is one atomic INCRBY in Redis, keeps O(1) memory per subject whatever the traffic, and gives the
 * Retry-After directly (the end of the window). Its one weakness, up to twice the limit across a window boundary,
 * does not matter for throttling floods and guesses.
 *
 * The window index comes from the caller's clock, not from the store's, so both adapters count the same windows and
 * a test can fix the clock.
 */
export abstract class RateLimitStore {
  /** True when every process counts in the same store (Redis); false for one process's own memory. */
  abstract readonly shared: boolean;
  /** Adds `cost` to the counter of `key` in window number `window` (of `windowMs`) and returns the new total. */
  abstract hit(key: string, window: number, windowMs: number, cost?: number): Promise<number>;
  abstract close(): Promise<void>;
}

/**
 * A capped map of fixed-window counters, O(1) per hit with no timer per key: a counter of an earlier window is
 * reset when its key is hit again, and the oldest entries go first when the map is full. An entry is moved to the
 * end of the map's order whenever its window changes, so the first entries are those idle the longest.
 */
export class FixedWindowCounters {
  private readonly counters = new Map<string, { window: number; count: number }>();

  constructor(private readonly maxEntries = 100_000) {}

  hit(key: string, window: number, cost = 1): number {
    const c = this.counters.get(key);
    if (c && c.window === window) {
      c.count += cost;
      return c.count;
    }
    if (c) this.counters.delete(key);
    else if (this.counters.size >= this.maxEntries) this.counters.delete(this.counters.keys().next().value!);
    this.counters.set(key, { window, count: cost });
    return cost;
  }

  get size(): number {
    return this.counters.size;
  }
}

/** The embedded mode's store (no REDIS_URL): counters in this process's memory. */
export class InMemoryRateLimitStore extends RateLimitStore {
  readonly shared: boolean = false;
  private readonly counters: FixedWindowCounters;

  constructor(maxEntries?: number) {
    super();
    this.counters = new FixedWindowCounters(maxEntries);
  }

  hit(key: string, window: number, _windowMs: number, cost = 1): Promise<number> {
    return Promise.resolve(this.counters.hit(key, window, cost));
  }

  async close(): Promise<void> {}
}
