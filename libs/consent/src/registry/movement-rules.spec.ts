import { BusinessCalendar } from '../calendar';
import type { MovementInput } from './consent.types';
import {
  decideOutbox,
  isOlderThan,
  laterMovementProblems,
  validateMovement,
  type ValidMovement,
} from './movement-rules';

// A Wednesday morning in Turkey, far from any holiday: every date rule has room on both sides.
const now = new Date('2026-11-25T09:00:00+03:00');
const calendar = new BusinessCalendar();
const merchant = (over: Partial<MovementInput> = {}): MovementInput => ({
  recipient: 'Esnaf@Example.com',
  type: 'EPOSTA',
  status: 'ONAY',
  recipientType: 'TACIR',
  ...over,
});
const valid = (input: MovementInput, defaultConsentDate?: Date): ValidMovement => {
  const sut = validateMovement(input, now, calendar, { defaultConsentDate });
  if (!sut.ok) throw new Error(JSON.stringify(sut.problems));
  return sut.value;
};

describe(validateMovement.name, () => {
  it("keeps a merchant's record without source and consentDate undated and sourceless, as İYS allows", () => {
    const sut = valid(merchant(), new Date('2026-11-25T08:00:00+03:00'));
    expect(sut).toMatchObject({ recipient: 'esnaf@example.com', source: null, consentDate: null });
    // No İYS window applies to it; the outbox still gets three business days from its recording.
    expect(sut.registrationDeadline).toEqual(calendar.registrationDeadline(now));
  });

  it('dates a movement that gives a source but no date, merchant or not', () => {
    expect(valid(merchant({ source: 'HS_WEB' })).consentDate).toEqual(now);
    const uploadedAt = new Date('2026-11-25T08:00:00+03:00');
    expect(valid({ ...merchant({ source: 'HS_WEB' }), recipientType: 'BIREYSEL' }, uploadedAt).consentDate).toEqual(
      uploadedAt,
    );
    expect(valid(merchant({ consentDate: '2026-11-24 10:00:00' }))).toMatchObject({
      source: null,
      consentDate: new Date('2026-11-24T10:00:00+03:00'),
    });
  });

  it('still requires a source from an individual (BIREYSEL), and never takes an empty one', () => {
    const missing = validateMovement({ ...merchant(), recipientType: 'BIREYSEL' }, now, calendar);
    expect(!missing.ok && missing.problems.map((p) => [p.field, p.code])).toEqual([['source', 'INVALID_SOURCE']]);
    const empty = validateMovement(merchant({ source: '' }), now, calendar);
    expect(!empty.ok && empty.problems[0].code).toBe('INVALID_SOURCE');
  });
});

describe(laterMovementProblems.name, () => {
  it("refuses a merchant's later movement without consentDate (H462) or source (H463), and nothing else", () => {
    const undated = valid(merchant());
    expect(laterMovementProblems(undated, false)).toEqual([]);
    expect(laterMovementProblems(undated, true).map((p) => p.code)).toEqual([
      'TACIR_CONSENT_DATE_REQUIRED',
      'TACIR_SOURCE_REQUIRED',
    ]);
    expect(laterMovementProblems(valid(merchant({ consentDate: '2026-11-24 10:00:00' })), true)).toEqual([
      expect.objectContaining({
        field: 'source',
        code: 'TACIR_SOURCE_REQUIRED',
        message: expect.stringContaining('H463'),
      }),
    ]);
    expect(laterMovementProblems(valid(merchant({ source: 'HS_WEB' })), true)).toEqual([]);
  });
});

describe(decideOutbox.name, () => {
  const base = { iysSync: 'PLATFORM' as const, stale: false, currentStatus: undefined, iysKnowsKey: false };

  it('keeps a RET for a key İYS has never seen locally, and sends everything else that is new', () => {
    expect(decideOutbox({ ...base, status: 'RET' })).toEqual({ state: 'NOT_REQUIRED', reason: 'FIRST_RET' });
    expect(decideOutbox({ ...base, status: 'RET', currentStatus: 'ONAY', iysKnowsKey: true })).toEqual({
      state: 'PENDING',
      reason: null,
    });
    expect(decideOutbox({ ...base, status: 'RET', currentStatus: 'RET', iysKnowsKey: true }).reason).toBe(
      'ALREADY_RET',
    );
    expect(decideOutbox({ ...base, status: 'ONAY' })).toEqual({ state: 'PENDING', reason: null });
    expect(decideOutbox({ ...base, status: 'ONAY', stale: true }).reason).toBe('STALE');
    expect(decideOutbox({ ...base, status: 'RET', iysSync: 'CUSTOMER' }).reason).toBe('CUSTOMER_SYNC');
  });
});

describe(isOlderThan.name, () => {
  it('orders an undated merchant record before any dated movement', () => {
    expect(isOlderThan(new Date(1000), 2000)).toBe(true);
    expect(isOlderThan(new Date(2000), 2000)).toBe(false);
    expect(isOlderThan(new Date(1000), null)).toBe(false);
  });
});
