import type { ConsentStatus } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';
import type { ConsentBrand } from '../registry/consent.types';
import type { ValidMovement } from '../registry/movement-rules';
import type { ImportRowError } from './import.types';

/** A row that passed `validateMovement`, with its line in the file. */
export interface ValidImportRow {
  line: number;
  movement: ValidMovement;
}

/** The current state of one consent key as the batch found it, then as earlier rows of the batch left it. */
export interface KeyState {
  status: ConsentStatus;
  source: string;
  consentDateMs: number;
  /** İYS holds, or is about to hold, an ONAY for the key: a RET for it may be sent (otherwise H175). */
  iysKnows: boolean;
}

/** A row to store: a movement, its outgoing İYS row, and (unless stale) the new current state. */
export interface StoredImportRow extends ValidImportRow {
  stale: boolean;
  state: IysSyncState;
  reason: string | null;
}

export interface ImportBatchPlan {
  stored: StoredImportRow[];
  /** Rows refused because of the stored state (first RET). */
  refused: ImportRowError[];
  /** Rows that repeat the current state exactly: nothing new to store or send. */
  unchanged: number;
}

export function consentKeyOf(m: Pick<ValidMovement, 'type' | 'recipientType' | 'recipient'>): string {
  return `${m.type}|${m.recipientType}|${m.recipient}`;
}

export const FIRST_RET_MESSAGE =
  'İYS refuses a RET as the first movement of an address it has never seen (H175); the row was not imported.';

/**
 * Decides each row of a batch in file order, the way `ConsentRegistry.record` decides one movement
 * (compliance.md §3): latest consentDate wins, an older row is kept as stale history, a repeat of the current
 * state adds nothing, and each stored row gets the outgoing İYS state the sync engine needs. `current` holds the
 * stored state of the batch's keys and is updated as rows apply, so duplicates within the file resolve as if
 * they had arrived one by one.
 *
 * One difference from the API: a RET for a key with no state at all is refused (FIRST_RET) instead of being kept
 * locally, because an import is how a service provider migrates its list and İYS would refuse it anyway. A RET
 * that overrides a local ONAY İYS never saw is kept (it must block sending) but not sent.
 */
export function planImportBatch(
  rows: readonly ValidImportRow[],
  current: Map<string, KeyState>,
  brand: Pick<ConsentBrand, 'iysSync'>,
): ImportBatchPlan {
  const plan: ImportBatchPlan = { stored: [], refused: [], unchanged: 0 };
  for (const row of rows) {
    const m = row.movement;
    const key = consentKeyOf(m);
    const cur = current.get(key);
    const dateMs = m.consentDate.getTime();
    if (cur && cur.status === m.status && cur.source === m.source && cur.consentDateMs === dateMs) {
      plan.unchanged++;
      continue;
    }
    const stale = !!cur && dateMs < cur.consentDateMs;
    let state: IysSyncState = 'PENDING';
    let reason: string | null = null;
    if (brand.iysSync === 'CUSTOMER') {
      state = 'NOT_REQUIRED';
      reason = 'CUSTOMER_SYNC';
    } else if (stale) {
      state = 'NOT_REQUIRED';
      reason = 'STALE';
    } else if (m.status === 'RET') {
      if (!cur) {
        plan.refused.push({ line: row.line, code: 'FIRST_RET', message: FIRST_RET_MESSAGE });
        continue;
      }
      if (cur.status === 'RET') {
        state = 'NOT_REQUIRED';
        reason = 'ALREADY_RET';
      } else if (!cur.iysKnows) {
        state = 'NOT_REQUIRED';
        reason = 'FIRST_RET';
      }
    }
    plan.stored.push({ line: row.line, movement: m, stale, state, reason });
    if (!stale) {
      current.set(key, {
        status: m.status,
        source: m.source,
        consentDateMs: dateMs,
        iysKnows: (cur?.iysKnows ?? false) || (m.status === 'ONAY' && state === 'PENDING'),
      });
    }
  }
  return plan;
}
