import { DEFAULT_IYS_RATE_LIMIT, InProcessIysRateLimiter, slotWaitMs } from './iys-rate-limiter';

describe(slotWaitMs.name, () => {
  it('is 0 while fewer slots are held than the caller may use', () => {
    expect(slotWaitMs([1100, 1200], 1000, 10, 0)).toBe(0);
  });

  it('waits for the slot that frees first among those the caller would need', () => {
    const held = [1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900, 2000];
    expect(slotWaitMs(held, 1000, 10, 0)).toBe(100);
    // Two slots of headroom: the caller needs three of the ten to free.
    expect(slotWaitMs(held, 1000, 8, 0)).toBe(300);
  });

  it('waits out a pause first', () => {
    expect(slotWaitMs([], 1000, 10, 1500)).toBe(500);
  });
});

describe(InProcessIysRateLimiter.name, () => {
  let now: number;
  let sut: InProcessIysRateLimiter;

  beforeEach(() => {
    now = 1_000_000;
    sut = new InProcessIysRateLimiter(DEFAULT_IYS_RATE_LIMIT, () => now);
  });

  it('gives out ten slots and then none until an answer has been back for a window', async () => {
    const permits = [];
    for (let i = 0; i < 10; i++) permits.push(await sut.acquire('urgent', 0));
    expect(permits.every((p) => p !== null)).toBe(true);
    expect(await sut.acquire('urgent', 0)).toBeNull();
    // Still in flight long after: in-flight slots stay taken.
    now += 5_000;
    expect(await sut.acquire('urgent', 0)).toBeNull();
    permits[0]!.release();
    now += DEFAULT_IYS_RATE_LIMIT.windowMs - 1;
    expect(await sut.acquire('urgent', 0)).toBeNull();
    now += 1;
    expect(await sut.acquire('urgent', 0)).not.toBeNull();
  });

  it('keeps headroom: background leaves five slots, normal two', async () => {
    for (let i = 0; i < 5; i++) expect(await sut.acquire('background', 0)).not.toBeNull();
    expect(await sut.acquire('background', 0)).toBeNull();
    for (let i = 0; i < 3; i++) expect(await sut.acquire('normal', 0)).not.toBeNull();
    expect(await sut.acquire('normal', 0)).toBeNull();
    for (let i = 0; i < 2; i++) expect(await sut.acquire('urgent', 0)).not.toBeNull();
    expect(await sut.acquire('urgent', 0)).toBeNull();
  });

  it('gives nothing out during a pause', async () => {
    await sut.pause(1_000);
    expect(await sut.acquire('urgent', 0)).toBeNull();
    now += 1_000;
    expect(await sut.acquire('urgent', 0)).not.toBeNull();
  });
});
