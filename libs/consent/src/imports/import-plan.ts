import type { ConsentStatus } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';
import type { ConsentBrand } from '../registry/consent.types';
import { decideOutbox, isOlderThan, laterMovementProblems, type ValidMovement } from '../registry/movement-rules';
import type { ImportRowError } from './import.types';

/** A row that passed `validateMovement`, with its line in the file. */
export interface ValidImportRow {
  line: number;
  movement: ValidMovement;
}

/** The current state of one consent key as the batch found it, then as earlier rows of the batch left it. */
export interface KeyState {
  status: ConsentStatus;
  /** Null, like the date, for a merchant's (TACIR) first record registered without one. */
  source: string | null;
  consentDateMs: number | null;
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
  /** Rows refused because of the stored state (a merchant's later movement without consentDate or source). */
  refused: ImportRowError[];
  /** Rows that repeat the current state exactly: nothing new to store or send. */
  unchanged: number;
  /** Stored rows that are RETs for an address İYS has never seen: kept locally (they block sending), never sent. */
  firstRefusals: number;
}

export function consentKeyOf(m: Pick<ValidMovement, 'type' | 'recipientType' | 'recipient'>): string {
  return `${m.type}|${m.recipientType}|${m.recipient}`;
}

/**
 * Decides each row of a batch in file order, the way `ConsentRegistry.record` decides one movement
 * (compliance.md §3), with the same rules (`laterMovementProblems`, `isOlderThan`, `decideOutbox`): latest
 * consentDate wins, an older row is kept as stale history, a repeat of the current state adds nothing, a merchant's
 * later row without consentDate or source is refused (H462, H463), and each stored row gets the outgoing İYS state
 * the sync engine needs. A RET for an address İYS has never seen is kept, where it blocks sending, and never sent
 * (H175), so a migration keeps every refusal it was given. `current` holds the stored state of the batch's keys and
 * is updated as rows apply, so duplicates within the file resolve as if they had arrived one by one.
 */
export function planImportBatch(
  rows: readonly ValidImportRow[],
  current: Map<string, KeyState>,
  brand: Pick<ConsentBrand, 'iysSync'>,
): ImportBatchPlan {
  const plan: ImportBatchPlan = { stored: [], refused: [], unchanged: 0, firstRefusals: 0 };
  for (const row of rows) {
    const m = row.movement;
    const key = consentKeyOf(m);
    const cur = current.get(key);
    const dateMs = m.consentDate === null ? null : m.consentDate.getTime();
    if (cur && cur.status === m.status && cur.source === m.source && cur.consentDateMs === dateMs) {
      plan.unchanged++;
      continue;
    }
    const problems = laterMovementProblems(m, !!cur);
    if (problems.length) {
      plan.refused.push({ line: row.line, code: problems[0].code, message: problems.map((p) => p.message).join('; ') });
      continue;
    }
    const stale = !!cur && isOlderThan(m.consentDate, cur.consentDateMs);
    const { state, reason } = decideOutbox({
      iysSync: brand.iysSync,
      stale,
      status: m.status,
      currentStatus: cur?.status,
      iysKnowsKey: cur?.iysKnows ?? false,
    });
    plan.stored.push({ line: row.line, movement: m, stale, state, reason });
    if (reason === 'FIRST_RET') plan.firstRefusals++;
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
