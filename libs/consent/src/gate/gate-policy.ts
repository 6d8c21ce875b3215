import type { BlockReason, ConsentStatus, MessageKind, RecipientType } from '../domain';

export type IysSyncState = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'NOT_REQUIRED';
export const IYS_SYNC_STATES: readonly IysSyncState[] = ['PENDING', 'ACCEPTED', 'REJECTED', 'NOT_REQUIRED'];

/** Why a recipient may receive the message. */
export type AllowReason =
  /** The latest movement is ONAY and İYS accepted it. */
  | 'ONAY_ACCEPTED'
  /** ONAY still inside its 3-business-day registration window. */
  | 'ONAY_IN_REGISTRATION_WINDOW'
  /** ONAY of a brand whose HS syncs İYS itself (CUSTOMER mode). */
  | 'ONAY_SYNCED_BY_SERVICE_PROVIDER'
  /** A merchant's address on record and not refused. */
  | 'TACIR_NOT_REFUSED'
  /** Transactional mail needs no consent (only the suppression list applies). */
  | 'CONSENT_NOT_REQUIRED';

export type GateReason = AllowReason | BlockReason;

export const BLOCKING_REASONS: ReadonlySet<GateReason> = new Set<GateReason>([
  'NO_CONSENT',
  'REFUSED',
  'NOT_REGISTERED',
  'SUPPRESSED',
]);

/** The current state of one consent key, as the gate reads it. */
export interface ConsentSnapshot {
  status: ConsentStatus;
  iysState: IysSyncState;
  registrationDeadline: Date | null;
}

export interface GateInput {
  kind: MessageKind;
  recipientType: RecipientType;
  consent: ConsentSnapshot | null;
  suppressed: boolean;
  now: Date;
}

/**
 * The gate's rule for one recipient (compliance.md §2). `ConsentGate` evaluates the same rule in SQL for whole
 * audiences; a test holds the two to the same answers.
 */
export function decideGate(input: GateInput): GateReason {
  if (input.suppressed) return 'SUPPRESSED';
  if (input.kind !== 'COMMERCIAL') return 'CONSENT_NOT_REQUIRED';
  const c = input.consent;
  if (input.recipientType === 'TACIR') {
    if (!c) return 'NOT_REGISTERED';
    if (c.status === 'RET') return 'REFUSED';
    return c.iysState === 'REJECTED' ? 'NOT_REGISTERED' : 'TACIR_NOT_REFUSED';
  }
  if (!c) return 'NO_CONSENT';
  if (c.status === 'RET') return 'REFUSED';
  switch (c.iysState) {
    case 'ACCEPTED':
      return 'ONAY_ACCEPTED';
    case 'NOT_REQUIRED':
      return 'ONAY_SYNCED_BY_SERVICE_PROVIDER';
    case 'PENDING':
      return c.registrationDeadline && c.registrationDeadline.getTime() >= input.now.getTime()
        ? 'ONAY_IN_REGISTRATION_WINDOW'
        : 'NOT_REGISTERED';
    case 'REJECTED':
      return 'NOT_REGISTERED';
  }
}

export function isAllowed(reason: GateReason): boolean {
  return !BLOCKING_REASONS.has(reason);
}

/**
 * The same rule as SQL over aliases `c` (consents, LEFT JOINed), `s` (suppression hit, LEFT JOINed) and the
 * recipient type expression; parameters named by the caller.
 */
export function gateReasonSql(p: { recipientType: string; kind: string; now: string }): string {
  return `CASE
    WHEN s.email IS NOT NULL THEN 'SUPPRESSED'
    WHEN ${p.kind} <> 'COMMERCIAL' THEN 'CONSENT_NOT_REQUIRED'
    WHEN ${p.recipientType} = 'TACIR' THEN
      CASE WHEN c.status IS NULL THEN 'NOT_REGISTERED'
           WHEN c.status = 'RET' THEN 'REFUSED'
           WHEN c.iys_state = 'REJECTED' THEN 'NOT_REGISTERED'
           ELSE 'TACIR_NOT_REFUSED' END
    WHEN c.status IS NULL THEN 'NO_CONSENT'
    WHEN c.status = 'RET' THEN 'REFUSED'
    WHEN c.iys_state = 'ACCEPTED' THEN 'ONAY_ACCEPTED'
    WHEN c.iys_state = 'NOT_REQUIRED' THEN 'ONAY_SYNCED_BY_SERVICE_PROVIDER'
    WHEN c.iys_state = 'PENDING' AND c.registration_deadline >= ${p.now} THEN 'ONAY_IN_REGISTRATION_WINDOW'
    ELSE 'NOT_REGISTERED'
  END`;
}
