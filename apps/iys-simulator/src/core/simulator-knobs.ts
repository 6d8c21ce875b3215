import { parseTurkeyDateTime, parseTurkeyDay } from './turkey-time';
import { TURKEY_PUBLIC_HOLIDAYS } from './turkey-holidays';

// The knobs are the answers to what İYS leaves open (iys-api.md §12, §13) plus the limits of §8. They are served
// and changed at /_sim/config; `startIysSimulator({ config })` sets them at start. Every field is plain JSON.

export interface RateLimitKnobs {
  /** Master switch for every limit below. */
  enabled: boolean;
  /** Requests per second per client IP on every İYS path (429 H124). null switches this limit off. */
  perSecond: number | null;
  /** Token requests per hour per client IP (429 H084); a request while blocked restarts the hour. */
  tokenPerHour: number | null;
  /** Single status queries (C4) per hour per client IP (429 H086). */
  statusPerHour: number | null;
  /** History queries (C6) per hour per client IP (429 H089). */
  historyPerHour: number | null;
}

/** What C4 answers for a consent key İYS has never seen (undocumented, §5.4). */
export type UnknownStatusAnswer = 'NOT_FOUND' | 'EMPTY' | 'NO_CONTENT';

export interface SimulatorKnobs {
  rateLimits: RateLimitKnobs;
  /** Minutes before a movement shows in the change feed (C7). İYS: 60. */
  pullLagMinutes: number;
  /** Seconds from accepting an async batch (C2) to processing it. Real İYS asks clients to wait 300 s. */
  batchDelaySeconds: number;
  /** Whether ONAY on a key that is already ONAY is accepted (rule 13; [SPEC] 1.1.0 allows it). */
  allowRepeatedOnay: boolean;
  /** Whether a movement whose consentDate equals the stored one is accepted (rule 11; [SPEC] "not earlier"). */
  allowEqualConsentDate: boolean;
  /** Whether the three-business-day rule (H467) is enforced. */
  enforceThreeBusinessDays: boolean;
  /** "YYYY-MM-DD HH:mm:ss": requests before this instant are exempt from H467 (İYS's activation date). */
  threeBusinessDaysFrom: string | null;
  /** Non-working days ("YYYY-MM-DD") for H467, besides Saturdays and Sundays. */
  holidays: string[];
  /** C4 on an unknown key: 404 SIM404 (NOT_FOUND), 200 `{}` (EMPTY) or 204 (NO_CONTENT). */
  unknownStatusAnswer: UnknownStatusAnswer;
  /** Shifts the simulator's "now" (token expiry, dates, windows, lags); may be negative. */
  clockOffsetSeconds: number;
  /** Rule 19: two movements of one key in the same second share a transactionId. */
  sameSecondSameTransactionId: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Allows http:// push URLs (İYS requires https, H531); tests use local http receivers. */
  pushAllowHttp: boolean;
  /** At registration, post İYS's test payload and check that the endpoint enforces Basic auth (H530/H191). */
  pushVerifyOnRegistration: boolean;
  /** Time an endpoint has to answer a push or the registration check (İYS: 5 s). */
  pushTimeoutSeconds: number;
  /** Extra delivery attempts after a failed push (undocumented in İYS). */
  pushRetries: number;
  /** Entries kept in the request log (/_sim/requests); oldest dropped first. */
  requestLogLimit: number;
}

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object | null ? DeepPartial<T[K]> : T[K];
};

/** A `Partial<SimulatorKnobs>` whose nested `rateLimits` may be partial too; merged over the current knobs. */
export type SimulatorKnobsPatch = DeepPartial<SimulatorKnobs>;

export function defaultKnobs(): SimulatorKnobs {
  return {
    rateLimits: { enabled: true, perSecond: 10, tokenPerHour: 10, statusPerHour: 1000, historyPerHour: 100 },
    pullLagMinutes: 60,
    batchDelaySeconds: 2,
    allowRepeatedOnay: true,
    allowEqualConsentDate: true,
    enforceThreeBusinessDays: true,
    threeBusinessDaysFrom: null,
    holidays: [...TURKEY_PUBLIC_HOLIDAYS],
    unknownStatusAnswer: 'NOT_FOUND',
    clockOffsetSeconds: 0,
    sameSecondSameTransactionId: true,
    accessTokenTtlSeconds: 7200,
    refreshTokenTtlSeconds: 14400,
    pushAllowHttp: false,
    pushVerifyOnRegistration: true,
    pushTimeoutSeconds: 5,
    pushRetries: 2,
    requestLogLimit: 5000,
  };
}

export class KnobsValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid simulator knobs: ${problems.join('; ')}`);
  }
}

type Check = (value: unknown) => string | null;

const isBool: Check = (v) => (typeof v === 'boolean' ? null : 'must be a boolean');
const nonNegative: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'must be a number >= 0';
const positive: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : 'must be a number > 0');
const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? null : 'must be a number');
const positiveIntOrNull: Check = (v) =>
  v === null || (Number.isInteger(v) && (v as number) > 0) ? null : 'must be a positive integer or null';
const nonNegativeInt: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 ? null : 'must be an integer >= 0');
const positiveInt: Check = (v) => (Number.isInteger(v) && (v as number) > 0 ? null : 'must be an integer > 0');

const TOP_LEVEL_CHECKS: Record<Exclude<keyof SimulatorKnobs, 'rateLimits'>, Check> = {
  pullLagMinutes: nonNegative,
  batchDelaySeconds: nonNegative,
  allowRepeatedOnay: isBool,
  allowEqualConsentDate: isBool,
  enforceThreeBusinessDays: isBool,
  threeBusinessDaysFrom: (v) =>
    v === null || (typeof v === 'string' && parseTurkeyDateTime(v).ok) ? null : 'must be "YYYY-MM-DD HH:mm:ss" or null',
  holidays: (v) =>
    Array.isArray(v) && v.every((d) => typeof d === 'string' && parseTurkeyDay(d) !== null)
      ? null
      : 'must be a list of "YYYY-MM-DD" dates',
  unknownStatusAnswer: (v) =>
    v === 'NOT_FOUND' || v === 'EMPTY' || v === 'NO_CONTENT' ? null : 'must be NOT_FOUND, EMPTY or NO_CONTENT',
  clockOffsetSeconds: finite,
  sameSecondSameTransactionId: isBool,
  accessTokenTtlSeconds: positive,
  refreshTokenTtlSeconds: positive,
  pushAllowHttp: isBool,
  pushVerifyOnRegistration: isBool,
  pushTimeoutSeconds: positive,
  pushRetries: nonNegativeInt,
  requestLogLimit: positiveInt,
};

const RATE_LIMIT_CHECKS: Record<keyof RateLimitKnobs, Check> = {
  enabled: isBool,
  perSecond: positiveIntOrNull,
  tokenPerHour: positiveIntOrNull,
  statusPerHour: positiveIntOrNull,
  historyPerHour: positiveIntOrNull,
};

/**
 * Merges a patch over `current` and returns a new knobs object. Unknown names and wrong types are refused as a
 * whole (nothing is applied), so a typo in a test never silently leaves a knob at its old value.
 */
export function mergeKnobs(current: SimulatorKnobs, patch: unknown): SimulatorKnobs {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw new KnobsValidationError(['the body must be an object']);
  const problems: string[] = [];
  const next: SimulatorKnobs = { ...current, rateLimits: { ...current.rateLimits }, holidays: [...current.holidays] };
  for (const [name, value] of Object.entries(patch)) {
    if (name === 'rateLimits') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push('rateLimits must be an object');
        continue;
      }
      for (const [limitName, limitValue] of Object.entries(value)) {
        const check = RATE_LIMIT_CHECKS[limitName as keyof RateLimitKnobs];
        if (!check) problems.push(`rateLimits.${limitName} is not a knob`);
        else {
          const problem = check(limitValue);
          if (problem) problems.push(`rateLimits.${limitName} ${problem}`);
          else (next.rateLimits as unknown as Record<string, unknown>)[limitName] = limitValue;
        }
      }
      continue;
    }
    const check = TOP_LEVEL_CHECKS[name as keyof typeof TOP_LEVEL_CHECKS];
    if (!check) {
      problems.push(`${name} is not a knob`);
      continue;
    }
    const problem = check(value);
    if (problem) problems.push(`${name} ${problem}`);
    else (next as unknown as Record<string, unknown>)[name] = Array.isArray(value) ? [...value] : value;
  }
  if (problems.length) throw new KnobsValidationError(problems);
  return next;
}
