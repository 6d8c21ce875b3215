import type { ValidMovement } from '../registry/movement-rules';
import { consentKeyOf, KeyState, planImportBatch, ValidImportRow } from './import-plan';

const at = (hhmm: string) => new Date(`2026-11-25T${hhmm}:00+03:00`);
const row = (line: number, over: Partial<ValidMovement> = {}): ValidImportRow => ({
  line,
  movement: {
    recipient: 'a@example.com',
    type: 'EPOSTA',
    status: 'ONAY',
    source: 'HS_WEB',
    consentDate: at('10:00'),
    recipientType: 'BIREYSEL',
    registrationDeadline: new Date('2026-11-30T20:59:59.999Z'),
    ...over,
  },
});
const stateOf = (r: ValidImportRow, over: Partial<KeyState> = {}): [string, KeyState] => [
  consentKeyOf(r.movement),
  {
    status: r.movement.status,
    source: r.movement.source,
    consentDateMs: r.movement.consentDate?.getTime() ?? null,
    iysKnows: true,
    ...over,
  },
];
const decided = (plan: ReturnType<typeof planImportBatch>) =>
  plan.stored.map((s) => [s.line, s.stale, s.state, s.reason]);

describe(planImportBatch.name, () => {
  const platform = { iysSync: 'PLATFORM' as const };

  it('sends new movements and applies them in file order, so a later RET of the same key may be sent', () => {
    const sut = planImportBatch([row(2), row(3, { status: 'RET', consentDate: at('11:00') })], new Map(), platform);
    expect(decided(sut)).toEqual([
      [2, false, 'PENDING', null],
      [3, false, 'PENDING', null],
    ]);
  });

  it('keeps a RET for a key with no state, and one over a local ONAY İYS never saw, without sending either', () => {
    const first = planImportBatch([row(2, { status: 'RET' })], new Map(), platform);
    expect(first.refused).toEqual([]);
    expect(decided(first)).toEqual([[2, false, 'NOT_REQUIRED', 'FIRST_RET']]);
    expect(first.firstRefusals).toBe(1);
    const local = row(1);
    const sut = planImportBatch(
      [row(2, { status: 'RET', consentDate: at('11:00') })],
      new Map([stateOf(local, { iysKnows: false })]),
      platform,
    );
    expect(decided(sut)).toEqual([[2, false, 'NOT_REQUIRED', 'FIRST_RET']]);
  });

  it('keeps an older row as stale history, a repeat as nothing, and a second RET locally', () => {
    const held = row(1, { status: 'RET', consentDate: at('12:00') });
    const sut = planImportBatch(
      [
        row(2, { consentDate: at('11:00') }),
        row(3, { status: 'RET', consentDate: at('12:00') }),
        row(4, { status: 'RET', consentDate: at('12:30') }),
      ],
      new Map([stateOf(held)]),
      platform,
    );
    expect(sut.unchanged).toBe(1);
    expect(decided(sut)).toEqual([
      [2, true, 'NOT_REQUIRED', 'STALE'],
      [4, false, 'NOT_REQUIRED', 'ALREADY_RET'],
    ]);
  });

  it('sends nothing for a brand that syncs İYS itself', () => {
    const sut = planImportBatch([row(2), row(3, { recipient: 'b@example.com', status: 'RET' })], new Map(), {
      iysSync: 'CUSTOMER',
    });
    expect(decided(sut)).toEqual([
      [2, false, 'NOT_REQUIRED', 'CUSTOMER_SYNC'],
      [3, false, 'NOT_REQUIRED', 'CUSTOMER_SYNC'],
    ]);
  });

  it("stores a merchant's undated first record, and refuses a later one without consentDate or source", () => {
    const merchant = { recipient: 'esnaf@example.com', recipientType: 'TACIR' as const };
    const sut = planImportBatch(
      [
        row(2, { ...merchant, source: null, consentDate: null }),
        row(3, { ...merchant, status: 'RET', source: null, consentDate: null }),
        row(4, { ...merchant, status: 'RET', source: 'HS_WEB', consentDate: null }),
        row(5, { ...merchant, status: 'RET', source: null, consentDate: at('09:00') }),
        row(6, { ...merchant, status: 'RET', consentDate: at('09:00') }),
      ],
      new Map(),
      platform,
    );
    expect(decided(sut)).toEqual([
      [2, false, 'PENDING', null],
      // Dated before the undated record was stored, and still not stale: İYS orders an undated record before any date.
      [6, false, 'PENDING', null],
    ]);
    expect(sut.refused.map((r) => [r.line, r.code])).toEqual([
      [3, 'TACIR_CONSENT_DATE_REQUIRED'],
      [4, 'TACIR_CONSENT_DATE_REQUIRED'],
      [5, 'TACIR_SOURCE_REQUIRED'],
    ]);
    expect(sut.refused[0].message).toMatch(/H462.*H463/);
  });

  it('treats a repeat of an undated merchant record as nothing new, never as a later movement', () => {
    const first = row(1, { recipientType: 'TACIR', source: null, consentDate: null });
    const sut = planImportBatch(
      [row(2, { recipientType: 'TACIR', source: null, consentDate: null })],
      new Map([stateOf(first)]),
      platform,
    );
    expect(sut).toMatchObject({ unchanged: 1, stored: [], refused: [] });
  });
});
