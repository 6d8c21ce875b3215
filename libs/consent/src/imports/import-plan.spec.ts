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
    consentDateMs: r.movement.consentDate.getTime(),
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

  it('refuses a RET for a key with no state, but keeps one over a local ONAY İYS never saw without sending it', () => {
    expect(planImportBatch([row(2, { status: 'RET' })], new Map(), platform).refused).toEqual([
      expect.objectContaining({ line: 2, code: 'FIRST_RET' }),
    ]);
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
});
