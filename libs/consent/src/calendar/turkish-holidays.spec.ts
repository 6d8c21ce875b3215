import {
  HOLIDAY_DATA_FIRST_YEAR,
  HOLIDAY_DATA_LAST_YEAR,
  RELIGIOUS_HOLIDAYS,
  turkishHolidaysOf,
} from './turkish-holidays';

const weekday = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();
const days = (from: string, to: string) =>
  (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;

describe(turkishHolidaysOf.name, () => {
  it('has religious holidays for every year from 2015 to 2030, each in its own year', () => {
    expect(RELIGIOUS_HOLIDAYS.map((r) => r.year)).toEqual(
      Array.from(
        { length: HOLIDAY_DATA_LAST_YEAR - HOLIDAY_DATA_FIRST_YEAR + 1 },
        (_, i) => HOLIDAY_DATA_FIRST_YEAR + i,
      ),
    );
    for (const r of RELIGIOUS_HOLIDAYS) {
      expect(r.ramazanBayrami.startsWith(`${r.year}-`)).toBe(true);
      expect(r.kurbanBayrami.startsWith(`${r.year}-`)).toBe(true);
    }
  });

  it('keeps the lunar rhythm: 1 Şevval to 10 Zilhicce is 67 to 69 days, and a lunar year is 354 or 355 days', () => {
    RELIGIOUS_HOLIDAYS.forEach((r, i) => {
      expect(days(r.ramazanBayrami, r.kurbanBayrami)).toBeGreaterThanOrEqual(67);
      expect(days(r.ramazanBayrami, r.kurbanBayrami)).toBeLessThanOrEqual(69);
      const next = RELIGIOUS_HOLIDAYS[i + 1];
      if (next) {
        expect([354, 355]).toContain(days(r.ramazanBayrami, next.ramazanBayrami));
        expect([354, 355]).toContain(days(r.kurbanBayrami, next.kurbanBayrami));
      }
    });
  });

  it('marks only the years not yet observed as projected', () => {
    expect(RELIGIOUS_HOLIDAYS.filter((r) => r.projected).map((r) => r.year)).toEqual([2027, 2028, 2029, 2030]);
  });

  it.each([
    // Well-known first days, with their weekdays, as observed.
    ['2016-07-05', 2],
    ['2020-05-24', 0],
    ['2023-04-21', 5],
    ['2024-06-16', 0],
    ['2025-03-30', 0],
    ['2025-06-06', 5],
    ['2026-05-27', 3],
  ])('puts %s on weekday %i', (iso, expected) => {
    expect(weekday(iso)).toBe(expected);
    expect(turkishHolidaysOf(Number(iso.slice(0, 4))).find((h) => h.date === iso)?.name).toMatch(/Bayramı 1\. gün/);
  });

  it('lists 2024 completely', () => {
    expect(turkishHolidaysOf(2024)).toEqual([
      { date: '2024-01-01', name: 'Yılbaşı', halfDay: false },
      { date: '2024-04-09', name: 'Ramazan Bayramı arifesi (13:00’ten itibaren)', halfDay: true },
      { date: '2024-04-10', name: 'Ramazan Bayramı 1. gün', halfDay: false },
      { date: '2024-04-11', name: 'Ramazan Bayramı 2. gün', halfDay: false },
      { date: '2024-04-12', name: 'Ramazan Bayramı 3. gün', halfDay: false },
      { date: '2024-04-23', name: 'Ulusal Egemenlik ve Çocuk Bayramı', halfDay: false },
      { date: '2024-05-01', name: 'Emek ve Dayanışma Günü', halfDay: false },
      { date: '2024-05-19', name: "Atatürk'ü Anma, Gençlik ve Spor Bayramı", halfDay: false },
      { date: '2024-06-15', name: 'Kurban Bayramı arifesi (13:00’ten itibaren)', halfDay: true },
      { date: '2024-06-16', name: 'Kurban Bayramı 1. gün', halfDay: false },
      { date: '2024-06-17', name: 'Kurban Bayramı 2. gün', halfDay: false },
      { date: '2024-06-18', name: 'Kurban Bayramı 3. gün', halfDay: false },
      { date: '2024-06-19', name: 'Kurban Bayramı 4. gün', halfDay: false },
      { date: '2024-07-15', name: 'Demokrasi ve Millî Birlik Günü', halfDay: false },
      { date: '2024-08-30', name: 'Zafer Bayramı', halfDay: false },
      { date: '2024-10-28', name: 'Cumhuriyet Bayramı arifesi (13:00’ten itibaren)', halfDay: true },
      { date: '2024-10-29', name: 'Cumhuriyet Bayramı', halfDay: false },
    ]);
  });

  it('has no 15 July holiday before 2017', () => {
    expect(turkishHolidaysOf(2016).some((h) => h.date === '2016-07-15')).toBe(false);
    expect(turkishHolidaysOf(2017).some((h) => h.date === '2017-07-15')).toBe(true);
  });

  it('merges overlaps, a full day winning over an eve', () => {
    // 2022: the Ramazan Bayramı eve fell on 1 May.
    expect(turkishHolidaysOf(2022).find((h) => h.date === '2022-05-01')).toEqual({
      date: '2022-05-01',
      name: 'Emek ve Dayanışma Günü + Ramazan Bayramı arifesi (13:00’ten itibaren)',
      halfDay: false,
    });
    // 2023: the third day of Ramazan Bayramı was 23 April.
    expect(turkishHolidaysOf(2023).find((h) => h.date === '2023-04-23')?.name).toBe(
      'Ulusal Egemenlik ve Çocuk Bayramı + Ramazan Bayramı 3. gün',
    );
  });

  it('gives only the fixed holidays outside the data years', () => {
    expect(turkishHolidaysOf(2031).map((h) => h.date)).toEqual([
      '2031-01-01',
      '2031-04-23',
      '2031-05-01',
      '2031-05-19',
      '2031-07-15',
      '2031-08-30',
      '2031-10-28',
      '2031-10-29',
    ]);
  });
});
