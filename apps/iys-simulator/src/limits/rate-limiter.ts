// İYS's limits (iys-api.md §8) as fixed-window counters keyed by client. One Map lookup and an addition per
// request: cheap enough to leave on in front of every endpoint.

interface Window {
  start: number;
  count: number;
}

/** Fixed windows aligned to multiples of `windowMs` ("10 per second" = per wall-clock second). */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs: number) {}

  /** Counts one request; true when it is within `limit`. */
  hit(key: string, nowMs: number, limit: number): boolean {
    const start = nowMs - (nowMs % this.windowMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      // Stale keys are replaced in place, so the map only ever holds one window per client.
      w = { start, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count <= limit;
  }

  clear(): void {
    this.windows.clear();
  }
}

/**
 * The token endpoint's hourly limit (H084): the window opens at a client's first request; once the limit is
 * reached every further request is refused *and restarts the window*, so a client that keeps retrying stays
 * locked out until it has been quiet for a whole window ([SPEC] "retrying before the window ends restarts the
 * 1-hour counter").
 */
export class RestartingWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs: number) {}

  hit(key: string, nowMs: number, limit: number): boolean {
    let w = this.windows.get(key);
    if (!w || nowMs - w.start >= this.windowMs) {
      w = { start: nowMs, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count >= limit) {
      w.start = nowMs;
      return false;
    }
    w.count++;
    return true;
  }

  clear(): void {
    this.windows.clear();
  }
}

export const SECOND_MS = 1000;
export const HOUR_MS = 60 * 60 * 1000;

export type LimitName = 'perSecond' | 'tokenPerHour' | 'statusPerHour' | 'historyPerHour';

/** The four limits of one simulator instance. */
export class RateLimits {
  readonly perSecond = new FixedWindowLimiter(SECOND_MS);
  readonly tokenPerHour = new RestartingWindowLimiter(HOUR_MS);
  readonly statusPerHour = new FixedWindowLimiter(HOUR_MS);
  readonly historyPerHour = new FixedWindowLimiter(HOUR_MS);

  clear(): void {
    this.perSecond.clear();
    this.tokenPerHour.clear();
    this.statusPerHour.clear();
    this.historyPerHour.clear();
  }
}
