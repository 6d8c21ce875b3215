import type { Request } from 'express';
import type { AppConfig } from '@izinli/config';
import { Clock } from '@izinli/consent';
import { FixedWindowCounters, InMemoryRateLimitStore } from './rate-limit-store';
import { clientAddress, RequestRateLimits } from './rate-limits';

class FixedClock extends Clock {
  constructor(public at: number) {
    super();
  }
  now(): Date {
    return new Date(this.at);
  }
}

/** Memory standing for Redis: one store that several limiters (processes) count in together. */
class SharedMemoryStore extends InMemoryRateLimitStore {
  override readonly shared = true;
}

const limits = (over: Partial<AppConfig['rateLimits']> = {}): AppConfig =>
  ({
    rateLimits: {
      authFailuresPerMinute: 20,
      apiKeyPerMinute: 300_000,
      unsubscribePerIpPerMinute: 120,
      unsubscribePerTokenPerMinute: 20,
      ...over,
    },
  }) as AppConfig;

const flushed = () => new Promise((r) => setImmediate(r));

describe(FixedWindowCounters.name, () => {
  it('counts per window and starts again at zero in the next one', () => {
    const sut = new FixedWindowCounters();
    expect(sut.hit('a', 1)).toBe(1);
    expect(sut.hit('a', 1, 4)).toBe(5);
    expect(sut.hit('a', 2)).toBe(1);
  });

  it('never holds more than its cap, dropping the entry idle the longest', () => {
    const sut = new FixedWindowCounters(3);
    sut.hit('a', 1);
    sut.hit('b', 1);
    sut.hit('c', 1);
    sut.hit('a', 2); // a moves to the back
    sut.hit('d', 2); // b, idle the longest, goes
    expect(sut.size).toBe(3);
    expect(sut.hit('a', 2)).toBe(2);
    expect(sut.hit('b', 2)).toBe(1);
  });
});

describe(clientAddress.name, () => {
  const req = (ip: string) => ({ ip, socket: {} }) as unknown as Request;
  it('counts IPv4 as it is, an IPv4-mapped IPv6 address as IPv4, and IPv6 by its /64', () => {
    expect(clientAddress(req('203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddress(req('::ffff:203.0.113.7'))).toBe('203.0.113.7');
    expect(clientAddress(req('2001:db8:1:2:aaaa::1'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(req('2001:db8:1:2:ffff:ffff:ffff:fffe'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(req('2001:db8::1'))).toBe('2001:db8:0:0::/64');
    expect(clientAddress(req('::1'))).toBe('0:0:0:0::/64');
  });
});

describe(RequestRateLimits.name, () => {
  it('blocks an address once it reaches the failure limit and answers 429 past it, until the window ends', async () => {
    const clock = new FixedClock(Date.UTC(2031, 0, 1, 0, 0, 15));
    const sut = new RequestRateLimits(limits({ authFailuresPerMinute: 3 }), new InMemoryRateLimitStore(), clock);
    expect(await sut.failedAuth('a')).toBe(0);
    expect(await sut.failedAuth('a')).toBe(0);
    expect(sut.authBlockedFor('a')).toBe(0);
    expect(await sut.failedAuth('a')).toBe(0);
    expect(sut.authBlockedFor('a')).toBe(45_000);
    expect(await sut.failedAuth('a')).toBe(45_000);
    expect(sut.authBlockedFor('b')).toBe(0);
    clock.at += 45_000;
    expect(sut.authBlockedFor('a')).toBe(0);
    expect(sut.anyAddressBlocked()).toBe(false);
  });

  it('holds the per-key ceiling across processes without waiting on the store, within one batch each', async () => {
    const clock = new FixedClock(Date.UTC(2031, 0, 1, 0, 0, 0));
    const store = new SharedMemoryStore();
    const hit = jest.spyOn(store, 'hit');
    const config = limits({ apiKeyPerMinute: 10_000 }); // batches of 10
    const processes = [new RequestRateLimits(config, store, clock), new RequestRateLimits(config, store, clock)];
    let accepted = 0;
    for (let i = 0; i < 12_000; i++) {
      if (processes[i % 2].apiKeyRequest('sp:1') === 0) accepted++;
      if (i % 50 === 0) await flushed();
    }
    // Each process may overshoot by what it had not yet flushed when the other's last batch landed.
    expect(accepted).toBeGreaterThanOrEqual(10_000);
    expect(accepted).toBeLessThanOrEqual(10_000 + 2 * 60);
    // One store call per batch, not per request.
    expect(hit.mock.calls.length).toBeLessThan(1_200);
    clock.at += 60_000;
    expect(processes[0].apiKeyRequest('sp:1')).toBe(0);
  });

  it('lets every request through when the store does not answer', async () => {
    const store = new InMemoryRateLimitStore();
    jest.spyOn(store, 'hit').mockRejectedValue(new Error('down'));
    const sut = new RequestRateLimits(limits({ authFailuresPerMinute: 1 }), store, new FixedClock(0));
    expect(await sut.failedAuth('a')).toBe(0);
    expect(await sut.failedAuth('a')).toBe(0);
    expect(await sut.unsubscribeRequest('a', 't')).toBe(0);
  });
});
