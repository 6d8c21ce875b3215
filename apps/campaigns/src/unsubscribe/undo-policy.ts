import type { ConsentStatus } from '@izinli/consent';

/** How long after its unsubscribe a link may undo it (design.md "Unsubscribe (public)", compliance.md §3.8). */
export const UNDO_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Why an undo was refused; each has its own page text (UNSUBSCRIBE.md "Undo"). */
export type UndoRefusal =
  /** This link put no RET in force (never used, or its click found the address already unsubscribed). */
  | 'NO_UNSUBSCRIBE'
  /** The link's RET replaced no ONAY: there was no consent, or a refusal already. An undo never creates consent. */
  | 'NOTHING_TO_RESTORE'
  /** This unsubscribe was undone already: once per unsubscribe. */
  | 'ALREADY_UNDONE'
  /** More than UNDO_WINDOW_MS since the unsubscribe. */
  | 'EXPIRED'
  /** Another movement (İYS, another link, the API, an import) is in force instead of the link's RET. */
  | 'CHANGED';

/** The latest RET a link put in force, as the undo needs it. */
export interface UnsubscribeRecord {
  retMovementId: string;
  retSource: string;
  retConsentDate: Date;
  /** The status of the movement the RET replaced in force; null when the key had none. */
  replacedStatus: ConsentStatus | null;
  unsubscribedAt: Date;
  undoneAt: Date | null;
  /** The movement in force for the key now. */
  currentMovementId: string | null;
}

/**
 * Whether this link may undo its unsubscribe now: null when it may, otherwise the first reason it may not. The
 * last condition is checked again under the key's lock when the ONAY is recorded.
 */
export function undoRefusal(record: UnsubscribeRecord | undefined, now: Date): UndoRefusal | null {
  if (!record) return 'NO_UNSUBSCRIBE';
  if (record.replacedStatus !== 'ONAY') return 'NOTHING_TO_RESTORE';
  if (record.undoneAt) return 'ALREADY_UNDONE';
  if (now.getTime() - record.unsubscribedAt.getTime() > UNDO_WINDOW_MS) return 'EXPIRED';
  if (record.currentMovementId !== record.retMovementId) return 'CHANGED';
  return null;
}
