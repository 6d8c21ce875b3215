// İYS speaks Turkey local time on the wire ("YYYY-MM-DD HH:mm:ss", GMT+3, iys-api.md §2). Turkey has kept a
// fixed UTC+3 offset since 2016, so a constant offset is exact and avoids depending on the host's TZ database.
export const TURKEY_OFFSET_MS = 3 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

const DATE_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export type ParsedDateTime = { ok: true; ms: number } | { ok: false; reason: 'format' | 'invalid' };

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Epoch milliseconds → "YYYY-MM-DD HH:mm:ss" in Turkey time. */
export function formatTurkeyDateTime(ms: number): string {
  const d = new Date(ms + TURKEY_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** Epoch milliseconds → "YYYY-MM-DD" (the Turkey calendar day). */
export function formatTurkeyDate(ms: number): string {
  return formatTurkeyDateTime(ms).slice(0, 10);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses a consentDate. The two failure reasons map to two İYS codes: a string that is not shaped like the
 * format is H158, a well-shaped string naming a day or time that does not exist (2025-02-30) is H157.
 */
export function parseTurkeyDateTime(value: string): ParsedDateTime {
  const m = DATE_TIME_PATTERN.exec(value);
  if (!m) return { ok: false, reason: 'format' };
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return { ok: false, reason: 'invalid' };
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, reason: 'invalid' };
  return { ok: true, ms: Date.UTC(year, month - 1, day, hour, minute, second) - TURKEY_OFFSET_MS };
}

/** Parses "YYYY-MM-DD" as a Turkey calendar day number (days since 1970-01-01), or null when it is not one. */
export function parseTurkeyDay(value: string): number | null {
  const m = DATE_PATTERN.exec(value);
  if (!m) return null;
  const [year, month, day] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The Turkey calendar day number an instant falls on. */
export function turkeyDayOf(ms: number): number {
  return Math.floor((ms + TURKEY_OFFSET_MS) / DAY_MS);
}

/** Day number → "YYYY-MM-DD". */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 (day 0) was a Thursday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}
