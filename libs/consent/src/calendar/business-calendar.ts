import { dayFromNumber, parseIsoDay, weekdayOf } from './calendar-day';
import {
  HOLIDAY_DATA_FIRST_YEAR,
  HOLIDAY_DATA_LAST_YEAR,
  HolidayEntry,
  mergeHolidayEntries,
  turkishHolidaysOf,
} from './turkish-holidays';
import { endOfTurkeyDayNumber, turkeyDayNumber, turkeyLocalToInstant, turkeyMsOfDay } from './turkey-time';

/** What `isHoliday` answers for a holiday. */
export interface HolidayInfo {
  readonly name: string;
  /** True for an eve that is a holiday from 13:00 only (arife, 28 October). */
  readonly halfDay: boolean;
}

/** An operator's extra holiday: a bare `YYYY-MM-DD` (a full day), or a day with its name and length. */
export type ExtraHoliday = string | { readonly date: string; readonly name?: string; readonly halfDay?: boolean };

/** A day to ask about: a `YYYY-MM-DD` calendar day, or an instant, read as its Turkey calendar day. */
export type DayInput = string | Date;

/**
 * How many business days İYS allows between a consent obtained outside İYS and its registration
 * (compliance.md §3.2; İYS answers H467 after that).
 */
export const REGISTRATION_BUSINESS_DAYS = 3;

/**
 * Turkish business days: Monday to Friday, less the official public holidays of `turkish-holidays.ts` and any
 * extra days an operator adds.
 *
 * Decisions, applied everywhere:
 * - A half-day holiday (the eve of a bayram, 28 October) is a business day: the holiday starts at 13:00 and
 *   offices work in the morning. `isHalfDay` tells it apart.
 * - Days are Turkey calendar days (UTC+3); an instant is first mapped to the Turkey day it falls on.
 * - Outside 2015–2030 only weekends and the fixed holidays are known; the religious holidays are missing, which
 *   makes every count shorter and so every deadline earlier, never later. `covers` tells whether a day is
 *   within the data.
 */
export class BusinessCalendar {
  private readonly extra: ReadonlyMap<number, HolidayEntry>;
  private readonly extraEntries: readonly HolidayEntry[];
  private readonly years = new Map<number, ReadonlyMap<number, HolidayInfo>>();
  /** Registration deadline (epoch ms) per Turkey day number: an import asks for the same few days a million times. */
  private readonly deadlines = new Map<number, number>();

  constructor(extraHolidays: Iterable<ExtraHoliday> = []) {
    this.extraEntries = [...extraHolidays].map(toEntry);
    this.extra = new Map(mergeHolidayEntries(this.extraEntries).map((entry) => [parseIsoDay(entry.date), entry]));
  }

  /** A new calendar with these holidays added to this one's. This calendar is not changed. */
  withHolidays(extraHolidays: Iterable<ExtraHoliday>): BusinessCalendar {
    return new BusinessCalendar([...this.extraEntries, ...[...extraHolidays].map(toEntry)]);
  }

  /** True when the official holiday data covers the day's year. */
  covers(day: DayInput): boolean {
    const { year } = dayFromNumber(toDayNumber(day));
    return year >= HOLIDAY_DATA_FIRST_YEAR && year <= HOLIDAY_DATA_LAST_YEAR;
  }

  /** The holiday on a day, whether it falls on a weekday or not; null when the day is no holiday. */
  isHoliday(day: DayInput): HolidayInfo | null {
    return this.holidayOn(toDayNumber(day));
  }

  isHalfDay(day: DayInput): boolean {
    return this.holidayOn(toDayNumber(day))?.halfDay === true;
  }

  /** Monday to Friday and not a full-day holiday. Half-day holidays are business days. */
  isBusinessDay(day: DayInput): boolean {
    return this.isBusinessDayNumber(toDayNumber(day));
  }

  /**
   * The instant `n` business days after `from` (before it, for negative `n`), at the same Turkey wall-clock
   * time. The day of `from` itself is never counted, whether it is a business day or not; n = 0 returns `from`.
   */
  addBusinessDays(from: Date, n: number): Date {
    if (!Number.isInteger(n)) {
      throw new RangeError(`n must be a whole number of business days, not ${n}`);
    }
    if (n === 0) {
      return new Date(from.getTime());
    }
    const target = this.stepBusinessDays(turkeyDayNumber(from), n);
    const msOfDay = turkeyMsOfDay(from);
    // The only wall-clock hours that ever failed to exist were summer-time starts before 2016; take the
    // instant an hour later, which is what a clock showed then.
    return turkeyLocalToInstant(target, msOfDay) ?? turkeyLocalToInstant(target, msOfDay + 3_600_000)!;
  }

  /**
   * The last instant at which a consent obtained outside İYS may still be registered: the end (23:59:59.999,
   * Turkey time) of the 3rd business day after the Turkey day of `consentDate`.
   *
   * iys-api.md §7 rule 9 (H467) allows a consentDate "at most 3 business days before the request" and leaves
   * the counting undocumented; the Regulation says consents are registered "within three business days".
   * We count as Turkish law counts periods in days: the day of the event is not counted, only business days
   * count, and the period runs to the end of its last day. So a consent given on Friday (or on Saturday)
   * may be registered until the end of Wednesday, when no holiday intervenes.
   */
  registrationDeadline(consentDate: Date): Date {
    const day = turkeyDayNumber(consentDate);
    let deadline = this.deadlines.get(day);
    if (deadline === undefined) {
      deadline = endOfTurkeyDayNumber(this.stepBusinessDays(day, REGISTRATION_BUSINESS_DAYS)).getTime();
      // The calendar never changes (withHolidays makes a new one); the bound only keeps odd callers from growing it.
      if (this.deadlines.size >= 4096) this.deadlines.clear();
      this.deadlines.set(day, deadline);
    }
    return new Date(deadline);
  }

  /** Whether a consent given at `consentDate` may still be registered at `at` (the H467 rule, inverted). */
  isWithinRegistrationWindow(consentDate: Date, at: Date): boolean {
    return at.getTime() <= this.registrationDeadline(consentDate).getTime();
  }

  /**
   * The number of business days after `a`'s day up to and including `b`'s day, and the negative of the
   * same count with the two swapped when `b` is before `a` (so `between(a, b) === -between(b, a)`).
   * `businessDaysBetween(x, addBusinessDays(x, n)) === n` for n > 0, and for n < 0 when x is a business day.
   */
  businessDaysBetween(a: DayInput, b: DayInput): number {
    const from = toDayNumber(a);
    const to = toDayNumber(b);
    const [low, high, sign] = from <= to ? [from, to, 1] : [to, from, -1];
    let count = 0;
    for (let dayNumber = low + 1; dayNumber <= high; dayNumber++) {
      if (this.isBusinessDayNumber(dayNumber)) {
        count++;
      }
    }
    return sign * count;
  }

  /** Every holiday of a year, official and extra, sorted by date. */
  holidaysIn(year: number): (HolidayInfo & { readonly date: string })[] {
    const official = turkishHolidaysOf(year);
    const extra = this.extraEntries.filter((entry) => entry.date.startsWith(`${year}-`));
    return mergeHolidayEntries([...official, ...extra]).map(({ date, name, halfDay }) => ({ date, name, halfDay }));
  }

  private isBusinessDayNumber(dayNumber: number): boolean {
    const weekday = weekdayOf(dayNumber);
    if (weekday === 0 || weekday === 6) {
      return false;
    }
    const holiday = this.holidayOn(dayNumber);
    return holiday === null || holiday.halfDay;
  }

  private stepBusinessDays(fromDay: number, n: number): number {
    const step = Math.sign(n);
    let remaining = Math.abs(n);
    let dayNumber = fromDay;
    while (remaining > 0) {
      dayNumber += step;
      if (this.isBusinessDayNumber(dayNumber)) {
        remaining--;
      }
    }
    return dayNumber;
  }

  private holidayOn(dayNumber: number): HolidayInfo | null {
    const official = this.officialHolidays(dayFromNumber(dayNumber).year).get(dayNumber);
    const extra = this.extra.get(dayNumber);
    if (official && extra) {
      // A full-day holiday wins over a half day, whichever of the two the operator added.
      return { name: `${official.name} + ${extra.name}`, halfDay: official.halfDay && extra.halfDay };
    }
    const found = official ?? extra;
    return found ? { name: found.name, halfDay: found.halfDay } : null;
  }

  private officialHolidays(year: number): ReadonlyMap<number, HolidayInfo> {
    let table = this.years.get(year);
    if (!table) {
      table = new Map(
        turkishHolidaysOf(year).map((entry) => [parseIsoDay(entry.date), { name: entry.name, halfDay: entry.halfDay }]),
      );
      this.years.set(year, table);
    }
    return table;
  }
}

function toEntry(extra: ExtraHoliday): HolidayEntry {
  const entry = typeof extra === 'string' ? { date: extra } : extra;
  parseIsoDay(entry.date);
  return { date: entry.date, name: entry.name ?? 'Ek tatil', halfDay: entry.halfDay ?? false };
}

function toDayNumber(day: DayInput): number {
  return day instanceof Date ? turkeyDayNumber(day) : parseIsoDay(day);
}
