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
import type { ConsentEvidence, MovementInput } from './consent.types';

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
  source: string;
  consentDate: Date;
  recipientType: RecipientType;
  evidence?: ConsentEvidence;
  /** End of the 3-business-day window within which İYS must have the movement. */
  registrationDeadline: Date;
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
 * State rules that need the stored history (first RET, staleness) are the registry's.
 */
export function validateMovement(
  input: MovementInput,
  now: Date,
  calendar: BusinessCalendar,
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
  if (!isHsSource(input.source)) {
    problems.push({
      field: 'source',
      code: 'INVALID_SOURCE',
      message: `source must be one of the service provider sources (${HS_SOURCES.join(', ')}); IYS_* sources come only from İYS`,
    });
  }
  let recipient = '';
  if (isIysType(input.type)) {
    const r = normalizeRecipient(input.type, String(input.recipient ?? ''));
    if (r.ok) recipient = r.value;
    else problems.push({ field: 'recipient', code: r.code, message: r.message });
  }
  const consentDate = input.consentDate === undefined ? now : parseConsentDate(input.consentDate);
  let deadline = now;
  if (!consentDate) {
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
      source: input.source,
      consentDate: consentDate!,
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
