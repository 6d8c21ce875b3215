import {
  formatDay,
  formatTurkeyDateTime,
  parseTurkeyDateTime,
  parseTurkeyDay,
  turkeyDayOf,
  weekdayOf,
} from './turkey-time';

describe('turkey-time', () => {
  it('formats an instant in Turkey time (UTC+3)', () => {
    expect(formatTurkeyDateTime(Date.UTC(2025, 2, 10, 11, 5, 0))).toBe('2025-03-10 14:05:00');
    expect(formatTurkeyDateTime(Date.UTC(2025, 11, 31, 21, 0, 0))).toBe('2026-01-01 00:00:00');
  });

  it('parses a consentDate as Turkey time and round-trips it', () => {
    const parsed = parseTurkeyDateTime('2025-03-10 14:05:00');
    expect(parsed).toEqual({ ok: true, ms: Date.UTC(2025, 2, 10, 11, 5, 0) });
  });

  it('tells a badly shaped date (H158) from a non-existent one (H157)', () => {
    expect(parseTurkeyDateTime('2025-03-10T14:05:00')).toEqual({ ok: false, reason: 'format' });
    expect(parseTurkeyDateTime('10.03.2025 14:05:00')).toEqual({ ok: false, reason: 'format' });
    expect(parseTurkeyDateTime('2025-02-29 10:00:00')).toEqual({ ok: false, reason: 'invalid' });
    expect(parseTurkeyDateTime('2025-03-10 24:00:00')).toEqual({ ok: false, reason: 'invalid' });
    expect(parseTurkeyDateTime('2024-02-29 10:00:00').ok).toBe(true);
  });

  it('maps instants to Turkey calendar days and weekdays', () => {
    // 2025-03-09 22:30 UTC is already Monday 10 March in Turkey.
    const day = turkeyDayOf(Date.UTC(2025, 2, 9, 22, 30));
    expect(formatDay(day)).toBe('2025-03-10');
    expect(weekdayOf(day)).toBe(1);
    expect(parseTurkeyDay('2025-03-10')).toBe(day);
    expect(parseTurkeyDay('2025-13-01')).toBeNull();
  });
});
