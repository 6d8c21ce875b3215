import { Injectable } from '@nestjs/common';
import { scalarArrayLiteral, sqlExec, sqlOne, sqlRows, SqlExecutor, textArrayLiteral } from '@izinli/database';
import type { ConsentStatus } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';
import type { ConsentBrand } from '../registry/consent.types';
import type { KeyState, StoredImportRow } from './import-plan';
import type { ImportRowError, ImportStatus } from './import.types';

export interface ImportRow {
  id: string;
  brand_id: string;
  tenant_id: string;
  iys_code: string;
  brand_code: string;
  iys_sync: ConsentBrand['iysSync'];
  recorded_by: string;
  status: ImportStatus;
  total: number;
  accepted: number;
  rejected: number;
  first_refusals: number;
  chunks: number;
  lines_done: number;
  failure: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface BatchKey {
  type: string;
  recipient: string;
  recipientType: string;
  /** The batch has a RET for the key, so whether İYS knows it matters. */
  needsIys: boolean;
}

/** What a batch added: for the outbox listener, told once the batch has committed. */
export interface StoredBatch {
  movementIds: string[];
  outbox: { id: string; state: IysSyncState }[];
}

export interface BatchProgress {
  linesDone: number;
  total: number;
  accepted: number;
  rejected: number;
  firstRefusals: number;
}

const iso = (d: Date) => d.toISOString();

/**
 * The SQL of imports. Everything a batch writes is set-wise: one statement per table for the whole batch, with
 * the rows passed as parallel arrays and expanded by `unnest`, never a statement per row.
 */
@Injectable()
export class ImportRepository {
  /** `createdAt` comes from the library's clock: it is the consentDate of rows that leave theirs empty. */
  async create(ex: SqlExecutor, brand: ConsentBrand, recordedBy: string, createdAt: Date): Promise<ImportRow> {
    const row = await sqlOne<ImportRow>(
      ex,
      `INSERT INTO consent_imports (brand_id, tenant_id, iys_code, brand_code, iys_sync, recorded_by, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'RECEIVING', $7) RETURNING *`,
      [brand.id, brand.tenantId, brand.iysCode, brand.brandCode, brand.iysSync, recordedBy, iso(createdAt)],
    );
    return row!;
  }

  async appendChunk(ex: SqlExecutor, importId: string, seq: number, data: Uint8Array): Promise<void> {
    await sqlExec(ex, `INSERT INTO consent_import_chunks (import_id, seq, data) VALUES ($1, $2, $3)`, [
      importId,
      seq,
      data,
    ]);
  }

  async markQueued(ex: SqlExecutor, importId: string, chunks: number): Promise<void> {
    await sqlExec(
      ex,
      `UPDATE consent_imports SET status = 'QUEUED', chunks = $2 WHERE id = $1 AND status = 'RECEIVING'`,
      [importId, chunks],
    );
  }

  /** An upload that never completed: the client got no id, so nothing refers to it. Chunks go with it (cascade). */
  async discard(ex: SqlExecutor, importId: string): Promise<void> {
    await sqlExec(ex, `DELETE FROM consent_imports WHERE id = $1 AND status = 'RECEIVING'`, [importId]);
  }

  async discardAbandoned(ex: SqlExecutor, startedBefore: Date): Promise<number> {
    return sqlExec(ex, `DELETE FROM consent_imports WHERE status = 'RECEIVING' AND created_at < $1`, [
      iso(startedBefore),
    ]);
  }

  find(ex: SqlExecutor, importId: string): Promise<ImportRow | undefined> {
    return sqlOne<ImportRow>(ex, `SELECT * FROM consent_imports WHERE id = $1`, [importId]);
  }

  findOwned(ex: SqlExecutor, importId: string, tenantId: string): Promise<ImportRow | undefined> {
    return sqlOne<ImportRow>(ex, `SELECT * FROM consent_imports WHERE id = $1 AND tenant_id = $2`, [
      importId,
      tenantId,
    ]);
  }

  unfinishedIds(ex: SqlExecutor): Promise<{ id: string }[]> {
    return sqlRows<{ id: string }>(
      ex,
      `SELECT id FROM consent_imports WHERE status IN ('QUEUED', 'PROCESSING') ORDER BY created_at`,
    );
  }

  async readChunk(ex: SqlExecutor, importId: string, seq: number): Promise<Uint8Array | undefined> {
    const row = await sqlOne<{ data: Uint8Array }>(
      ex,
      `SELECT data FROM consent_import_chunks WHERE import_id = $1 AND seq = $2`,
      [importId, seq],
    );
    return row?.data;
  }

  /** Claims a queued import, or takes over one left in PROCESSING by a worker that died. */
  async startProcessing(ex: SqlExecutor, importId: string): Promise<ImportRow | undefined> {
    return sqlOne<ImportRow>(
      ex,
      `UPDATE consent_imports SET status = 'PROCESSING' WHERE id = $1 AND status IN ('QUEUED', 'PROCESSING') RETURNING *`,
      [importId],
    );
  }

  /**
   * Locks the import's row for the rest of the batch transaction and answers where it stands. NO KEY UPDATE, not
   * UPDATE: batches written side by side each hold a KEY SHARE lock on the row from inserting their error rows
   * (foreign key), and FOR UPDATE would wait on each other's and deadlock.
   */
  lockProgress(ex: SqlExecutor, importId: string): Promise<{ status: ImportStatus; lines_done: number } | undefined> {
    return sqlOne(ex, `SELECT status, lines_done FROM consent_imports WHERE id = $1 FOR NO KEY UPDATE`, [importId]);
  }

  /**
   * The current state of the batch's keys, for those that have one. Each key is one primary-key lookup: the
   * LIMIT keeps the planner from flattening the lateral subquery into a join, which it would run as a scan of the
   * whole table (it cannot know the key list is a few thousand rows), making every batch slower than the last.
   */
  async currentStates(ex: SqlExecutor, brandId: string, keys: BatchKey[]): Promise<Map<string, KeyState>> {
    const rows = await sqlRows<{
      type: string;
      recipient: string;
      recipient_type: string;
      status: ConsentStatus;
      source: string | null;
      consent_date: Date | null;
      iys_knows: boolean;
    }>(
      ex,
      `SELECT k.type, k.recipient, k.recipient_type, c.status, c.source, c.consent_date,
              CASE WHEN k.needs_iys THEN
                EXISTS (SELECT 1 FROM consent_movements m
                         WHERE m.brand_id = $1 AND m.type = k.type AND m.recipient = k.recipient AND m.recipient_type = k.recipient_type
                           AND m.iys_transaction_id IS NOT NULL)
                OR EXISTS (SELECT 1 FROM iys_outbox o
                            WHERE o.brand_id = $1 AND o.type = k.type AND o.recipient = k.recipient AND o.recipient_type = k.recipient_type
                              AND o.status = 'ONAY' AND o.state IN ('PENDING', 'ACCEPTED'))
              ELSE false END AS iys_knows
         FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[]) AS k(type, recipient, recipient_type, needs_iys)
         CROSS JOIN LATERAL (
           SELECT status, source, consent_date FROM consents
            WHERE brand_id = $1 AND type = k.type AND recipient = k.recipient AND recipient_type = k.recipient_type
            LIMIT 1
         ) c`,
      [
        brandId,
        keys.map((k) => k.type),
        keys.map((k) => k.recipient),
        keys.map((k) => k.recipientType),
        keys.map((k) => k.needsIys),
      ],
    );
    return new Map(
      rows.map((r) => [
        `${r.type}|${r.recipient_type}|${r.recipient}`,
        {
          status: r.status,
          source: r.source,
          consentDateMs: r.consent_date === null ? null : new Date(r.consent_date).getTime(),
          iysKnows: r.iys_knows === true,
        },
      ]),
    );
  }

  /**
   * Stores a batch's rows in one statement: the movements (append-only proof; a line already stored is skipped,
   * so a replayed batch cannot duplicate), one outgoing İYS row each, and the current state per key, where the
   * latest consentDate wins both inside the batch (DISTINCT ON) and against what is stored (the WHERE of the
   * upsert, which also protects a newer movement recorded meanwhile through the API).
   */
  async storeRows(
    ex: SqlExecutor,
    imp: Pick<ImportRow, 'id' | 'brand_id' | 'recorded_by' | 'iys_code' | 'brand_code'>,
    rows: StoredImportRow[],
  ): Promise<StoredBatch> {
    if (rows.length === 0) return { movementIds: [], outbox: [] };
    const col = <T>(f: (r: StoredImportRow) => T) => rows.map(f);
    // The ids come back as one comma-separated text each: splitting a string costs node far less than parsing a
    // PostgreSQL array literal of thousands of elements, once per batch of a million-row import.
    const result = await sqlOne<{
      movement_ids: string | null;
      outbox_ids: string | null;
      outbox_states: string | null;
    }>(
      ex,
      `WITH r AS (
         SELECT line, type, recipient, recipient_type, status, source,
                CASE WHEN undated THEN NULL ELSE to_timestamp(consent_ms / 1000) END AS consent_date, stale, state, reason,
                to_timestamp(deadline_ms / 1000) AS deadline
           FROM unnest($6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::float8[], $13::boolean[], $14::text[], $15::text[], $16::float8[], $17::boolean[])
             AS t(line, type, recipient, recipient_type, status, source, consent_ms, stale, state, reason, deadline_ms, undated)
       ), m AS (
         INSERT INTO consent_movements (brand_id, type, recipient, recipient_type, status, source, consent_date, origin, recorded_by, stale, import_id, import_line)
         SELECT $1, r.type, r.recipient, r.recipient_type, r.status, r.source, r.consent_date, 'IMPORT', $3, r.stale, $2, r.line FROM r ORDER BY r.line
         ON CONFLICT (import_id, import_line) WHERE import_id IS NOT NULL DO NOTHING
         RETURNING id, import_line
       ), o AS (
         INSERT INTO iys_outbox (movement_id, brand_id, type, recipient, recipient_type, iys_code, brand_code, status, source, consent_date, state, reason, deadline)
         SELECT m.id, $1, r.type, r.recipient, r.recipient_type, $4, $5, r.status, r.source, r.consent_date, r.state, r.reason, r.deadline
           FROM m JOIN r ON r.line = m.import_line ORDER BY m.id
         RETURNING id, state
       ), c AS (
         INSERT INTO consents (brand_id, type, recipient, recipient_type, status, source, consent_date, movement_id, iys_state, registration_deadline,
                               iys_transaction_id, iys_creation_date, iys_error_code, updated_at)
         SELECT DISTINCT ON (r.type, r.recipient, r.recipient_type)
                $1, r.type, r.recipient, r.recipient_type, r.status, r.source, r.consent_date, m.id, r.state, r.deadline, NULL, NULL, NULL, now()
           FROM m JOIN r ON r.line = m.import_line
          WHERE NOT r.stale
          ORDER BY r.type, r.recipient, r.recipient_type, r.consent_date DESC NULLS LAST, r.line DESC
         ON CONFLICT (brand_id, type, recipient, recipient_type) DO UPDATE SET
           status = EXCLUDED.status, source = EXCLUDED.source, consent_date = EXCLUDED.consent_date, movement_id = EXCLUDED.movement_id,
           iys_state = EXCLUDED.iys_state, registration_deadline = EXCLUDED.registration_deadline,
           iys_transaction_id = NULL, iys_creation_date = NULL, iys_error_code = NULL, updated_at = now()
         WHERE consents.consent_date <= EXCLUDED.consent_date OR (consents.consent_date IS NULL AND EXCLUDED.consent_date IS NOT NULL)
         RETURNING 1
       )
       SELECT (SELECT string_agg(id::text, ',') FROM m) AS movement_ids,
              (SELECT string_agg(id::text, ',' ORDER BY id) FROM o) AS outbox_ids, (SELECT string_agg(state, ',' ORDER BY id) FROM o) AS outbox_states,
              (SELECT count(*) FROM c)::int AS current`,
      [
        imp.brand_id,
        imp.id,
        imp.recorded_by,
        imp.iys_code,
        imp.brand_code,
        scalarArrayLiteral(col((r) => r.line)),
        textArrayLiteral(col((r) => r.movement.type)),
        textArrayLiteral(col((r) => r.movement.recipient)),
        textArrayLiteral(col((r) => r.movement.recipientType)),
        textArrayLiteral(col((r) => r.movement.status)),
        textArrayLiteral(col((r) => r.movement.source)),
        // Instants as epoch milliseconds: numbers cost far less to send than ISO strings, a million times over. An
        // undated merchant row sends 0 and is flagged in $17, which keeps the numbers' array free of NULLs.
        scalarArrayLiteral(col((r) => r.movement.consentDate?.getTime() ?? 0)),
        scalarArrayLiteral(col((r) => r.stale)),
        textArrayLiteral(col((r) => r.state)),
        textArrayLiteral(col((r) => r.reason)),
        scalarArrayLiteral(col((r) => r.movement.registrationDeadline.getTime())),
        scalarArrayLiteral(col((r) => r.movement.consentDate === null)),
      ],
    );
    const ids = result?.outbox_ids ? result.outbox_ids.split(',') : [];
    const states = result?.outbox_states ? (result.outbox_states.split(',') as IysSyncState[]) : [];
    return {
      movementIds: result?.movement_ids ? result.movement_ids.split(',') : [],
      outbox: ids.map((id, i) => ({ id, state: states[i] })),
    };
  }

  async insertErrors(ex: SqlExecutor, importId: string, errors: ImportRowError[]): Promise<void> {
    if (errors.length === 0) return;
    await sqlExec(
      ex,
      `INSERT INTO consent_import_errors (import_id, line, code, message)
       SELECT $1, e.line, e.code, e.message FROM unnest($2::int[], $3::text[], $4::text[]) AS e(line, code, message)
       ON CONFLICT (import_id, line) DO NOTHING`,
      [importId, errors.map((e) => e.line), errors.map((e) => e.code), errors.map((e) => e.message)],
    );
  }

  async advance(ex: SqlExecutor, importId: string, p: BatchProgress): Promise<void> {
    await sqlExec(
      ex,
      `UPDATE consent_imports SET lines_done = $2, total = total + $3, accepted = accepted + $4, rejected = rejected + $5,
         first_refusals = first_refusals + $6 WHERE id = $1`,
      [importId, p.linesDone, p.total, p.accepted, p.rejected, p.firstRefusals],
    );
  }

  /**
   * Ends an import. The uploaded bytes go: every row is now either a movement (with its own evidence) or an
   * error entry, and keeping a copy of a file of addresses serves nobody.
   */
  async finish(
    ex: SqlExecutor,
    importId: string,
    status: 'COMPLETED' | 'FAILED',
    failure: string | null,
  ): Promise<void> {
    await sqlExec(
      ex,
      `UPDATE consent_imports SET status = $2, failure = $3, finished_at = now() WHERE id = $1 AND status = 'PROCESSING'`,
      [importId, status, failure],
    );
    await sqlExec(ex, `DELETE FROM consent_import_chunks WHERE import_id = $1`, [importId]);
  }

  errorsPage(ex: SqlExecutor, importId: string, afterLine: number, limit: number): Promise<ImportRowError[]> {
    return sqlRows<ImportRowError>(
      ex,
      `SELECT line, code, message FROM consent_import_errors WHERE import_id = $1 AND line > $2 ORDER BY line LIMIT $3`,
      [importId, afterLine, limit],
    );
  }

  async iysCounts(ex: SqlExecutor, importId: string): Promise<Partial<Record<IysSyncState, number>>> {
    const rows = await sqlRows<{ state: IysSyncState; n: number }>(
      ex,
      `SELECT o.state, count(*)::int AS n
         FROM consent_movements m JOIN iys_outbox o ON o.movement_id = m.id
        WHERE m.import_id = $1
        GROUP BY o.state`,
      [importId],
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }
}
