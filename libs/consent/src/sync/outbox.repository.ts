import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlExec, sqlOne, sqlRows, SqlExecutor } from '@izinli/database';
import type { ConsentStatus, IysType, RecipientType } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';

/** An outgoing row as the sender reads it. */
export interface OutboxRow {
  id: string;
  movement_id: string;
  brand_id: string;
  iys_code: string;
  brand_code: string;
  type: IysType;
  recipient: string;
  recipient_type: RecipientType;
  status: ConsentStatus;
  /** Null, like consent_date, only for a merchant's (TACIR) first record registered without one. */
  source: string | null;
  consent_date: Date | null;
  deadline: Date | null;
  attempts: number;
  created_at: Date;
  batch_index: number | null;
  /** An İYS-side movement of the key with a later consentDate is held: İYS would answer H178. */
  superseded: boolean;
}

/** How a row ends, and what the key's current state says about İYS when the row's movement is still current. */
export interface RowFinal {
  id: string;
  state: Exclude<IysSyncState, 'PENDING'>;
  reason: string | null;
  errorCode: string | null;
  transactionId: string | null;
  creationDate: Date | null;
  consentState: IysSyncState;
  /** When the request that decided it left, and when its answer came; both null when no request was made. */
  sentAt: Date | null;
  answeredAt: Date | null;
}

export interface RowRetry {
  id: string;
  nextAttemptAt: Date;
  errorCode: string;
  sentAt: Date | null;
}

/** A finished row, for chaining the key's next row and for metrics. */
export interface FinishedRow {
  id: string;
  brand_id: string;
  state: IysSyncState;
  created_at: Date;
  first_sent_at: Date | null;
}

export interface NextRow {
  id: string;
  brand_id: string;
  mode: 'SINGLE' | 'BATCH';
  attempts: number;
}

export interface BatchRow {
  id: string;
  brand_id: string;
  iys_code: string;
  brand_code: string;
  state: 'SENDING' | 'SENT' | 'DONE';
  request_id: string | null;
  items: number;
  polls: number;
  sends: number;
}

export interface WhyNotClaimed {
  state: IysSyncState;
  mode: 'SINGLE' | 'BATCH';
  attempts: number;
  batch_id: string | null;
  claimed: boolean;
  not_before: Date | null;
  blocked_by_earlier: boolean;
  key_sent_at: Date | null;
  brand_id: string;
}

const KEY_MATCH = (a: string, b: string) =>
  `${a}.brand_id = ${b}.brand_id AND ${a}.type = ${b}.type AND ${a}.recipient = ${b}.recipient AND ${a}.recipient_type = ${b}.recipient_type`;

/**
 * The order rule, as SQL over a candidate row `o`: a row waits while an earlier row of its key is unfinished, and
 * for `keySpacingMs` after an earlier row of its key was answered ($spacing is the cutoff instant).
 */
const IN_KEY_ORDER = (spacingParam: string) => `NOT EXISTS (
  SELECT 1 FROM iys_outbox p
   WHERE ${KEY_MATCH('p', 'o')} AND p.id < o.id AND (p.state = 'PENDING' OR p.sent_at > ${spacingParam}))`;

/** A movement of the key that came from İYS with a later consentDate (to the second). */
const SUPERSEDED = `EXISTS (
  SELECT 1 FROM consent_movements m
   WHERE ${KEY_MATCH('m', 'o')} AND m.iys_transaction_id IS NOT NULL
     AND date_trunc('second', m.consent_date) > date_trunc('second', o.consent_date)) AS superseded`;

const ROW_COLUMNS = `o.id::text AS id, o.movement_id::text AS movement_id, o.brand_id, o.iys_code, o.brand_code, o.type, o.recipient, o.recipient_type,
  o.status, o.source, o.consent_date, o.deadline, o.attempts, o.created_at, o.batch_index`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The SQL of the outbox sender. Rows are claimed with a compare-and-set on `claim_token` (single adds) or by
 * membership of a batch (`claim_token = 'batch:<id>'`), so any number of workers may be offered the same row and
 * exactly one sends it; every later write is guarded by that token, so a sender whose claim ran out (and whose
 * row was taken over) changes nothing.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly ds: DataSource) {}

  /** Claims a SINGLE row that is due and first in its key's order; undefined when it is not claimable now. */
  claimSingle(
    id: string,
    token: string,
    now: Date,
    claimUntil: Date,
    spacingCutoff: Date,
  ): Promise<OutboxRow | undefined> {
    return sqlOne<OutboxRow>(
      this.ds,
      `UPDATE iys_outbox o SET claimed_until = $3, claim_token = $2, updated_at = now()
        WHERE o.id = $1 AND o.state = 'PENDING' AND o.mode = 'SINGLE' AND o.batch_id IS NULL
          AND (o.claimed_until IS NULL OR o.claimed_until < $4)
          AND (o.attempts = 0 OR o.next_attempt_at <= $4)
          AND ${IN_KEY_ORDER('$5')}
        RETURNING ${ROW_COLUMNS}, ${SUPERSEDED}`,
      [id, token, iso(claimUntil), iso(now), iso(spacingCutoff)],
    );
  }

  /** Why a row could not be claimed, so the sender can offer it again at the right time (or leave it). */
  whyNotClaimed(id: string, now: Date, spacingCutoff: Date): Promise<WhyNotClaimed | undefined> {
    return sqlOne<WhyNotClaimed>(
      this.ds,
      `SELECT o.state, o.mode, o.attempts, o.batch_id::text AS batch_id, o.brand_id,
              (o.claimed_until IS NOT NULL AND o.claimed_until >= $2) AS claimed,
              CASE WHEN o.attempts > 0 THEN o.next_attempt_at END AS not_before,
              EXISTS (SELECT 1 FROM iys_outbox p WHERE ${KEY_MATCH('p', 'o')} AND p.id < o.id AND p.state = 'PENDING') AS blocked_by_earlier,
              (SELECT max(p.sent_at) FROM iys_outbox p WHERE ${KEY_MATCH('p', 'o')} AND p.id < o.id AND p.sent_at > $3) AS key_sent_at
         FROM iys_outbox o WHERE o.id = $1`,
      [id, iso(now), iso(spacingCutoff)],
    );
  }

  /** A single add found no request slot in time: the row joins the next batch of its brand. */
  async divertToBatch(id: string, token: string): Promise<boolean> {
    return (
      (await sqlExec(
        this.ds,
        `UPDATE iys_outbox SET mode = 'BATCH', claimed_until = NULL, claim_token = NULL, updated_at = now()
          WHERE id = $1 AND claim_token = $2 AND state = 'PENDING'`,
        [id, token],
      )) > 0
    );
  }

  /**
   * Ends rows and, for each whose movement is still the key's current one, moves `consents` with it: that is how
   * the gate follows İYS (an ONAY refused, or never registered, stops allowing commercial mail).
   */
  async finalize(rows: RowFinal[], token: string, now: Date, executor: SqlExecutor = this.ds): Promise<FinishedRow[]> {
    if (rows.length === 0) return [];
    return sqlRows<FinishedRow>(
      executor,
      `WITH f AS (
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::timestamptz[], $9::timestamptz[])
           AS f(id, state, reason, error_code, transaction_id, creation_date, consent_state, sent_at, answered_at)
       ), o AS (
         UPDATE iys_outbox o SET state = f.state, reason = COALESCE(f.reason, o.reason), error_code = f.error_code,
                transaction_id = f.transaction_id, creation_date = f.creation_date,
                attempts = o.attempts + CASE WHEN f.sent_at IS NULL THEN 0 ELSE 1 END,
                first_sent_at = COALESCE(o.first_sent_at, f.sent_at), sent_at = COALESCE(f.answered_at, o.sent_at),
                claimed_until = NULL, claim_token = NULL, finished_at = $11, updated_at = now()
           FROM f WHERE o.id = f.id AND o.state = 'PENDING' AND o.claim_token = $10
         RETURNING o.id, o.movement_id, o.brand_id, o.type, o.recipient, o.recipient_type, o.state, o.created_at, o.first_sent_at,
                   o.transaction_id, o.creation_date, o.error_code, f.consent_state
       ), c AS (
         UPDATE consents c SET iys_state = o.consent_state,
                iys_transaction_id = CASE WHEN o.state = 'ACCEPTED' THEN o.transaction_id ELSE c.iys_transaction_id END,
                iys_creation_date = CASE WHEN o.state = 'ACCEPTED' THEN o.creation_date ELSE c.iys_creation_date END,
                iys_error_code = CASE WHEN o.consent_state = 'REJECTED' THEN o.error_code END, updated_at = now()
           FROM o WHERE ${KEY_MATCH('c', 'o')} AND c.movement_id = o.movement_id
         RETURNING 1
       )
       SELECT id::text AS id, brand_id, state, created_at, first_sent_at FROM o`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.state),
        rows.map((r) => r.reason),
        rows.map((r) => r.errorCode),
        rows.map((r) => r.transactionId),
        rows.map((r) => iso(r.creationDate)),
        rows.map((r) => r.consentState),
        rows.map((r) => iso(r.sentAt)),
        rows.map((r) => iso(r.answeredAt)),
        token,
        iso(now),
      ],
    );
  }

  /** Puts rows back to wait for another try (leaving any batch they were in). */
  async retry(rows: RowRetry[], token: string): Promise<NextRow[]> {
    if (rows.length === 0) return [];
    return sqlRows<NextRow>(
      this.ds,
      `UPDATE iys_outbox o SET claimed_until = NULL, claim_token = NULL, batch_id = NULL, batch_index = NULL,
              attempts = o.attempts + 1, next_attempt_at = f.next_attempt_at, error_code = f.error_code,
              first_sent_at = COALESCE(o.first_sent_at, f.sent_at), updated_at = now()
         FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::timestamptz[]) AS f(id, next_attempt_at, error_code, sent_at)
        WHERE o.id = f.id AND o.state = 'PENDING' AND o.claim_token = $5
        RETURNING o.id::text AS id, o.brand_id, o.mode, o.attempts`,
      [
        rows.map((r) => r.id),
        rows.map((r) => iso(r.nextAttemptAt)),
        rows.map((r) => r.errorCode),
        rows.map((r) => iso(r.sentAt)),
        token,
      ],
    );
  }

  /** Releases a batch's rows without counting a try: the batch request itself never went out. */
  async releaseBatchRows(batchId: string, notBefore: Date): Promise<NextRow[]> {
    return sqlRows<NextRow>(
      this.ds,
      `UPDATE iys_outbox o SET claim_token = NULL, batch_id = NULL, batch_index = NULL, next_attempt_at = $2, updated_at = now()
        WHERE o.batch_id = $1::bigint AND o.state = 'PENDING' AND o.claim_token = 'batch:' || $1::bigint::text
        RETURNING o.id::text AS id, o.brand_id, o.mode, o.attempts`,
      [batchId, iso(notBefore)],
    );
  }

  /** Rows of a bulk load go to batches from the start: nothing is gained by trying each as a single add first. */
  async joinBatches(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return sqlExec(
      this.ds,
      `UPDATE iys_outbox SET mode = 'BATCH', updated_at = now()
        WHERE id = ANY($1::bigint[]) AND state = 'PENDING' AND mode = 'SINGLE' AND claim_token IS NULL`,
      [ids],
    );
  }

  /** The next unfinished row of each key of `finishedIds`, which may go now that the earlier one is done. */
  nextOfKeys(finishedIds: string[]): Promise<NextRow[]> {
    if (finishedIds.length === 0) return Promise.resolve([]);
    return sqlRows<NextRow>(
      this.ds,
      `SELECT DISTINCT ON (n.brand_id, n.type, n.recipient, n.recipient_type) n.id::text AS id, n.brand_id, n.mode, n.attempts
         FROM iys_outbox o JOIN iys_outbox n ON ${KEY_MATCH('n', 'o')} AND n.id > o.id AND n.state = 'PENDING'
        WHERE o.id = ANY($1::bigint[])
        ORDER BY n.brand_id, n.type, n.recipient, n.recipient_type, n.id`,
      [finishedIds],
    );
  }

  /**
   * Opens a batch for a brand: up to `max` BATCH rows that are due and first in their key's order, in id order,
   * recorded with their place in the batch before anything is sent. Two flushers never take the same row (SKIP
   * LOCKED), and the order rule sees a key's earlier row as pending whoever holds it, so no key ever has two rows
   * in flight. Answers undefined when there was nothing to send.
   */
  async openBatch(
    brandId: string,
    leaseToken: string,
    now: Date,
    leaseUntil: Date,
    spacingCutoff: Date,
    max: number,
  ): Promise<{ batch: BatchRow; rows: OutboxRow[] } | undefined> {
    return this.ds.transaction(async (tx) => {
      const batch = await sqlOne<BatchRow>(
        tx,
        `INSERT INTO iys_batches (brand_id, iys_code, brand_code, state, items, lease_until, lease_token, created_at)
         SELECT o.brand_id, o.iys_code, o.brand_code, 'SENDING', 0, $2, $3, $4 FROM iys_outbox o WHERE o.brand_id = $1 LIMIT 1
         RETURNING id::text AS id, brand_id, iys_code, brand_code, state, request_id, items, polls, sends`,
        [brandId, iso(leaseUntil), leaseToken, iso(now)],
      );
      if (!batch) return undefined;
      const rows = await sqlRows<OutboxRow>(
        tx,
        `WITH cand AS (
           SELECT o.id FROM iys_outbox o
            WHERE o.brand_id = $1 AND o.state = 'PENDING' AND o.mode = 'BATCH' AND o.batch_id IS NULL
              AND (o.claimed_until IS NULL OR o.claimed_until < $3) AND (o.attempts = 0 OR o.next_attempt_at <= $3)
              AND ${IN_KEY_ORDER('$4')}
            ORDER BY o.id LIMIT $5 FOR UPDATE SKIP LOCKED
         ), numbered AS (SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS idx FROM cand)
         UPDATE iys_outbox o SET batch_id = $2::bigint, batch_index = numbered.idx, claim_token = 'batch:' || $2::bigint::text, claimed_until = NULL, updated_at = now()
           FROM numbered WHERE o.id = numbered.id
         RETURNING ${ROW_COLUMNS}, ${SUPERSEDED}`,
        [brandId, batch.id, iso(now), iso(spacingCutoff), max],
      );
      if (rows.length === 0) {
        await sqlExec(tx, `DELETE FROM iys_batches WHERE id = $1`, [batch.id]);
        return undefined;
      }
      rows.sort((a, b) => a.batch_index! - b.batch_index!);
      await sqlExec(tx, `UPDATE iys_batches SET items = $2 WHERE id = $1`, [batch.id, rows.length]);
      return { batch: { ...batch, items: rows.length }, rows };
    });
  }

  /** Stores each row's position in the list about to be sent: İYS answers by position. */
  async renumberBatch(batchId: string, idsInOrder: string[]): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE iys_outbox o SET batch_index = u.idx - 1
         FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, idx)
        WHERE o.id = u.id AND o.batch_id = $1`,
      [batchId, idsInOrder],
    );
  }

  /** Takes a batch for one step (sending it again, or polling it) unless another worker holds it. */
  leaseBatch(batchId: string, leaseToken: string, now: Date, leaseUntil: Date): Promise<BatchRow | undefined> {
    return sqlOne<BatchRow>(
      this.ds,
      `UPDATE iys_batches SET lease_token = $2, lease_until = $4
        WHERE id = $1 AND state <> 'DONE' AND (lease_until IS NULL OR lease_until < $3 OR lease_token = $2)
        RETURNING id::text AS id, brand_id, iys_code, brand_code, state, request_id, items, polls, sends`,
      [batchId, leaseToken, iso(now), iso(leaseUntil)],
    );
  }

  /** The batch's rows still waiting for İYS's answer, in batch order. */
  batchRows(batchId: string): Promise<OutboxRow[]> {
    return sqlRows<OutboxRow>(
      this.ds,
      `SELECT ${ROW_COLUMNS}, ${SUPERSEDED} FROM iys_outbox o
        WHERE o.batch_id = $1::bigint AND o.state = 'PENDING' AND o.claim_token = 'batch:' || $1::bigint::text ORDER BY o.batch_index`,
      [batchId],
    );
  }

  async markBatchSent(
    batchId: string,
    leaseToken: string,
    requestId: string,
    sentAt: Date,
    nextPollAt: Date,
  ): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE iys_batches SET state = 'SENT', request_id = $3, sent_at = $4, next_poll_at = $5, sends = sends + 1, polls = 0,
              lease_token = NULL, lease_until = NULL
        WHERE id = $1 AND lease_token = $2`,
      [batchId, leaseToken, requestId, iso(sentAt), iso(nextPollAt)],
    );
    // The first time a row went to İYS, for the "handed over within" measure.
    await sqlExec(
      this.ds,
      `UPDATE iys_outbox SET first_sent_at = COALESCE(first_sent_at, $2) WHERE batch_id = $1 AND state = 'PENDING'`,
      [batchId, iso(sentAt)],
    );
  }

  /** Back to SENDING: the batch goes out again on its next step (an unanswered request, or a whole-batch failure). */
  async markBatchForResend(batchId: string, leaseToken: string, notBefore: Date): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE iys_batches SET state = 'SENDING', request_id = NULL, next_poll_at = $3, lease_token = NULL, lease_until = NULL WHERE id = $1 AND lease_token = $2`,
      [batchId, leaseToken, iso(notBefore)],
    );
  }

  async reschedulePoll(batchId: string, leaseToken: string, nextPollAt: Date): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE iys_batches SET polls = polls + 1, next_poll_at = $3, lease_token = NULL, lease_until = NULL WHERE id = $1 AND lease_token = $2`,
      [batchId, leaseToken, iso(nextPollAt)],
    );
  }

  async closeBatch(batchId: string, now: Date): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE iys_batches SET state = 'DONE', finished_at = $2, lease_token = NULL, lease_until = NULL WHERE id = $1`,
      [batchId, iso(now)],
    );
  }

  /**
   * What the sweeper offers again: PENDING rows that are due, unclaimed and first in their key's order (whatever
   * happened to their jobs), and open batches whose holder is gone or whose poll is due. Rows of a bulk import
   * join batches here (`imported`); the importer never sends single adds.
   */
  async dueWork(
    now: Date,
    limit: number,
  ): Promise<{ rows: (NextRow & { imported: boolean })[]; batches: { id: string; state: string }[] }> {
    const rows = await sqlRows<NextRow & { imported: boolean }>(
      this.ds,
      `SELECT o.id::text AS id, o.brand_id, o.mode, o.attempts, (m.import_id IS NOT NULL) AS imported
         FROM iys_outbox o JOIN consent_movements m ON m.id = o.movement_id
        WHERE o.state = 'PENDING' AND o.batch_id IS NULL AND (o.claimed_until IS NULL OR o.claimed_until < $1)
          AND (o.attempts = 0 OR o.next_attempt_at <= $1)
          AND NOT EXISTS (SELECT 1 FROM iys_outbox p WHERE ${KEY_MATCH('p', 'o')} AND p.id < o.id AND p.state = 'PENDING')
        ORDER BY o.id LIMIT $2`,
      [iso(now), limit],
    );
    const imported = rows.filter((r) => r.imported && r.mode === 'SINGLE').map((r) => r.id);
    if (imported.length) {
      await sqlExec(
        this.ds,
        `UPDATE iys_outbox SET mode = 'BATCH', updated_at = now() WHERE id = ANY($1::bigint[]) AND state = 'PENDING' AND claim_token IS NULL`,
        [imported],
      );
      for (const r of rows) if (r.imported) r.mode = 'BATCH';
    }
    const batches = await sqlRows<{ id: string; state: string }>(
      this.ds,
      `SELECT id::text AS id, state FROM iys_batches
        WHERE state <> 'DONE' AND next_poll_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
        ORDER BY next_poll_at LIMIT $2`,
      [iso(now), limit],
    );
    return { rows, batches };
  }
}
