import { IysApiError, IysAuthError, IysTransportError, IysUnavailableError } from './iys-errors';
import { classifyIysFailure, DEFAULT_BACKOFF, iysErrorAction, IysErrorAction, retryDelayMs } from './retry-policy';

describe('iysErrorAction', () => {
  // The table of iys-api.md §9.2, read as the sync engine reads it.
  const table: [code: string, http: number, action: IysErrorAction][] = [
    ['H015', 500, 'RETRY'],
    ['H101', 500, 'RETRY'],
    ['H102', 500, 'RETRY'],
    ['H103', 500, 'RETRY'],
    ['H123', 400, 'RETRY'],
    ['H179', 500, 'RETRY'],
    ['H192', 503, 'RETRY'],
    ['H412', 500, 'RETRY'],
    ['H470', 500, 'RETRY'],
    ['H476', 500, 'RETRY'],
    ['H162', 422, 'RETRY'],
    ['H083', 429, 'RATE_LIMITED'],
    ['H124', 429, 'RATE_LIMITED'],
    ['H086', 429, 'RATE_LIMITED'],
    ['H089', 429, 'RATE_LIMITED'],
    ['H084', 429, 'TOKEN_LIMIT'],
    ['H351', 401, 'REFRESH_TOKEN'],
    ['H174', 400, 'ALREADY_DONE'],
    ['H175', 400, 'ALREADY_DONE'],
    ['H178', 400, 'STALE'],
    ['H467', 400, 'DEADLINE_MISSED'],
    ['H467', 422, 'DEADLINE_MISSED'],
    ['H353', 403, 'NEEDS_OPERATOR'],
    ['H520', 403, 'NEEDS_OPERATOR'],
    ['H521', 403, 'NEEDS_OPERATOR'],
    ['H524', 403, 'NEEDS_OPERATOR'],
    ['H586', 403, 'NEEDS_OPERATOR'],
    ['H525', 422, 'NEEDS_OPERATOR'],
    ['H014', 400, 'FINAL'],
    ['H110', 422, 'FINAL'],
    ['H118', 422, 'FINAL'],
    ['H120', 422, 'FINAL'],
    ['H121', 422, 'FINAL'],
    ['H156', 422, 'FINAL'],
    ['H180', 403, 'FINAL'],
    ['H194', 422, 'FINAL'],
    ['H267', 400, 'FINAL'],
    ['H408', 422, 'FINAL'],
  ];

  it.each(table)('%s (HTTP %i) → %s', (code, http, action) => {
    expect(iysErrorAction(code, http)).toBe(action);
  });

  it('decides by HTTP status when İYS gives no code', () => {
    expect(iysErrorAction(undefined, 502)).toBe('RETRY');
    expect(iysErrorAction(undefined, 0)).toBe('RETRY');
    expect(iysErrorAction(undefined, 429)).toBe('RATE_LIMITED');
    expect(iysErrorAction(undefined, 401)).toBe('REFRESH_TOKEN');
    expect(iysErrorAction(undefined, 403)).toBe('NEEDS_OPERATOR');
    expect(iysErrorAction(undefined, 400)).toBe('FINAL');
  });

  it('retries an undocumented server-side code and refuses an undocumented client-side one', () => {
    expect(iysErrorAction('H999', 500)).toBe('RETRY');
    expect(iysErrorAction('H999', 422)).toBe('FINAL');
  });
});

describe(classifyIysFailure.name, () => {
  it('reads every error the client throws, and nothing else', () => {
    expect(classifyIysFailure(new IysApiError(400, [{ code: 'H178', message: '' }], 'add'))).toEqual({
      action: 'STALE',
      code: 'H178',
      retryAt: null,
    });
    expect(classifyIysFailure(new IysApiError(502, [], 'add'))).toEqual({
      action: 'RETRY',
      code: 'HTTP_502',
      retryAt: null,
    });
    expect(classifyIysFailure(new IysTransportError('TIMEOUT', 'add', '10000 ms'))).toEqual({
      action: 'RETRY',
      code: 'TIMEOUT',
      retryAt: null,
    });
    const until = new Date('2026-11-30T10:00:00Z');
    expect(classifyIysFailure(new IysUnavailableError('TOKEN_HALTED', until, 'x'))).toEqual({
      action: 'TOKEN_LIMIT',
      code: 'TOKEN_HALTED',
      retryAt: until,
    });
    expect(classifyIysFailure(new IysUnavailableError('NO_SLOT', null, 'x'))!.action).toBe('RETRY');
    expect(classifyIysFailure(new IysAuthError(400, 'invalid_grant', 'bad password'))).toEqual({
      action: 'NEEDS_OPERATOR',
      code: 'INVALID_CREDENTIALS',
      retryAt: null,
    });
    expect(classifyIysFailure(new Error('connection to the database lost'))).toBeNull();
  });
});

describe(retryDelayMs.name, () => {
  const noJitter = () => 0.5;

  it('backs off exponentially with a ceiling', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((a) => retryDelayMs('RETRY', a, 'H101', DEFAULT_BACKOFF, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
  });

  it('spreads retries by ±20%', () => {
    expect(retryDelayMs('RETRY', 1, 'H101', DEFAULT_BACKOFF, () => 0)).toBe(400);
    expect(retryDelayMs('RETRY', 1, 'H101', DEFAULT_BACKOFF, () => 1)).toBe(600);
  });

  it('waits at least a second after a per-second limit, minutes after an hourly one or an account problem', () => {
    expect(retryDelayMs('RATE_LIMITED', 1, 'H124', DEFAULT_BACKOFF, noJitter)).toBe(1000);
    expect(retryDelayMs('RATE_LIMITED', 1, 'H086', DEFAULT_BACKOFF, noJitter)).toBe(DEFAULT_BACKOFF.slowMs);
    expect(retryDelayMs('NEEDS_OPERATOR', 1, 'H353', DEFAULT_BACKOFF, noJitter)).toBe(DEFAULT_BACKOFF.slowMs);
  });

  it('never retries what is finished', () => {
    for (const action of ['ALREADY_DONE', 'STALE', 'DEADLINE_MISSED', 'FINAL'] as const)
      expect(retryDelayMs(action, 1, 'H000')).toBeNull();
  });
});
