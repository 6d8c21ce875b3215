import { UNDO_WINDOW_MS, undoRefusal, UnsubscribeRecord } from './undo-policy';

const AT = new Date('2025-06-02T09:00:00Z');

const record = (over: Partial<UnsubscribeRecord> = {}): UnsubscribeRecord => ({
  retMovementId: '41',
  retSource: 'HS_EPOSTA',
  retConsentDate: AT,
  replacedStatus: 'ONAY',
  unsubscribedAt: AT,
  undoneAt: null,
  currentMovementId: '41',
  ...over,
});

describe(undoRefusal.name, () => {
  it('allows the undo of a RET that replaced an ONAY, still in force, within 7 days, not undone', () => {
    expect(undoRefusal(record(), AT)).toBeNull();
    expect(undoRefusal(record(), new Date(AT.getTime() + UNDO_WINDOW_MS))).toBeNull();
  });

  it('refuses when the link put no RET in force', () => {
    expect(undoRefusal(undefined, AT)).toBe('NO_UNSUBSCRIBE');
  });

  it('refuses when the RET replaced no ONAY: there was none, or a RET already', () => {
    expect(undoRefusal(record({ replacedStatus: null }), AT)).toBe('NOTHING_TO_RESTORE');
    expect(undoRefusal(record({ replacedStatus: 'RET' }), AT)).toBe('NOTHING_TO_RESTORE');
  });

  it('refuses a second undo of the same unsubscribe', () => {
    expect(undoRefusal(record({ undoneAt: AT, currentMovementId: '42' }), AT)).toBe('ALREADY_UNDONE');
  });

  it('refuses after 7 days, to the millisecond', () => {
    expect(undoRefusal(record(), new Date(AT.getTime() + UNDO_WINDOW_MS + 1))).toBe('EXPIRED');
    expect(UNDO_WINDOW_MS).toBe(7 * 24 * 3600 * 1000);
  });

  it('refuses when another movement is in force instead of the RET', () => {
    expect(undoRefusal(record({ currentMovementId: '57' }), AT)).toBe('CHANGED');
    expect(undoRefusal(record({ currentMovementId: null }), AT)).toBe('CHANGED');
  });
});
