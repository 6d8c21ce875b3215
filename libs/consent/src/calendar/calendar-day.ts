const MS_PER_DAY = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A civil date with no time or zone: what a holiday table and a deadline count in. */
export interface TurkeyDay {
  /** `YYYY-MM-DD`. */
  readonly iso: string;
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  /** 1 to 31. */
  readonly day: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly weekday: number;
}

/** Days since 1970-01-01 of a civil date; the arithmetic base for counting days. */
export function dayNumberOf(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

export function dayFromNumber(dayNumber: number): TurkeyDay {
  const date = new Date(dayNumber * MS_PER_DAY);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  return { iso: formatIsoDay(year, month, day), year, month, day, weekday: date.getUTCDay() };
}

/** Parses `YYYY-MM-DD`, refusing dates that do not exist (2023-02-29) with a RangeError. */
export function parseIsoDay(value: string): number {
  const match = typeof value === 'string' ? ISO_DAY.exec(value) : null;
  if (!match) {
    throw new RangeError(`'${String(value)}' is not a day in the form YYYY-MM-DD`);
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const dayNumber = dayNumberOf(year, month, day);
  if (month < 1 || month > 12 || dayFromNumber(dayNumber).day !== day) {
    throw new RangeError(`'${value}' is not a real date`);
  }
  return dayNumber;
}

export function formatIsoDay(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function weekdayOf(dayNumber: number): number {
  // 1970-01-01 was a Thursday (4).
  return (((dayNumber + 4) % 7) + 7) % 7;
}
