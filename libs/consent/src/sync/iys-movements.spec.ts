import type { IysMovement } from '../iys/iys-wire';
import { HeldState, keyOf, planIysMovements } from './iys-movements';

const movement = (over: Partial<IysMovement> = {}): IysMovement => ({
  transactionId: 'aa',
  creationDate: new Date('2026-11-30T09:00:05Z'),
  consentDate: new Date('2026-11-30T09:00:00Z'),
  source: 'IYS_MOBIL',
  recipient: 'ayse@example.com',
  recipientType: 'BIREYSEL',
  status: 'ONAY',
  type: 'EPOSTA',
  ...over,
});
const key = keyOf(movement());

describe(planIysMovements.name, () => {
  it('applies a movement for a key Izinli has never seen', () => {
    const { planned, winners } = planIysMovements([movement()], new Map());
    expect(planned[0].stale).toBe(false);
    expect(winners.get(key)!.movement.transactionId).toBe('aa');
  });

  it('lets the later consentDate win and keeps an older one as stale history', () => {
    const held = new Map<string, HeldState>([
      [key, { consentDateMs: Date.parse('2026-11-30T10:00:00Z'), iysState: 'ACCEPTED', iysCreationMs: null }],
    ]);
    expect(planIysMovements([movement()], held).planned[0].stale).toBe(true);
    const later = planIysMovements([movement({ consentDate: new Date('2026-11-30T10:00:01Z') })], new Map(held));
    expect(later.planned[0].stale).toBe(false);
  });

  it('compares to the second, the only precision İYS keeps', () => {
    const held = new Map<string, HeldState>([
      [
        key,
        {
          consentDateMs: Date.parse('2026-11-30T09:00:00.700Z'),
          iysState: 'ACCEPTED',
          iysCreationMs: Date.parse('2026-11-30T09:00:01Z'),
        },
      ],
    ]);
    // Same second, created by İYS after the held movement: İYS holds it as the latest, so does Izinli.
    expect(planIysMovements([movement()], held).planned[0].stale).toBe(false);
  });

  it("on a tie keeps Izinli's own movement that İYS has not received yet: it will be İYS's latest once sent", () => {
    const held = new Map<string, HeldState>([
      [key, { consentDateMs: Date.parse('2026-11-30T09:00:00Z'), iysState: 'PENDING', iysCreationMs: null }],
    ]);
    expect(planIysMovements([movement()], held).planned[0].stale).toBe(true);
  });

  it('resolves several movements of one key in their order, as if they had come one by one', () => {
    const { planned, winners } = planIysMovements(
      [
        movement({
          transactionId: 'r',
          status: 'RET',
          consentDate: new Date('2026-11-30T09:00:00Z'),
          creationDate: new Date('2026-11-30T09:00:01Z'),
        }),
        movement({
          transactionId: 'o',
          status: 'ONAY',
          consentDate: new Date('2026-11-30T09:05:00Z'),
          creationDate: new Date('2026-11-30T09:05:01Z'),
        }),
        movement({
          transactionId: 'late',
          status: 'RET',
          consentDate: new Date('2026-11-30T08:00:00Z'),
          creationDate: new Date('2026-11-30T09:06:00Z'),
        }),
      ],
      new Map(),
    );
    expect(planned.map((p) => p.stale)).toEqual([false, false, true]);
    expect(winners.get(key)!.movement.transactionId).toBe('o');
  });

  it("dates a carrier's undated line closure by its creationDate", () => {
    const { planned } = planIysMovements(
      [movement({ consentDate: null, source: 'IYS_AHS_HAT_KAPATMA', status: 'RET' })],
      new Map(),
    );
    expect(planned[0].effectiveDate).toEqual(new Date('2026-11-30T09:00:05Z'));
  });
});
