import { formatDay, turkeyDayOf, weekdayOf } from './turkey-time';

// How İYS counts the three business days of H467 is not documented (iys-api.md §7 rule 9). The simulator reads
// the rule as the law states it: a consent or refusal obtained on day D may be registered until the end of the
// third business day after D, where a business day is a weekday that is not in the holiday list. The day of
// collection itself never counts, so anything registered on the day it was obtained is always in time.
export const THREE_BUSINESS_DAYS = 3;

export function isBusinessDay(day: number, holidays: ReadonlySet<string>): boolean {
  const weekday = weekdayOf(day);
  if (weekday === 0 || weekday === 6) return false;
  return !holidays.has(formatDay(day));
}

/** Number of business days d with fromDay < d ≤ toDay. Stops counting once it exceeds `cap`. */
export function businessDaysAfter(
  fromDay: number,
  toDay: number,
  holidays: ReadonlySet<string>,
  cap = Infinity,
): number {
  let count = 0;
  for (let day = fromDay + 1; day <= toDay && count <= cap; day++) {
    if (isBusinessDay(day, holidays)) count++;
  }
  return count;
}

/** True when a movement obtained at `obtainedMs` may still be registered at `nowMs` (rule 9, H467). */
export function isWithinThreeBusinessDays(obtainedMs: number, nowMs: number, holidays: ReadonlySet<string>): boolean {
  const from = turkeyDayOf(obtainedMs);
  const to = turkeyDayOf(nowMs);
  if (to <= from) return true;
  // No holiday stretch in Turkey is long enough for 30 calendar days to hold fewer than 4 business days;
  // the shortcut keeps a 2016 consentDate from walking ten years of calendar.
  if (to - from > 30) return false;
  return businessDaysAfter(from, to, holidays, THREE_BUSINESS_DAYS) <= THREE_BUSINESS_DAYS;
}
