import { BusinessCalendar } from './business-calendar';

/** An instant given as Turkey wall-clock time (UTC+3, valid for every date since 2016). */
const turkey = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}+03:00`);
const endOf = (day: string) => turkey(`${day} 23:59:59.999`);

describe(BusinessCalendar.name, () => {
  let sut: BusinessCalendar;

  beforeEach(() => {
    sut = new BusinessCalendar();
  });

  describe('isBusinessDay', () => {
    it.each([
      ['2025-03-10', true, 'an ordinary Monday'],
      ['2025-03-08', false, 'a Saturday'],
      ['2025-03-09', false, 'a Sunday'],
      ['2025-01-01', false, 'New Year'],
      ['2025-04-23', false, '23 April'],
      ['2025-05-01', false, '1 May'],
      ['2025-05-19', false, '19 May'],
      ['2025-07-15', false, '15 July'],
      ['2016-07-15', true, '15 July before it became a holiday'],
      ['2025-10-29', false, 'Republic Day'],
      ['2025-10-28', true, 'the 28 October half day'],
      ['2025-06-05', true, 'the Kurban Bayramı eve, a half day'],
      ['2025-06-06', false, 'Kurban Bayramı, day 1'],
      ['2025-06-09', false, 'Kurban Bayramı, day 4'],
      ['2025-06-10', true, 'the day after Kurban Bayramı'],
      ['2025-03-31', false, 'Ramazan Bayramı, day 2'],
      ['2025-04-01', false, 'Ramazan Bayramı, day 3'],
    ])('%s is %s (%s)', (day, expected) => {
      expect(sut.isBusinessDay(day)).toBe(expected);
    });

    it('reads an instant as its Turkey day', () => {
      // 21:30 UTC on Thursday 5 June 2025 is already Friday 6 June, Kurban Bayramı, in Turkey.
      expect(sut.isBusinessDay(new Date('2025-06-05T20:59:59Z'))).toBe(true);
      expect(sut.isBusinessDay(new Date('2025-06-05T21:30:00Z'))).toBe(false);
    });

    it('refuses a malformed or impossible day', () => {
      expect(() => sut.isBusinessDay('2025-02-29')).toThrow(RangeError);
      expect(() => sut.isBusinessDay('5 June 2025')).toThrow(RangeError);
    });
  });

  describe('isHoliday and isHalfDay', () => {
    it('names holidays and tells half days apart', () => {
      expect(sut.isHoliday('2024-06-16')).toEqual({ name: 'Kurban Bayramı 1. gün', halfDay: false });
      expect(sut.isHoliday('2024-06-15')).toEqual({
        name: 'Kurban Bayramı arifesi (13:00’ten itibaren)',
        halfDay: true,
      });
      expect(sut.isHalfDay('2024-06-15')).toBe(true);
      expect(sut.isHalfDay('2024-06-16')).toBe(false);
      expect(sut.isHoliday('2024-06-20')).toBeNull();
    });

    it('answers for a holiday on a weekend, and not for an ordinary weekend', () => {
      expect(sut.isHoliday('2024-06-16')).not.toBeNull();
      expect(sut.isHoliday('2024-06-22')).toBeNull();
    });
  });

  describe('registrationDeadline', () => {
    it.each([
      ['an ordinary Friday', '2025-03-07 10:00', '2025-03-12'],
      ['a Saturday', '2025-03-08 18:00', '2025-03-12'],
      ['a Monday', '2025-03-10 09:00', '2025-03-13'],
      ['a Friday just after midnight, Turkey time', '2025-03-07 00:30', '2025-03-12'],
      ['a Thursday late in the evening', '2025-03-06 23:59', '2025-03-11'],
      ['the Friday before Kurban Bayramı 2024 (16–19 June)', '2024-06-14 15:00', '2024-06-24'],
      ['the Friday before Kurban Bayramı 2026, across the half-day eve', '2026-05-22 11:00', '2026-06-01'],
      ['the Kurban Bayramı eve itself', '2026-05-26 16:00', '2026-06-03'],
      ['the Thursday before Ramazan Bayramı 2025', '2025-03-27 12:00', '2025-04-03'],
      ['New Year’s Eve', '2025-12-31 14:00', '2026-01-06'],
      ['the Friday before 28–29 October', '2025-10-24 10:00', '2025-10-30'],
      ['the Friday before 15 July 2024 (a Monday)', '2024-07-12 10:00', '2024-07-18'],
    ])('for a consent on %s is the end of the 3rd business day after it', (_label, consent, deadlineDay) => {
      expect(sut.registrationDeadline(turkey(consent)).toISOString()).toBe(endOf(deadlineDay).toISOString());
    });

    it('is inclusive to the last millisecond of the deadline day', () => {
      const consent = turkey('2024-06-14 15:00');
      expect(sut.isWithinRegistrationWindow(consent, turkey('2024-06-24 23:59:59.999'))).toBe(true);
      expect(sut.isWithinRegistrationWindow(consent, turkey('2024-06-25 00:00'))).toBe(false);
      expect(sut.isWithinRegistrationWindow(consent, consent)).toBe(true);
    });

    it('follows the extra holidays of the calendar', () => {
      const withBridge = sut.withHolidays(['2025-03-11']);
      expect(withBridge.registrationDeadline(turkey('2025-03-07 10:00')).toISOString()).toBe(
        endOf('2025-03-13').toISOString(),
      );
    });
  });

  describe('addBusinessDays', () => {
    it('keeps the Turkey wall-clock time and skips weekends and holidays', () => {
      expect(sut.addBusinessDays(turkey('2024-06-14 15:45'), 1)).toEqual(turkey('2024-06-20 15:45'));
      expect(sut.addBusinessDays(turkey('2024-06-14 15:45'), 3)).toEqual(turkey('2024-06-24 15:45'));
    });

    it('goes backwards for a negative count', () => {
      expect(sut.addBusinessDays(turkey('2024-06-20 08:00'), -1)).toEqual(turkey('2024-06-14 08:00'));
      expect(sut.addBusinessDays(turkey('2025-03-10 08:00'), -3)).toEqual(turkey('2025-03-05 08:00'));
    });

    it('does not count the starting day, even when it is not a business day', () => {
      expect(sut.addBusinessDays(turkey('2025-03-08 12:00'), 1)).toEqual(turkey('2025-03-10 12:00'));
      expect(sut.addBusinessDays(turkey('2025-03-10 12:00'), 0)).toEqual(turkey('2025-03-10 12:00'));
    });

    it('refuses a fractional count', () => {
      expect(() => sut.addBusinessDays(new Date(), 1.5)).toThrow(RangeError);
    });

    it('keeps civil time across the 2015 summer-time change', () => {
      // Friday 6 November 2015, 10:00 EEST (UTC+3); the following Monday was UTC+2.
      const friday = new Date('2015-11-06T07:00:00Z');
      expect(sut.addBusinessDays(friday, 1).toISOString()).toBe('2015-11-09T08:00:00.000Z');
    });
  });

  describe('businessDaysBetween', () => {
    it.each([
      ['2025-03-07', '2025-03-07', 0],
      ['2025-03-07', '2025-03-10', 1],
      ['2025-03-07', '2025-03-14', 5],
      ['2025-03-10', '2025-03-07', -1],
      ['2024-06-14', '2024-06-24', 3],
      ['2024-12-31', '2025-12-31', 251],
      ['2025-12-31', '2024-12-31', -251],
    ])('from %s to %s is %i', (a, b, expected) => {
      expect(sut.businessDaysBetween(a, b)).toBe(expected);
    });

    it('is the inverse of addBusinessDays', () => {
      const failures: string[] = [];
      for (let day = 0; day < 5800; day += 5) {
        const from = new Date(Date.UTC(2015, 0, 2) + day * 86_400_000 + 9 * 3_600_000);
        for (const n of [-7, -3, -1, 1, 2, 3, 10]) {
          if (n < 0 && !sut.isBusinessDay(from)) {
            continue;
          }
          const to = sut.addBusinessDays(from, n);
          if (sut.businessDaysBetween(from, to) !== n || !sut.isBusinessDay(to)) {
            failures.push(`${from.toISOString()} ${n}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it('counts 2024 as 250 business days: 262 weekdays less 12 weekday holidays; half days count', () => {
      expect(sut.businessDaysBetween('2023-12-31', '2024-12-31')).toBe(250);
    });
  });

  describe('extra holidays', () => {
    it('adds operator days without changing the original calendar', () => {
      const extended = sut.withHolidays(['2025-03-12', { date: '2025-03-13', name: 'Seçim günü', halfDay: true }]);
      expect(extended.isBusinessDay('2025-03-12')).toBe(false);
      expect(extended.isHoliday('2025-03-12')).toEqual({ name: 'Ek tatil', halfDay: false });
      expect(extended.isHalfDay('2025-03-13')).toBe(true);
      expect(extended.isBusinessDay('2025-03-13')).toBe(true);
      expect(sut.isBusinessDay('2025-03-12')).toBe(true);
    });

    it('accepts them in the constructor and accumulates them', () => {
      const calendar = new BusinessCalendar(['2025-03-12']).withHolidays(['2025-03-13']);
      expect(calendar.isBusinessDay('2025-03-12')).toBe(false);
      expect(calendar.isBusinessDay('2025-03-13')).toBe(false);
    });

    it('lets a full extra day turn a half day into a holiday', () => {
      const bridged = sut.withHolidays([{ date: '2025-06-05', name: 'İdari izin' }]);
      expect(bridged.isBusinessDay('2025-06-05')).toBe(false);
      expect(bridged.isHoliday('2025-06-05')).toEqual({
        name: 'Kurban Bayramı arifesi (13:00’ten itibaren) + İdari izin',
        halfDay: false,
      });
    });

    it('refuses a malformed extra day', () => {
      expect(() => new BusinessCalendar(['2025-13-01'])).toThrow(RangeError);
      expect(() => sut.withHolidays([{ date: '12.03.2025' }])).toThrow(RangeError);
    });

    it('lists a year with the extra days merged in', () => {
      const holidays = sut.withHolidays(['2025-03-12']).holidaysIn(2025);
      expect(holidays.find((h) => h.date === '2025-03-12')).toEqual({
        date: '2025-03-12',
        name: 'Ek tatil',
        halfDay: false,
      });
      expect(holidays).toHaveLength(new BusinessCalendar().holidaysIn(2025).length + 1);
    });
  });

  describe('coverage', () => {
    it('knows which years its data covers, and keeps the fixed holidays beyond them', () => {
      expect(sut.covers('2015-01-01')).toBe(true);
      expect(sut.covers('2030-12-31')).toBe(true);
      expect(sut.covers('2031-01-01')).toBe(false);
      expect(sut.isBusinessDay('2031-10-29')).toBe(false);
      expect(sut.isBusinessDay('2031-10-30')).toBe(true);
    });
  });
});
