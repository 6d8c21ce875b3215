import { DataSource } from 'typeorm';
import { BusinessCalendar } from '../calendar';
import { Clock } from '../clock';
import { IysOutboxMonitor } from './outbox-monitor';
import { DEFAULT_SYNC_SETTINGS } from './sync-settings';

class FixedClock extends Clock {
  constructor(public at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
}

describe(IysOutboxMonitor.name, () => {
  const sut = (at: string) =>
    new IysOutboxMonitor(
      null as unknown as DataSource,
      new BusinessCalendar(),
      new FixedClock(new Date(at)),
      DEFAULT_SYNC_SETTINGS,
    );

  // A row is at risk when its deadline (the end of a Turkey day) is no later than the end of the next business day.
  it.each([
    ['a Wednesday', '2026-11-25T09:00:00Z', '2026-11-26T20:59:59.999Z'],
    ['a Friday', '2026-11-27T09:00:00Z', '2026-11-30T20:59:59.999Z'],
    ['a Saturday', '2026-11-28T09:00:00Z', '2026-11-30T20:59:59.999Z'],
    ['the day before Republic Day (29 October 2026, a Thursday)', '2026-10-28T09:00:00Z', '2026-10-30T20:59:59.999Z'],
  ])('on %s the risk threshold is the end of the next business day', (_name, now, threshold) => {
    expect(sut(now).riskThreshold().toISOString()).toBe(threshold);
  });

  it('puts a fresh movement out of risk and one with a day left in it', () => {
    const calendar = new BusinessCalendar();
    const now = new Date('2026-11-25T09:00:00Z');
    const threshold = sut(now.toISOString()).riskThreshold();
    expect(calendar.registrationDeadline(now).getTime()).toBeGreaterThan(threshold.getTime());
    expect(calendar.registrationDeadline(new Date('2026-11-23T09:00:00Z')).getTime()).toBeLessThanOrEqual(
      threshold.getTime(),
    );
  });
});
