import { DEFAULT_BACKOFF } from '../iys/retry-policy';
import { outcomeOfFailure } from './outbox-outcome';

const NOW = Date.parse('2026-11-30T09:00:00Z');
const at = (action: Parameters<typeof outcomeOfFailure>[1]['action'], code: string, retryAt: Date | null = null) => ({
  action,
  code,
  retryAt,
});

describe(outcomeOfFailure.name, () => {
  const half = () => 0.5;

  it('ends a first RET (H175) as NOT_REQUIRED: nothing to refuse at İYS, and the RET still blocks locally', () => {
    expect(outcomeOfFailure('RET', at('ALREADY_DONE', 'H175'), 1, NOW, DEFAULT_BACKOFF)).toEqual({
      kind: 'FINISHED',
      state: 'NOT_REQUIRED',
      reason: 'FIRST_RET',
      errorCode: 'H175',
      consentState: 'NOT_REQUIRED',
      readIysState: false,
    });
  });

  it('reads H174 as "İYS already holds this status": a RET already registered, or an approval İYS holds', () => {
    expect(outcomeOfFailure('RET', at('ALREADY_DONE', 'H174'), 1, NOW, DEFAULT_BACKOFF)).toMatchObject({
      state: 'NOT_REQUIRED',
      reason: 'ALREADY_RET',
      consentState: 'NOT_REQUIRED',
    });
    expect(outcomeOfFailure('ONAY', at('ALREADY_DONE', 'H174'), 1, NOW, DEFAULT_BACKOFF)).toMatchObject({
      state: 'NOT_REQUIRED',
      reason: 'ALREADY_ONAY',
      consentState: 'ACCEPTED',
    });
  });

  it("drops a stale movement (H178) and asks for İYS's state; an ONAY still current then no longer allows mail", () => {
    expect(outcomeOfFailure('ONAY', at('STALE', 'H178'), 1, NOW, DEFAULT_BACKOFF)).toEqual({
      kind: 'FINISHED',
      state: 'NOT_REQUIRED',
      reason: 'STALE_AT_IYS',
      errorCode: 'H178',
      consentState: 'REJECTED',
      readIysState: true,
    });
  });

  it('rejects on a missed deadline (H467) and on final codes, and the ONAY stops allowing mail', () => {
    expect(outcomeOfFailure('ONAY', at('DEADLINE_MISSED', 'H467'), 1, NOW, DEFAULT_BACKOFF)).toMatchObject({
      state: 'REJECTED',
      reason: 'DEADLINE_MISSED',
      consentState: 'REJECTED',
    });
    expect(outcomeOfFailure('ONAY', at('FINAL', 'H120'), 1, NOW, DEFAULT_BACKOFF)).toMatchObject({
      state: 'REJECTED',
      reason: 'REFUSED_BY_IYS',
      errorCode: 'H120',
    });
  });

  it('retries server-side failures with backoff, and account problems slowly, flagged for an operator', () => {
    expect(outcomeOfFailure('ONAY', at('RETRY', 'H101'), 3, NOW, DEFAULT_BACKOFF, half)).toEqual({
      kind: 'RETRY',
      errorCode: 'H101',
      delayMs: 2000,
      needsOperator: false,
    });
    expect(outcomeOfFailure('ONAY', at('NEEDS_OPERATOR', 'H353'), 1, NOW, DEFAULT_BACKOFF, half)).toEqual({
      kind: 'RETRY',
      errorCode: 'H353',
      delayMs: DEFAULT_BACKOFF.slowMs,
      needsOperator: true,
    });
  });

  it('waits until a known instant when there is one (the end of a token halt)', () => {
    const retryAt = new Date(NOW + 40 * 60_000);
    expect(outcomeOfFailure('RET', at('TOKEN_LIMIT', 'TOKEN_HALTED', retryAt), 1, NOW, DEFAULT_BACKOFF)).toMatchObject({
      kind: 'RETRY',
      delayMs: 40 * 60_000,
    });
  });
});
