/**
 * Turkey's official public holidays (resmî tatiller), 2015 to 2030: the data behind `BusinessCalendar`.
 *
 * Sources
 * - Fixed holidays and the half-day eves: Law No. 2429 on National Holidays and General Holidays (Ulusal Bayram
 *   ve Genel Tatiller Hakkında Kanun), as amended. The Republic Day holiday starts on 28 October at 13:00; each
 *   religious holiday starts at 13:00 on its eve (arife). 15 July (Demokrasi ve Millî Birlik Günü) was added in
 *   2016 and first observed in 2017.
 * - Ramazan Bayramı and Kurban Bayramı: the calendar of religious days published by the Presidency of Religious
 *   Affairs (Diyanet İşleri Başkanlığı, "Dinî Günler"), which fixes the dates in advance by astronomical
 *   calculation. For 2015–2026 the dates below are the ones actually observed; they were cross-checked against
 *   an independent open-source holiday table (python-holidays, Turkey).
 * - 2027–2030 are marked `projected`: Diyanet's calculated dates, not yet observed. Diyanet has not changed a
 *   published date in the covered years, but check each year's announcement and correct this table if needed.
 *
 * Not included, on purpose: the extra administrative leave (idarî izin) the government sometimes grants
 * public servants to bridge a holiday to a weekend. It is not an official holiday and private businesses work;
 * an operator who wants it counted adds those days with `BusinessCalendar#withHolidays`.
 */

/** The first and last years for which the religious holidays are known. */
export const HOLIDAY_DATA_FIRST_YEAR = 2015;
export const HOLIDAY_DATA_LAST_YEAR = 2030;

export interface FixedHolidayRule {
  readonly month: number;
  readonly day: number;
  readonly name: string;
  /** Half-day holidays start at 13:00; the morning is a working morning. */
  readonly halfDay: boolean;
  /** First year the day was a holiday, when it is recent. */
  readonly fromYear?: number;
}

export const FIXED_HOLIDAYS: readonly FixedHolidayRule[] = [
  { month: 1, day: 1, name: 'Yılbaşı', halfDay: false },
  { month: 4, day: 23, name: 'Ulusal Egemenlik ve Çocuk Bayramı', halfDay: false },
  { month: 5, day: 1, name: 'Emek ve Dayanışma Günü', halfDay: false },
  { month: 5, day: 19, name: "Atatürk'ü Anma, Gençlik ve Spor Bayramı", halfDay: false },
  { month: 7, day: 15, name: 'Demokrasi ve Millî Birlik Günü', halfDay: false, fromYear: 2017 },
  { month: 8, day: 30, name: 'Zafer Bayramı', halfDay: false },
  { month: 10, day: 28, name: 'Cumhuriyet Bayramı arifesi (13:00’ten itibaren)', halfDay: true },
  { month: 10, day: 29, name: 'Cumhuriyet Bayramı', halfDay: false },
];

export interface ReligiousHolidayYear {
  readonly year: number;
  /** First day of Ramazan Bayramı (1 Şevval); the holiday lasts 3 days, after a half-day eve. */
  readonly ramazanBayrami: string;
  /** First day of Kurban Bayramı (10 Zilhicce); the holiday lasts 4 days, after a half-day eve. */
  readonly kurbanBayrami: string;
  /** True when the dates are Diyanet's calculation for a year not yet observed. */
  readonly projected: boolean;
}

export const RELIGIOUS_HOLIDAYS: readonly ReligiousHolidayYear[] = [
  { year: 2015, ramazanBayrami: '2015-07-17', kurbanBayrami: '2015-09-24', projected: false },
  { year: 2016, ramazanBayrami: '2016-07-05', kurbanBayrami: '2016-09-12', projected: false },
  { year: 2017, ramazanBayrami: '2017-06-25', kurbanBayrami: '2017-09-01', projected: false },
  { year: 2018, ramazanBayrami: '2018-06-15', kurbanBayrami: '2018-08-21', projected: false },
  { year: 2019, ramazanBayrami: '2019-06-04', kurbanBayrami: '2019-08-11', projected: false },
  { year: 2020, ramazanBayrami: '2020-05-24', kurbanBayrami: '2020-07-31', projected: false },
  { year: 2021, ramazanBayrami: '2021-05-13', kurbanBayrami: '2021-07-20', projected: false },
  { year: 2022, ramazanBayrami: '2022-05-02', kurbanBayrami: '2022-07-09', projected: false },
  { year: 2023, ramazanBayrami: '2023-04-21', kurbanBayrami: '2023-06-28', projected: false },
  { year: 2024, ramazanBayrami: '2024-04-10', kurbanBayrami: '2024-06-16', projected: false },
  { year: 2025, ramazanBayrami: '2025-03-30', kurbanBayrami: '2025-06-06', projected: false },
  { year: 2026, ramazanBayrami: '2026-03-20', kurbanBayrami: '2026-05-27', projected: false },
  { year: 2027, ramazanBayrami: '2027-03-09', kurbanBayrami: '2027-05-16', projected: true },
  { year: 2028, ramazanBayrami: '2028-02-26', kurbanBayrami: '2028-05-05', projected: true },
  { year: 2029, ramazanBayrami: '2029-02-14', kurbanBayrami: '2029-04-24', projected: true },
  { year: 2030, ramazanBayrami: '2030-02-04', kurbanBayrami: '2030-04-13', projected: true },
];

/** One holiday on one day. When two holidays fall on the same day their names are joined. */
export interface HolidayEntry {
  readonly date: string;
  readonly name: string;
  readonly halfDay: boolean;
}

const RELIGIOUS_DAYS: readonly { key: 'ramazanBayrami' | 'kurbanBayrami'; title: string; days: number }[] = [
  { key: 'ramazanBayrami', title: 'Ramazan Bayramı', days: 3 },
  { key: 'kurbanBayrami', title: 'Kurban Bayramı', days: 4 },
];

/**
 * Every official holiday of a year, sorted by date, with overlaps merged (a full-day holiday wins over a
 * half-day eve on the same date, as in 2022 when the Ramazan Bayramı eve fell on 1 May). Years outside
 * 2015–2030 get the fixed holidays only.
 */
export function turkishHolidaysOf(year: number): HolidayEntry[] {
  const entries: HolidayEntry[] = FIXED_HOLIDAYS.filter(
    (rule) => rule.fromYear === undefined || year >= rule.fromYear,
  ).map((rule) => ({ date: isoDate(year, rule.month, rule.day), name: rule.name, halfDay: rule.halfDay }));
  // A bayram that starts early in January has its eve in the previous December, so look at both years.
  for (const religious of RELIGIOUS_HOLIDAYS.filter((r) => r.year === year || r.year === year + 1)) {
    for (const { key, title, days } of RELIGIOUS_DAYS) {
      const first = religious[key];
      entries.push({ date: shiftIsoDate(first, -1), name: `${title} arifesi (13:00’ten itibaren)`, halfDay: true });
      for (let day = 0; day < days; day++) {
        entries.push({ date: shiftIsoDate(first, day), name: `${title} ${day + 1}. gün`, halfDay: false });
      }
    }
  }
  return mergeHolidayEntries(entries.filter((entry) => entry.date.startsWith(`${year}-`)));
}

/** Merges entries that share a date: names are joined, and the day is a half-day only if every entry is. */
export function mergeHolidayEntries(entries: readonly HolidayEntry[]): HolidayEntry[] {
  const byDate = new Map<string, HolidayEntry>();
  for (const entry of entries) {
    const existing = byDate.get(entry.date);
    byDate.set(
      entry.date,
      existing
        ? {
            date: entry.date,
            name: existing.name.split(' + ').includes(entry.name) ? existing.name : `${existing.name} + ${entry.name}`,
            halfDay: existing.halfDay && entry.halfDay,
          }
        : entry,
    );
  }
  return [...byDate.values()].sort((a, b) => a.date.localeCompare(b.date));
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function shiftIsoDate(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return isoDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}
