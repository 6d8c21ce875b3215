import { sqlRows, SqlExecutor } from '@izinli/database';
import type { IysType, RecipientType } from '../domain';
import { isIysSideSource } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';
import type { IysMovement } from '../iys/iys-wire';
import type { ConsentBrand } from '../registry/consent.types';

export type IysOrigin = 'IYS_PULL' | 'IYS_PUSH';

/** What applying a list of İYS movements did. */
export interface AppliedIysMovements {
  received: number;
  /** New movements stored (their ids are in `movementIds`). */
  inserted: number;
  /** Already held: the same transactionId is a stored movement or one of Izinli's own accepted rows. */
  duplicates: number;
  /** Izinli's own movements still waiting for İYS's answer, recognised by content and marked ACCEPTED. */
  matchedOwn: number;
  /** Stored, but older than the state held, so the state did not change. */
  stale: number;
  /** Keys whose current state changed. */
  changedKeys: number;
  movementIds: string[];
}

/** The current state of a key, as latest-wins needs it. */
export interface HeldState {
  consentDateMs: number;
  iysState: IysSyncState;
  /** İYS's creationDate of the held movement, when İYS has it. */
  iysCreationMs: number | null;
}

export interface PlannedIysMovement {
  movement: IysMovement;
  /** consentDate, or creationDate for a carrier's undated line closure. */
  effectiveDate: Date;
  stale: boolean;
}

export function keyOf(m: { type: string; recipientType: string; recipient: string }): string {
  return `${m.type}|${m.recipientType}|${m.recipient}`;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * Latest consentDate wins (compliance.md §3.1), compared to the second, since İYS keeps no finer time. On a tie
 * the movement İYS created last wins, except over a movement of Izinli's that İYS has not received yet: İYS will
 * accept that one after this (an equal date is "not earlier") and it will then be İYS's latest. `held` is updated
 * as movements apply, so several movements of one key in one page resolve as if they had come one by one.
 */
export function planIysMovements(
  movements: readonly IysMovement[],
  held: Map<string, HeldState>,
): { planned: PlannedIysMovement[]; winners: Map<string, PlannedIysMovement> } {
  const planned: PlannedIysMovement[] = [];
  const winners = new Map<string, PlannedIysMovement>();
  for (const movement of movements) {
    const effectiveDate = movement.consentDate ?? movement.creationDate;
    const key = keyOf(movement);
    const cur = held.get(key);
    let wins = !cur;
    if (cur) {
      const a = seconds(effectiveDate.getTime());
      const b = seconds(cur.consentDateMs);
      if (a > b) wins = true;
      else if (a === b)
        wins =
          cur.iysState !== 'PENDING' &&
          (cur.iysCreationMs === null || movement.creationDate.getTime() >= cur.iysCreationMs);
    }
    const p: PlannedIysMovement = { movement, effectiveDate, stale: !wins };
    planned.push(p);
    if (wins) {
      winners.set(key, p);
      held.set(key, {
        consentDateMs: effectiveDate.getTime(),
        iysState: 'ACCEPTED',
        iysCreationMs: movement.creationDate.getTime(),
      });
    }
  }
  return { planned, winners };
}

const iso = (d: Date) => d.toISOString();

/**
 * Applies movements that came from İYS (pull, push, a status read) to the registry, inside the caller's
 * transaction: de-duplicated by transactionId, Izinli's own in-flight movements recognised, the rest stored as
 * movements of origin IYS_PULL / IYS_PUSH and applied latest-wins to `consents` with İYS state ACCEPTED. Every
 * step is one statement for the whole list.
 */
export async function applyIysMovements(
  tx: SqlExecutor,
  brand: Pick<ConsentBrand, 'id'>,
  input: readonly IysMovement[],
  origin: IysOrigin,
  now: Date,
): Promise<AppliedIysMovements> {
  const result: AppliedIysMovements = {
    received: input.length,
    inserted: 0,
    duplicates: 0,
    matchedOwn: 0,
    stale: 0,
    changedKeys: 0,
    movementIds: [],
  };
  const seen = new Set<string>();
  const list: IysMovement[] = [];
  for (const m of [...input].sort((a, b) => a.creationDate.getTime() - b.creationDate.getTime())) {
    if (seen.has(m.transactionId)) result.duplicates++;
    else {
      seen.add(m.transactionId);
      list.push(m);
    }
  }
  if (list.length === 0) return result;

  // Writers of a key serialise on the same advisory lock as ConsentRegistry.record; sorted, so two appliers never deadlock.
  const lockKeys = [...new Set(list.map((m) => `${brand.id}|${m.type}|${m.recipientType}|${m.recipient}`))].sort();
  await sqlRows(tx, `SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k ORDER BY k`, [
    lockKeys,
  ]);

  const known = await sqlRows<{ tx: string }>(
    tx,
    `SELECT t.tx FROM unnest($2::text[]) AS t(tx)
      WHERE EXISTS (SELECT 1 FROM consent_movements m WHERE m.brand_id = $1 AND m.iys_transaction_id = t.tx)
         OR EXISTS (SELECT 1 FROM iys_outbox o WHERE o.brand_id = $1 AND o.transaction_id = t.tx)`,
    [brand.id, list.map((m) => m.transactionId)],
  );
  const knownSet = new Set(known.map((k) => k.tx));
  result.duplicates += knownSet.size;
  let fresh = list.filter((m) => !knownSet.has(m.transactionId));

  // A movement of Izinli's comes back through the HS feed: the same key, status, source and consentDate as a row
  // still PENDING. It is that row, never a second movement. A row nobody is sending any more (its answer was lost
  // to a timeout or a killed worker) ends ACCEPTED here; a row in flight is left to its sender, whose answer is the
  // same transactionId and who lines up the key's next movement.
  const own = fresh.filter((m) => !isIysSideSource(m.source) && m.consentDate);
  if (own.length) {
    const matched = await sqlRows<{ tx: string; finished: number }>(
      tx,
      `WITH m AS (
         SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[])
           AS m(tx, type, recipient, recipient_type, status, source, consent_date, creation_date)
       ), cand AS (
         SELECT DISTINCT ON (o.id) o.id, m.tx, m.creation_date
           FROM m JOIN iys_outbox o
             ON o.brand_id = $1 AND o.type = m.type AND o.recipient = m.recipient AND o.recipient_type = m.recipient_type
            AND o.status = m.status AND o.source = m.source AND date_trunc('second', o.consent_date) = m.consent_date AND o.state = 'PENDING'
          ORDER BY o.id, m.creation_date
       ), upd AS (
         UPDATE iys_outbox o SET state = 'ACCEPTED', transaction_id = cand.tx, creation_date = cand.creation_date, error_code = NULL,
                claimed_until = NULL, claim_token = NULL, finished_at = $10, sent_at = COALESCE(o.sent_at, $10), updated_at = now()
           FROM cand WHERE o.id = cand.id AND o.batch_id IS NULL AND (o.claimed_until IS NULL OR o.claimed_until < $10)
         RETURNING o.movement_id, o.brand_id, o.type, o.recipient, o.recipient_type, cand.tx, cand.creation_date
       ), c AS (
         UPDATE consents c SET iys_state = 'ACCEPTED', iys_transaction_id = upd.tx, iys_creation_date = upd.creation_date, iys_error_code = NULL, updated_at = now()
           FROM upd WHERE c.brand_id = upd.brand_id AND c.type = upd.type AND c.recipient = upd.recipient AND c.recipient_type = upd.recipient_type
            AND c.movement_id = upd.movement_id
         RETURNING 1
       )
       SELECT cand.tx, (SELECT count(*) FROM upd)::int AS finished FROM cand`,
      [
        brand.id,
        own.map((m) => m.transactionId),
        own.map((m) => m.type),
        own.map((m) => m.recipient),
        own.map((m) => m.recipientType),
        own.map((m) => m.status),
        own.map((m) => m.source),
        own.map((m) => iso(m.consentDate!)),
        own.map((m) => iso(m.creationDate)),
        iso(now),
      ],
    );
    const matchedSet = new Set(matched.map((r) => r.tx));
    result.matchedOwn = matched[0]?.finished ?? 0;
    result.duplicates += matchedSet.size - result.matchedOwn;
    fresh = fresh.filter((m) => !matchedSet.has(m.transactionId));
  }
  if (fresh.length === 0) return result;

  const keys = [...new Map(fresh.map((m) => [keyOf(m), m])).values()];
  const heldRows = await sqlRows<{
    type: IysType;
    recipient: string;
    recipient_type: RecipientType;
    consent_date: Date;
    iys_state: IysSyncState;
    iys_creation_date: Date | null;
  }>(
    tx,
    `SELECT c.type, c.recipient, c.recipient_type, c.consent_date, c.iys_state, c.iys_creation_date
       FROM unnest($2::text[], $3::text[], $4::text[]) AS k(type, recipient, recipient_type)
       JOIN consents c ON c.brand_id = $1 AND c.type = k.type AND c.recipient = k.recipient AND c.recipient_type = k.recipient_type`,
    [brand.id, keys.map((k) => k.type), keys.map((k) => k.recipient), keys.map((k) => k.recipientType)],
  );
  const held = new Map<string, HeldState>(
    heldRows.map((r) => [
      keyOf({ type: r.type, recipientType: r.recipient_type, recipient: r.recipient }),
      {
        consentDateMs: new Date(r.consent_date).getTime(),
        iysState: r.iys_state,
        iysCreationMs: r.iys_creation_date ? new Date(r.iys_creation_date).getTime() : null,
      },
    ]),
  );
  const { planned, winners } = planIysMovements(fresh, held);
  const col = <T>(f: (p: PlannedIysMovement) => T) => planned.map(f);
  const inserted = await sqlRows<{ id: string; iys_transaction_id: string }>(
    tx,
    `INSERT INTO consent_movements (brand_id, type, recipient, recipient_type, status, source, consent_date, origin, recorded_by, stale, iys_transaction_id, iys_creation_date)
     SELECT $1, t.type, t.recipient, t.recipient_type, t.status, t.source, t.consent_date, $2, $3, t.stale, t.tx, t.creation_date
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::boolean[], $11::text[], $12::timestamptz[], $13::int[])
         AS t(type, recipient, recipient_type, status, source, consent_date, stale, tx, creation_date, ord)
      ORDER BY t.ord
     ON CONFLICT (brand_id, iys_transaction_id) WHERE iys_transaction_id IS NOT NULL DO NOTHING
     RETURNING id::text AS id, iys_transaction_id`,
    [
      brand.id,
      origin,
      origin === 'IYS_PUSH' ? 'iys:push' : 'iys:pull',
      col((p) => p.movement.type),
      col((p) => p.movement.recipient),
      col((p) => p.movement.recipientType),
      col((p) => p.movement.status),
      col((p) => p.movement.source),
      col((p) => iso(p.effectiveDate)),
      col((p) => p.stale),
      col((p) => p.movement.transactionId),
      col((p) => iso(p.movement.creationDate)),
      planned.map((_, i) => i),
    ],
  );
  const idOf = new Map(inserted.map((r) => [r.iys_transaction_id, r.id]));
  result.inserted = inserted.length;
  result.duplicates += planned.length - inserted.length;
  result.stale = planned.filter((p) => p.stale && idOf.has(p.movement.transactionId)).length;
  result.movementIds = planned
    .map((p) => idOf.get(p.movement.transactionId))
    .filter((id): id is string => id !== undefined);

  const win = [...winners.values()].filter((p) => idOf.has(p.movement.transactionId));
  if (win.length) {
    const changed = await sqlRows(
      tx,
      `INSERT INTO consents (brand_id, type, recipient, recipient_type, status, source, consent_date, movement_id, iys_state, registration_deadline,
                             iys_transaction_id, iys_creation_date, iys_error_code, updated_at)
       SELECT $1, w.type, w.recipient, w.recipient_type, w.status, w.source, w.consent_date, w.movement_id, 'ACCEPTED', NULL, w.tx, w.creation_date, NULL, now()
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::bigint[], $9::text[], $10::timestamptz[])
           AS w(type, recipient, recipient_type, status, source, consent_date, movement_id, tx, creation_date)
       ON CONFLICT (brand_id, type, recipient, recipient_type) DO UPDATE SET
         status = EXCLUDED.status, source = EXCLUDED.source, consent_date = EXCLUDED.consent_date, movement_id = EXCLUDED.movement_id,
         iys_state = 'ACCEPTED', registration_deadline = NULL, iys_transaction_id = EXCLUDED.iys_transaction_id,
         iys_creation_date = EXCLUDED.iys_creation_date, iys_error_code = NULL, updated_at = now()
       RETURNING 1`,
      [
        brand.id,
        win.map((p) => p.movement.type),
        win.map((p) => p.movement.recipient),
        win.map((p) => p.movement.recipientType),
        win.map((p) => p.movement.status),
        win.map((p) => p.movement.source),
        win.map((p) => iso(p.effectiveDate)),
        win.map((p) => idOf.get(p.movement.transactionId)!),
        win.map((p) => p.movement.transactionId),
        win.map((p) => iso(p.movement.creationDate)),
      ],
    );
    result.changedKeys = changed.length;
  }
  return result;
}
