import { IysApiError, IysAuthError, IysTransportError, IysUnavailableError } from './iys-errors';

/**
 * What to do after İYS refused or failed a request (iys-api.md §9.2 "client action", compliance.md §3).
 *
 * - RETRY: a server-side or transient failure; send the same thing again later, with backoff.
 * - RATE_LIMITED: over a per-second (H083/H124) or hourly (H086/H089) limit; back off, every worker at once.
 * - ALREADY_DONE: İYS already holds this outcome (H174: the status is already the one sent; H175: a first RET,
 *   for which there is nothing to refuse). Nothing to send, nothing to retry.
 * - STALE: İYS holds a movement with a later consentDate (H178); drop ours and read İYS's state instead.
 * - DEADLINE_MISSED: the 3-business-day registration window is over (H467); final, and a legal deadline missed.
 * - NEEDS_OPERATOR: credentials, authorisation, subscription or quota (H353, H52x, H525 …). Retrying at once is
 *   pointless, giving up is wrong: the movement waits, slowly retried, until someone fixes the account or its
 *   deadline passes.
 * - REFRESH_TOKEN: the access token was refused (H351); get another and try once more.
 * - TOKEN_LIMIT: the hourly token-request limit is reached (H084); no token request until the hour is over.
 * - FINAL: İYS will never accept this request as it is (schema, format, business rule); record the code.
 */
export type IysErrorAction =
  | 'RETRY'
  | 'RATE_LIMITED'
  | 'ALREADY_DONE'
  | 'STALE'
  | 'DEADLINE_MISSED'
  | 'NEEDS_OPERATOR'
  | 'REFRESH_TOKEN'
  | 'TOKEN_LIMIT'
  | 'FINAL';

/** İYS's own "send these again" list (as Veyosis republished it) plus the other 5xx codes of the error table. */
const RETRY_CODES = new Set(['H015', 'H101', 'H102', 'H103', 'H123', 'H179', 'H192', 'H412', 'H470', 'H476']);
const RATE_CODES = new Set(['H083', 'H124', 'H086', 'H089']);
/** Hourly limits: a retry within seconds would only be refused again. */
export const HOURLY_RATE_CODES: ReadonlySet<string> = new Set(['H086', 'H089']);
const DONE_CODES = new Set(['H174', 'H175']);
const OPERATOR_CODES = new Set([
  'H031',
  'H129',
  'H245',
  'H250',
  'H251',
  'H252',
  'H268',
  'H353',
  'H355',
  'H363',
  'H437',
  'H520',
  'H521',
  'H522',
  'H524',
  'H525',
  'H586',
]);
/**
 * H162 ("consentDate in the future") can only reach İYS when the two clocks disagree, because every consentDate
 * is checked against Izinli's clock before it is stored; the skew passes, so the movement is retried, not dropped.
 */
const CLOCK_SKEW_CODES = new Set(['H162']);

/** The action for one İYS code; the HTTP status decides only for codes İYS has not documented. */
export function iysErrorAction(code: string | undefined, httpStatus: number): IysErrorAction {
  if (code) {
    if (RETRY_CODES.has(code) || CLOCK_SKEW_CODES.has(code)) return 'RETRY';
    if (RATE_CODES.has(code)) return 'RATE_LIMITED';
    if (code === 'H084') return 'TOKEN_LIMIT';
    if (code === 'H351') return 'REFRESH_TOKEN';
    if (DONE_CODES.has(code)) return 'ALREADY_DONE';
    if (code === 'H178') return 'STALE';
    if (code === 'H467') return 'DEADLINE_MISSED';
    if (OPERATOR_CODES.has(code)) return 'NEEDS_OPERATOR';
    if (/^H\d+$/.test(code) && httpStatus >= 400 && httpStatus < 500) return 'FINAL';
  }
  if (httpStatus === 429) return 'RATE_LIMITED';
  if (httpStatus === 401) return 'REFRESH_TOKEN';
  if (httpStatus === 403) return 'NEEDS_OPERATOR';
  if (httpStatus >= 500 || httpStatus === 408 || httpStatus === 0) return 'RETRY';
  return 'FINAL';
}

/** A failure, reduced to what the sync engine needs: the action, the code to record, and an earliest retry time. */
export interface ClassifiedFailure {
  action: IysErrorAction;
  /** The İYS code, or NETWORK / TIMEOUT / NO_SLOT / TOKEN_* / HTTP_<status> when İYS gave none. */
  code: string;
  retryAt: Date | null;
}

/** Classifies anything the İYS client throws; other errors (a database failure) are not İYS's and answer null. */
export function classifyIysFailure(err: unknown): ClassifiedFailure | null {
  if (err instanceof IysApiError) {
    return {
      action: iysErrorAction(err.code, err.httpStatus),
      code: err.code ?? `HTTP_${err.httpStatus}`,
      retryAt: null,
    };
  }
  if (err instanceof IysTransportError) return { action: 'RETRY', code: err.kind, retryAt: null };
  if (err instanceof IysUnavailableError) {
    return {
      action: err.reason === 'TOKEN_HALTED' || err.reason === 'TOKEN_BUDGET' ? 'TOKEN_LIMIT' : 'RETRY',
      code: err.reason,
      retryAt: err.retryAt,
    };
  }
  if (err instanceof IysAuthError) {
    // Wrong credentials or an admin user: nothing a retry fixes until the configuration changes.
    return { action: 'NEEDS_OPERATOR', code: 'INVALID_CREDENTIALS', retryAt: null };
  }
  return null;
}

export interface BackoffSettings {
  /** First retry delay. */
  baseMs: number;
  /** Longest delay between two tries of a transient failure. */
  maxMs: number;
  /** Delay for NEEDS_OPERATOR and for hourly limits. */
  slowMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 500, maxMs: 30_000, slowMs: 5 * 60_000 };

/**
 * Delay before try number `attempt + 1` (attempt 1 = the first try failed), exponential with ±20% jitter so that
 * rows that failed together (an outage) do not all come back in the same instant. Returns null for actions that
 * are never retried.
 */
export function retryDelayMs(
  action: IysErrorAction,
  attempt: number,
  code: string,
  settings: BackoffSettings = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number | null {
  switch (action) {
    case 'ALREADY_DONE':
    case 'STALE':
    case 'DEADLINE_MISSED':
    case 'FINAL':
      return null;
    case 'NEEDS_OPERATOR':
      return settings.slowMs;
    case 'TOKEN_LIMIT':
      return settings.slowMs;
    case 'RATE_LIMITED':
      if (HOURLY_RATE_CODES.has(code)) return settings.slowMs;
      return jitter(Math.max(1000, exponential(settings, attempt)), random);
    case 'RETRY':
    case 'REFRESH_TOKEN':
      return jitter(exponential(settings, attempt), random);
  }
}

function exponential(settings: BackoffSettings, attempt: number): number {
  return Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempt - 1));
}

function jitter(ms: number, random: () => number): number {
  return Math.round(ms * (0.8 + 0.4 * random()));
}
