import { normalizeRecipient } from '../addresses';
import { BusinessCalendar, parseIysDate } from '../calendar';
import {
  HS_SOURCES,
  isConsentStatus,
  isHsSource,
  isIysType,
  isRecipientType,
  type ConsentStatus,
  type IysType,
  type RecipientType,
} from '../domain';
import type { IysSyncState } from '../gate/gate-policy';
import type { ConsentBrand, ConsentEvidence, MovementInput } from './consent.types';

/** İYS accepts no consent dated before its start (H156). */
export const IYS_EPOCH = new Date('2015-04-30T21:00:00.000Z'); // 2015-05-01 00:00:00 Turkey time
/** Tolerated drift between a client's clock and ours before a consentDate counts as "in the future". */
export const FUTURE_TOLERANCE_MS = 60_000;

export interface MovementProblem {
  field: string;
  code: string;
  message: string;
}

export interface ValidMovement {
  recipient: string;
  type: IysType;
  status: ConsentStatus;
  /** Null only for a TACIR movement that came without one: allowed on the key's first record alone (H463). */
  source: string | null;
  /** Null only for a TACIR movement that came without a source and a date (İYS's first-insert shape; H462 after). */
  consentDate: Date | null;
  recipientType: RecipientType;
  evidence?: ConsentEvidence;
  /**
   * End of the 3-business-day window within which İYS must have the movement; for an undated merchant record, which
   * İYS's window does not cover, three business days from its recording, so that the outbox still alerts on it.
   */
  registrationDeadline: Date;
}

export interface ValidateOptions {
  /**
   * The consentDate of a movement that gives none (a CSV import uses the time of the upload, so a resumed import
   * reads a row exactly as the first run did). Default: `now`.
   */
  defaultConsentDate?: Date;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Reads a consentDate: ISO 8601 with an explicit offset, or İYS's own format in Turkey time. */
export function parseConsentDate(value: string | Date): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (ISO_WITH_OFFSET.test(value)) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  try {
    return parseIysDate(value);
  } catch {
    return null;
  }
}

/**
 * Everything İYS would refuse, checked before anything is stored or sent (compliance.md §3.6): address format,
 * enums, HS-only sources, the date rules (H156, H155, H162, H467) and HS_KARAR only with RET (H408).
 * State rules that need the stored history (first RET, staleness, a merchant's later movement: `laterMovementProblems`)
 * are the registry's.
 *
 * A left-out consentDate means "now" (or `defaultConsentDate`), except on a TACIR movement that leaves out its source
 * too: that is İYS's first-insert shape for a merchant (iys-api.md §7 rule 15), kept undated and sourceless exactly
 * as given, never filled in with a date nobody gave.
 */
export function validateMovement(
  input: MovementInput,
  now: Date,
  calendar: BusinessCalendar,
  options: ValidateOptions = {},
): { ok: true; value: ValidMovement } | { ok: false; problems: MovementProblem[] } {
  const problems: MovementProblem[] = [];
  if (!isIysType(input.type))
    problems.push({ field: 'type', code: 'INVALID_TYPE', message: 'type must be one of EPOSTA, MESAJ, ARAMA' });
  if (!isConsentStatus(input.status))
    problems.push({ field: 'status', code: 'INVALID_STATUS', message: 'status must be ONAY or RET' });
  const recipientType = input.recipientType ?? 'BIREYSEL';
  if (!isRecipientType(recipientType))
    problems.push({
      field: 'recipientType',
      code: 'INVALID_RECIPIENT_TYPE',
      message: 'recipientType must be BIREYSEL or TACIR',
    });
  const sourceGiven = input.source !== undefined && input.source !== null;
  const merchant = recipientType === 'TACIR';
  if (sourceGiven && !isHsSource(input.source)) {
    problems.push({
      field: 'source',
      code: 'INVALID_SOURCE',
      message: `source must be one of the service provider sources (${HS_SOURCES.join(', ')}); IYS_* sources come only from İYS`,
    });
  } else if (!sourceGiven && !merchant) {
    problems.push({
      field: 'source',
      code: 'INVALID_SOURCE',
      message: `source is required, one of the service provider sources (${HS_SOURCES.join(', ')}); only a merchant's (TACIR) first record may leave it out`,
    });
  }
  let recipient = '';
  if (isIysType(input.type)) {
    const r = normalizeRecipient(input.type, String(input.recipient ?? ''));
    if (r.ok) recipient = r.value;
    else problems.push({ field: 'recipient', code: r.code, message: r.message });
  }
  const dateGiven = input.consentDate !== undefined && input.consentDate !== null;
  const undated = !dateGiven && merchant && !sourceGiven;
  const consentDate = dateGiven
    ? parseConsentDate(input.consentDate!)
    : undated
      ? null
      : (options.defaultConsentDate ?? now);
  let deadline = now;
  if (undated) {
    deadline = calendar.registrationDeadline(now);
  } else if (!consentDate) {
    problems.push({
      field: 'consentDate',
      code: 'INVALID_CONSENT_DATE',
      message:
        'consentDate must be ISO 8601 with an offset (2026-03-10T14:05:00+03:00) or "YYYY-MM-DD HH:mm:ss" in Turkey time',
    });
  } else {
    deadline = calendar.registrationDeadline(consentDate);
    if (consentDate.getTime() < IYS_EPOCH.getTime()) {
      problems.push({
        field: 'consentDate',
        code: 'CONSENT_DATE_TOO_EARLY',
        message: 'consentDate cannot be before 2015-05-01 00:00:00 (Turkey time)',
      });
    } else if (consentDate.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      problems.push({
        field: 'consentDate',
        code: 'CONSENT_DATE_IN_FUTURE',
        message: 'consentDate cannot be in the future',
      });
    } else if (deadline.getTime() < now.getTime()) {
      problems.push({
        field: 'consentDate',
        code: 'REGISTRATION_WINDOW_PASSED',
        message:
          'consentDate is more than 3 business days ago: İYS no longer accepts it (H467), so it cannot be registered',
      });
    }
    if (input.source === 'HS_2015' && consentDate.getTime() !== IYS_EPOCH.getTime()) {
      problems.push({
        field: 'consentDate',
        code: 'INVALID_SOURCE',
        message: 'source HS_2015 requires consentDate 2015-05-01 00:00:00',
      });
    }
  }
  if (input.source === 'HS_KARAR' && input.status !== 'RET') {
    problems.push({ field: 'source', code: 'INVALID_SOURCE', message: 'source HS_KARAR is only for RET' });
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      recipient,
      type: input.type,
      status: input.status,
      source: sourceGiven ? input.source! : null,
      consentDate,
      recipientType,
      evidence: cleanEvidence(input.evidence),
      registrationDeadline: deadline,
    },
  };
}

function cleanEvidence(e: ConsentEvidence | undefined): ConsentEvidence | undefined {
  if (!e) return undefined;
  const out: ConsentEvidence = {};
  for (const [k, v] of Object.entries(e) as [keyof ConsentEvidence, unknown][]) {
    if (typeof v === 'string' && v.length > 0) out[k] = v.slice(0, 4000);
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The rule for a merchant's later movements (iys-api.md §7 rule 15, compliance.md §3.4): only a key's first record
 * may come without consentDate and source; İYS refuses every later one without them (H462, H463). `hasRecord`: the
 * key already has a movement held here. Checked before anything is stored, so İYS never sees such a movement.
 */
export function laterMovementProblems(m: ValidMovement, hasRecord: boolean): MovementProblem[] {
  if (!hasRecord || m.recipientType !== 'TACIR') return [];
  const problems: MovementProblem[] = [];
  if (m.consentDate === null)
    problems.push({
      field: 'consentDate',
      code: 'TACIR_CONSENT_DATE_REQUIRED',
      message:
        "only a merchant's (TACIR) first record may leave out consentDate; this address already has one, and İYS refuses a later movement without it (H462)",
    });
  if (m.source === null)
    problems.push({
      field: 'source',
      code: 'TACIR_SOURCE_REQUIRED',
      message:
        "only a merchant's (TACIR) first record may leave out source; this address already has one, and İYS refuses a later movement without it (H463)",
    });
  return problems;
}

/** What becomes of a recorded movement's outgoing İYS row (the table in libs/consent/README.md). */
export interface OutboxDecision {
  state: IysSyncState;
  /** Why a row is kept locally only: CUSTOMER_SYNC, STALE, ALREADY_RET or FIRST_RET. */
  reason: string | null;
}

/**
 * Decides, before anything is sent, whether a movement goes to İYS (compliance.md §3): one rule for the single API
 * and for imports. A RET for a key İYS has never seen (`iysKnowsKey` false: no ONAY accepted or on its way) is kept
 * locally, where it blocks sending, and is never sent: İYS refuses a first RET (H175), and every refused request
 * counts against the integrator's success rate.
 */
export function decideOutbox(input: {
  iysSync: ConsentBrand['iysSync'];
  stale: boolean;
  status: ConsentStatus;
  currentStatus: ConsentStatus | undefined;
  iysKnowsKey: boolean;
}): OutboxDecision {
  if (input.iysSync === 'CUSTOMER') return { state: 'NOT_REQUIRED', reason: 'CUSTOMER_SYNC' };
  if (input.stale) return { state: 'NOT_REQUIRED', reason: 'STALE' };
  if (input.status === 'RET') {
    if (input.currentStatus === 'RET') return { state: 'NOT_REQUIRED', reason: 'ALREADY_RET' };
    if (!input.iysKnowsKey) return { state: 'NOT_REQUIRED', reason: 'FIRST_RET' };
  }
  return { state: 'PENDING', reason: null };
}

/**
 * Latest consentDate wins (compliance.md §3.1): a movement is stale when it is older than the one in force. An
 * undated merchant record is older than any dated movement, as İYS orders them.
 */
export function isOlderThan(consentDate: Date | null, inForceMs: number | null): boolean {
  if (consentDate === null || inForceMs === null) return false;
  return consentDate.getTime() < inForceMs;
}
