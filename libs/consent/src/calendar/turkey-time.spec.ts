import {
  IysDateError,
  endOfTurkeyDay,
  startOfTurkeyDay,
  formatIysDate,
  parseIysDate,
  toTurkeyDateString,
  turkeyDayOf,
  turkeyOffsetMinutes,
  tryParseIysDate,
} from './turkey-time';

const istanbul = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Istanbul',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

function icuOffsetMinutes(ms: number): number {
  const parts = Object.fromEntries(istanbul.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!);
  return Math.round((wall - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

describe('Turkey time', () => {
  it('agrees with the time-zone database, hour by hour, from 2007 to 2018', () => {
    const mismatches: string[] = [];
    for (let ms = Date.UTC(2007, 0, 1); ms < Date.UTC(2018, 0, 1); ms += 3_600_000) {
      if (turkeyOffsetMinutes(ms) !== icuOffsetMinutes(ms)) {
        mismatches.push(new Date(ms).toISOString());
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('is UTC+3 all year since 2016', () => {
    expect(turkeyOffsetMinutes(new Date('2016-12-15T12:00:00Z'))).toBe(180);
    expect(turkeyOffsetMinutes(new Date('2026-01-15T12:00:00Z'))).toBe(180);
    expect(turkeyOffsetMinutes(new Date('2015-12-15T12:00:00Z'))).toBe(120);
    expect(turkeyOffsetMinutes(new Date('2015-11-07T12:00:00Z'))).toBe(180);
  });

  it.each([
    ['2025-06-05T20:59:59.999Z', '2025-06-05'],
    ['2025-06-05T21:00:00.000Z', '2025-06-06'],
    ['2015-12-31T21:59:59.000Z', '2015-12-31'],
    ['2015-12-31T22:00:00.000Z', '2016-01-01'],
  ])('puts %s on the Turkey day %s', (instant, day) => {
    expect(toTurkeyDateString(new Date(instant))).toBe(day);
  });

  it('describes the Turkey day with its weekday', () => {
    expect(turkeyDayOf(new Date('2024-06-14T22:30:00Z'))).toEqual({
      iso: '2024-06-15',
      year: 2024,
      month: 6,
      day: 15,
      weekday: 6,
    });
  });

  it.each([
    ['2025-03-10T11:05:00.000Z', '2025-03-10 14:05:00'],
    ['2025-03-10T11:05:00.999Z', '2025-03-10 14:05:00'],
    ['2025-12-31T21:00:00.000Z', '2026-01-01 00:00:00'],
    ['2015-04-30T21:00:00.000Z', '2015-05-01 00:00:00'],
    ['2016-01-15T10:00:00.000Z', '2016-01-15 12:00:00'],
  ])('formats %s for İYS as %s', (instant, wire) => {
    expect(formatIysDate(new Date(instant))).toBe(wire);
  });

  it.each([
    ['2025-03-10 14:05:00', '2025-03-10T11:05:00.000Z'],
    ['2015-05-01 00:00:00', '2015-04-30T21:00:00.000Z'],
    ['2016-01-15 12:00:00', '2016-01-15T10:00:00.000Z'],
    ['2024-02-29 23:59:59', '2024-02-29T20:59:59.000Z'],
    // The repeated hour when summer time ended in 2015 resolves to its first occurrence.
    ['2015-11-08 03:30:00', '2015-11-08T00:30:00.000Z'],
  ])('parses %s as %s', (wire, instant) => {
    expect(parseIysDate(wire).toISOString()).toBe(instant);
  });

  it('round-trips every hour from 2015 to 2026, except the hour repeated in November 2015', () => {
    const failures: string[] = [];
    for (let ms = Date.UTC(2015, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 3_600_000) {
      if (parseIysDate(formatIysDate(new Date(ms))).getTime() !== ms) {
        failures.push(new Date(ms).toISOString());
      }
    }
    expect(failures).toEqual(['2015-11-08T01:00:00.000Z']);
  });

  it.each([
    ['2025-03-10T14:05:00', 'INVALID_DATE_FORMAT'],
    ['2025-03-10 14:05', 'INVALID_DATE_FORMAT'],
    ['10.03.2025 14:05:00', 'INVALID_DATE_FORMAT'],
    [' 2025-03-10 14:05:00', 'INVALID_DATE_FORMAT'],
    ['', 'INVALID_DATE_FORMAT'],
    ['2023-02-29 10:00:00', 'INVALID_DATE'],
    ['2025-13-01 10:00:00', 'INVALID_DATE'],
    ['2025-04-31 10:00:00', 'INVALID_DATE'],
    ['2025-00-10 10:00:00', 'INVALID_DATE'],
    ['2025-03-10 24:00:00', 'INVALID_DATE'],
    ['2025-03-10 23:60:00', 'INVALID_DATE'],
    ['2025-03-10 23:59:60', 'INVALID_DATE'],
    // Clocks jumped from 03:00 to 04:00 on 27 March 2016.
    ['2016-03-27 03:30:00', 'INVALID_DATE'],
  ])('refuses %j with %s', (wire, code) => {
    expect(() => parseIysDate(wire)).toThrow(IysDateError);
    expect(() => parseIysDate(wire)).toThrow(expect.objectContaining({ code }));
    expect(tryParseIysDate(wire)).toBeNull();
  });

  it('gives the first and last instants of a Turkey day', () => {
    expect(startOfTurkeyDay('2025-06-06').toISOString()).toBe('2025-06-05T21:00:00.000Z');
    expect(endOfTurkeyDay('2025-06-06').toISOString()).toBe('2025-06-06T20:59:59.999Z');
    expect(startOfTurkeyDay('2015-01-15').toISOString()).toBe('2015-01-14T22:00:00.000Z');
    expect(() => startOfTurkeyDay('2025-02-30')).toThrow(RangeError);
  });

  it('refuses an invalid Date', () => {
    expect(() => formatIysDate(new Date('nonsense'))).toThrow(RangeError);
  });
});
