import { FixedWindowLimiter, HOUR_MS, RestartingWindowLimiter } from './rate-limiter';

describe(FixedWindowLimiter.name, () => {
  it('allows `limit` requests per aligned window and per client', () => {
    const sut = new FixedWindowLimiter(1000);
    const t = 5_000;
    const results = Array.from({ length: 11 }, () => sut.hit('a', t + 10, 10));
    expect(results.filter(Boolean)).toHaveLength(10);
    expect(sut.hit('b', t + 20, 10)).toBe(true);
    expect(sut.hit('a', t + 1000, 10)).toBe(true);
  });
});

describe(RestartingWindowLimiter.name, () => {
  it('restarts the hour when a blocked client keeps asking (H084)', () => {
    const sut = new RestartingWindowLimiter(HOUR_MS);
    for (let i = 0; i < 10; i++) expect(sut.hit('ip', i, 10)).toBe(true);
    expect(sut.hit('ip', 30 * 60_000, 10)).toBe(false);
    // An hour after the first request, but only 30 min after the refused one: still blocked.
    expect(sut.hit('ip', HOUR_MS + 1, 10)).toBe(false);
    // A full quiet hour after the last refusal opens a new window.
    expect(sut.hit('ip', 2 * HOUR_MS + 2, 10)).toBe(true);
  });
});
