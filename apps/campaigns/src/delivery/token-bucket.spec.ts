import { DeliverySettings } from './delivery-settings';
import { bucketCapacity, returnTokens, takeTokens } from './token-bucket';

describe(takeTokens.name, () => {
  it('grants up to what is available and keeps the rest', () => {
    const r = takeTokens({ tokens: 10, refilledAt: 0 }, 0, 10, 4);
    expect(r).toEqual({ granted: 4, state: { tokens: 6, refilledAt: 0 }, waitMs: 0 });
  });

  it('refills with elapsed time, never beyond one second of sending', () => {
    expect(takeTokens({ tokens: 0, refilledAt: 0 }, 500, 10, 100).granted).toBe(5);
    expect(takeTokens({ tokens: 0, refilledAt: 0 }, 60_000, 10, 100).granted).toBe(10);
  });

  it('says how long to wait when nothing is there', () => {
    const r = takeTokens({ tokens: 0.5, refilledAt: 1000 }, 1000, 2, 10);
    expect(r.granted).toBe(0);
    expect(r.waitMs).toBe(250);
  });

  it('does not refill backwards when clocks disagree', () => {
    const r = takeTokens({ tokens: 1, refilledAt: 5000 }, 4000, 10, 5);
    expect(r.granted).toBe(1);
    expect(r.state.refilledAt).toBe(5000);
  });

  it('paces a stream of takers at the rate', () => {
    let state = { tokens: bucketCapacity(20), refilledAt: 0 };
    let sent = 0;
    for (let now = 0; now <= 10_000; now += 7) {
      const r = takeTokens(state, now, 20, 3);
      state = r.state;
      sent += r.granted;
    }
    // One second's burst plus ten seconds at 20/s.
    expect(sent).toBeGreaterThanOrEqual(215);
    expect(sent).toBeLessThanOrEqual(221);
  });

  it('takes unused tokens back up to capacity', () => {
    expect(returnTokens({ tokens: 3, refilledAt: 9 }, 5, 10)).toEqual({ tokens: 5, refilledAt: 9 });
  });
});

describe(DeliverySettings.name, () => {
  it('gives a slow campaign a small queue window and an unlimited one the full window', () => {
    const sut = new DeliverySettings({ chunkSize: 250, maxWindow: 32 });
    expect(sut.windowFor(null)).toBe(32);
    expect(sut.windowFor(1)).toBe(2);
    expect(sut.windowFor(1000)).toBe(8);
    expect(sut.windowFor(100_000)).toBe(32);
  });
});
