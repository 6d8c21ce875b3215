import { TurkeyDay, dayFromNumber, dayNumberOf, formatIsoDay, parseIsoDay } from './calendar-day';

/**
 * Turkey's civil time, without the ICU time-zone database.
 *
 * Turkey has kept UTC+3 all year since 2016: clocks went forward on 27 March 2016 and were never turned back
 * (a government decision of September 2016 made summer time permanent). Before that it used UTC+2 with European-style
 * summer time (UTC+3), with its own exceptions (2011 and 2014 started a day late; 2015 ended two weeks late).
 * The table below reproduces Europe/Istanbul from 2007 on; earlier instants follow the European rule, which
 * is close but not exact and matters to nobody here: İYS refuses consent dates before 2015-05-01. Every date
 * İYS has ever exchanged (it opened in 2020) is in the UTC+3 era, where its documented "GMT+3" and Turkey's
 * civil time are the same thing.
 */
const PERMANENT_UTC3_SINCE = Date.UTC(2016, 2, 27, 1);
const SUMMER_TIME: ReadonlyMap<number, readonly [start: number, end: number]> = new Map([
  [2007, [Date.UTC(2007, 2, 25, 1), Date.UTC(2007, 9, 28, 1)]],
  [2008, [Date.UTC(2008, 2, 30, 1), Date.UTC(2008, 9, 26, 1)]],
  [2009, [Date.UTC(2009, 2, 29, 1), Date.UTC(2009, 9, 25, 1)]],
  [2010, [Date.UTC(2010, 2, 28, 1), Date.UTC(2010, 9, 31, 1)]],
  [2011, [Date.UTC(2011, 2, 28, 1), Date.UTC(2011, 9, 30, 1)]],
  [2012, [Date.UTC(2012, 2, 25, 1), Date.UTC(2012, 9, 28, 1)]],
  [2013, [Date.UTC(2013, 2, 31, 1), Date.UTC(2013, 9, 27, 1)]],
  [2014, [Date.UTC(2014, 2, 31, 1), Date.UTC(2014, 9, 26, 1)]],
  [2015, [Date.UTC(2015, 2, 29, 1), Date.UTC(2015, 10, 8, 1)]],
]);

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const IYS_DATE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Turkey's offset from UTC, in minutes, at an instant. */
export function turkeyOffsetMinutes(at: Date | number): number {
  const ms = typeof at === 'number' ? at : at.getTime();
  if (ms >= PERMANENT_UTC3_SINCE) {
    return 180;
  }
  const year = new Date(ms).getUTCFullYear();
  const [start, end] = SUMMER_TIME.get(year) ?? europeanSummerTime(year);
  return ms >= start && ms < end ? 180 : 120;
}

function europeanSummerTime(year: number): readonly [number, number] {
  return [Date.UTC(year, 2, lastSunday(year, 2), 1), Date.UTC(year, 9, lastSunday(year, 9), 1)];
}

function lastSunday(year: number, monthIndex: number): number {
  const last = new Date(Date.UTC(year, monthIndex + 1, 0));
  return last.getUTCDate() - last.getUTCDay();
}

/** The Turkey calendar day an instant falls on. */
export function turkeyDayOf(date: Date): TurkeyDay {
  return dayFromNumber(turkeyDayNumber(date));
}

/** The day number (days since 1970-01-01) of the Turkey calendar day an instant falls on. */
export function turkeyDayNumber(date: Date): number {
  const ms = requireValid(date);
  return Math.floor((ms + turkeyOffsetMinutes(ms) * MS_PER_MINUTE) / MS_PER_DAY);
}

/** `YYYY-MM-DD` of the Turkey calendar day an instant falls on. */
export function toTurkeyDateString(date: Date): string {
  return turkeyDayOf(date).iso;
}

/** İYS's wire format for an instant: `YYYY-MM-DD HH:mm:ss`, Turkey time, seconds truncated (iys-api.md §2). */
export function formatIysDate(date: Date): string {
  const ms = requireValid(date);
  const local = new Date(ms + turkeyOffsetMinutes(ms) * MS_PER_MINUTE);
  const day = formatIsoDay(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
  const time = [local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
  return `${day} ${time}`;
}

/** Why an İYS date string was refused; the codes mirror İYS's H158 (format) and H157 (not a real date). */
export class IysDateError extends Error {
  constructor(
    readonly code: 'INVALID_DATE_FORMAT' | 'INVALID_DATE',
    message: string,
  ) {
    super(message);
    this.name = 'IysDateError';
  }
}

/**
 * Parses İYS's `YYYY-MM-DD HH:mm:ss` as Turkey time. Throws IysDateError for any other shape, for dates that
 * do not exist (2023-02-29, 24:00:00) and for the hour skipped when summer time began before 2016.
 */
export function parseIysDate(value: string): Date {
  const match = typeof value === 'string' ? IYS_DATE.exec(value) : null;
  if (!match) {
    throw new IysDateError('INVALID_DATE_FORMAT', `'${String(value)}' is not in the form YYYY-MM-DD HH:mm:ss`);
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const dayNumber = dayNumberOf(year, month, day);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new IysDateError('INVALID_DATE', `'${value}' is not a real date and time`);
  }
  const instant = turkeyLocalToInstant(dayNumber, ((hour * 60 + minute) * 60 + second) * 1000);
  if (instant === null) {
    throw new IysDateError('INVALID_DATE', `'${value}' did not exist in Turkey: clocks skipped that hour`);
  }
  return instant;
}

/** Like parseIysDate, but answers null instead of throwing. */
export function tryParseIysDate(value: string): Date | null {
  try {
    return parseIysDate(value);
  } catch {
    return null;
  }
}

/** 00:00:00.000 Turkey time of a `YYYY-MM-DD` calendar day. */
export function startOfTurkeyDay(day: string): Date {
  return startOfTurkeyDayNumber(parseIsoDay(day));
}

/** 23:59:59.999 Turkey time of a `YYYY-MM-DD` calendar day: the last instant that still belongs to it. */
export function endOfTurkeyDay(day: string): Date {
  return endOfTurkeyDayNumber(parseIsoDay(day));
}

export function startOfTurkeyDayNumber(dayNumber: number): Date {
  // Turkey changed its clocks at 03:00/04:00 local, so midnight always existed exactly once.
  return turkeyLocalToInstant(dayNumber, 0)!;
}

export function endOfTurkeyDayNumber(dayNumber: number): Date {
  return new Date(startOfTurkeyDayNumber(dayNumber + 1).getTime() - 1);
}

/**
 * The instant of a Turkey wall-clock time, or null if that wall-clock time was skipped. A wall-clock time
 * that happened twice (the hour repeated when summer time ended) resolves to its first occurrence.
 */
export function turkeyLocalToInstant(dayNumber: number, msOfDay: number): Date | null {
  const local = dayNumber * MS_PER_DAY + msOfDay;
  for (const offset of [180, 120]) {
    const candidate = local - offset * MS_PER_MINUTE;
    if (turkeyOffsetMinutes(candidate) === offset) {
      return new Date(candidate);
    }
  }
  return null;
}

/** Milliseconds since Turkey midnight of an instant. */
export function turkeyMsOfDay(date: Date): number {
  const ms = requireValid(date);
  const local = ms + turkeyOffsetMinutes(ms) * MS_PER_MINUTE;
  return ((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function requireValid(date: Date): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new RangeError('Invalid Date');
  }
  return ms;
}
