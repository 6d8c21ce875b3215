import { businessDaysAfter, isBusinessDay, isWithinThreeBusinessDays } from './business-days';
import { parseTurkeyDateTime, parseTurkeyDay } from './turkey-time';

const at = (s: string) => (parseTurkeyDateTime(s) as { ok: true; ms: number }).ms;
const day = (s: string) => parseTurkeyDay(s)!;
const none = new Set<string>();

describe('business-days', () => {
  it('counts weekdays only, and not the listed holidays', () => {
    expect(isBusinessDay(day('2026-11-27'), none)).toBe(true); // Friday
    expect(isBusinessDay(day('2026-11-28'), none)).toBe(false); // Saturday
    expect(isBusinessDay(day('2026-10-29'), new Set(['2026-10-29']))).toBe(false);
    expect(businessDaysAfter(day('2026-11-27'), day('2026-12-02'), none)).toBe(3); // Mon, Tue, Wed
  });

  it('lets a Friday consent be registered until the end of Wednesday', () => {
    const obtained = at('2026-11-27 18:00:00');
    expect(isWithinThreeBusinessDays(obtained, at('2026-12-02 23:59:59'), none)).toBe(true);
    expect(isWithinThreeBusinessDays(obtained, at('2026-12-03 00:00:00'), none)).toBe(false);
  });

  it('gives a holiday back to the sender', () => {
    // Thursday 2026-10-29 is Cumhuriyet Bayramı: a Wednesday consent then runs until Tuesday, not Monday.
    const obtained = at('2026-10-28 09:00:00');
    const holidays = new Set(['2026-10-29']);
    expect(isWithinThreeBusinessDays(obtained, at('2026-11-03 12:00:00'), holidays)).toBe(true);
    expect(isWithinThreeBusinessDays(obtained, at('2026-11-03 12:00:00'), none)).toBe(false);
  });

  it('always accepts the same day and rejects anything a month old', () => {
    expect(isWithinThreeBusinessDays(at('2026-11-28 00:00:01'), at('2026-11-28 23:59:59'), none)).toBe(true);
    expect(isWithinThreeBusinessDays(at('2026-09-01 10:00:00'), at('2026-11-28 10:00:00'), none)).toBe(false);
  });
});
