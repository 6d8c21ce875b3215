import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlExec, sqlOne, sqlRows } from '@izinli/database';
import { ConsentGate, type GateReason, type RecipientType } from '@izinli/consent';
import type { TemplateLayout } from '../templates/template-engine';
import type { DeliveryWaitReason } from './delivery-metrics';
import { DeliverySettings } from './delivery-settings';

/** Everything a worker needs to send one campaign's mail; all of it fixed once the campaign runs. */
export interface CampaignSendContext {
  id: string;
  kind: 'COMMERCIAL' | 'TRANSACTIONAL';
  ratePerSecond: number | null;
  brandId: string;
  brandCode: string;
  brandName: string;
  fromEmail: string;
  fromName: string;
  replyTo: string | null;
  tenantId: string;
  senderId: string;
  listId: string;
  listName: string;
  template: { subject: string; html: string; text: string | null; layout: TemplateLayout };
}

export interface ChunkRow {
  campaignId: string;
  seq: number;
  firstId: string;
  lastId: string;
  status: 'PENDING' | 'QUEUED' | 'DONE';
  generation: number;
  campaignStatus: string;
}

export interface ChunkJobRef {
  seq: number;
  generation: number;
  /** Run no earlier than this many ms from now. */
  delayMs: number;
}

export interface ClaimedRow {
  id: string;
  recipient: string;
  recipientType: RecipientType;
  attempts: number;
  possibleDuplicate: boolean;
}

export interface GatedRow extends ClaimedRow {
  allowed: boolean;
  reason: GateReason;
  data: Record<string, unknown>;
}

/** The outcome of one row's send attempt, written back in one statement per sub-batch. */
export interface RowResult {
  id: string;
  status: 'SENT' | 'FAILED' | 'PENDING';
  messageId: string | null;
  failure: string | null;
  smtpCode: number | null;
  error: string | null;
  /** Whether this attempt counts against the recipient (an SMTP answer about it) or not (an outage). */
  countsAttempt: boolean;
  /** PENDING rows: wait this long before the next attempt. */
  retryInMs: number | null;
}

export interface ChunkState {
  pending: number;
  sending: number;
  /** PENDING rows that may be attempted now. */
  due: number;
  /** The earliest deferred attempt, when every PENDING row waits. */
  nextAttemptAt: Date | null;
}

/**
 * The SQL of delivery. Every statement works on a set (a sub-batch, a chunk, a campaign), and every state change
 * of a ledger row is conditioned on the claim token of the execution that holds it, so two workers never both
 * write one row.
 */
@Injectable()
export class DeliveryRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly settings: DeliverySettings,
  ) {}

  /**
   * Whether the execution holding `tokenExpr` is alive. Right after the database itself restarted every heartbeat
   * looks old, so for one lease period after a restart every lease counts as alive: the live workers get the
   * time to heartbeat again before anyone takes their rows.
   */
  liveLease(tokenExpr: string): string {
    const ttl = `(${Math.round(this.settings.leaseTtlMs)} * interval '1 millisecond')`;
    return `EXISTS (SELECT 1 FROM delivery_leases l WHERE l.token = ${tokenExpr}
      AND (l.heartbeat_at > now() - ${ttl} OR pg_postmaster_start_time() > now() - ${ttl}))`;
  }

  context(campaignId: string): Promise<CampaignSendContext | undefined> {
    return sqlOne<CampaignSendContext>(
      this.ds,
      `SELECT c.id, c.kind, c.rate_per_second AS "ratePerSecond", b.id AS "brandId", b.brand_code AS "brandCode", b.name AS "brandName",
              b.from_email AS "fromEmail", b.from_name AS "fromName", b.reply_to AS "replyTo", b.service_provider_id AS "tenantId",
              sp.iys_code AS "senderId", l.id AS "listId", l.name AS "listName",
              json_build_object('subject', t.subject, 'html', t.html, 'text', t.text, 'layout', t.layout) AS template
       FROM campaigns c
       JOIN brands b ON b.id = c.brand_id
       JOIN service_providers sp ON sp.id = b.service_provider_id
       JOIN templates t ON t.id = c.template_id
       JOIN contact_lists l ON l.id = c.list_id
       WHERE c.id = $1`,
      [campaignId],
    );
  }

  loadChunk(campaignId: string, seq: number): Promise<ChunkRow | undefined> {
    return sqlOne<ChunkRow>(
      this.ds,
      `SELECT ch.campaign_id AS "campaignId", ch.seq, ch.first_id::text AS "firstId", ch.last_id::text AS "lastId", ch.status, ch.generation,
              c.status AS "campaignStatus"
       FROM campaign_chunks ch JOIN campaigns c ON c.id = ch.campaign_id
       WHERE ch.campaign_id = $1 AND ch.seq = $2`,
      [campaignId, seq],
    );
  }

  /** A sign of life of the execution working on a chunk, so the watchdog leaves it alone. */
  async touchChunk(campaignId: string, seq: number, token: string): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE campaign_chunks SET heartbeat_at = now(), lease_token = $3 WHERE campaign_id = $1 AND seq = $2 AND status = 'QUEUED'`,
      [campaignId, seq, token],
    );
  }

  async releaseChunk(campaignId: string, seq: number, token: string): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE campaign_chunks SET lease_token = NULL WHERE campaign_id = $1 AND seq = $2 AND lease_token = $3`,
      [campaignId, seq, token],
    );
  }

  /**
   * Takes up to `limit` rows of a chunk for this execution and puts them through the consent gate again, in one
   * statement, just before they go to SMTP. Claimable are PENDING rows that are due, and SENDING rows whose holder
   * is dead (in flight at a crash: they may have reached the recipient, so they are marked as possible duplicates
   * before being sent again). SKIP LOCKED lets concurrent claimers pass each other without waiting or taking the
   * same row, and nothing is claimed unless the campaign is RUNNING, which is how pause and cancel stop sending.
   * A recipient whose consent was withdrawn (or who was suppressed) since launch becomes BLOCKED with the reason;
   * every row records the movement the send relies on now. Answers the rows with their personalisation data.
   */
  claimAndGate(
    ctx: Pick<CampaignSendContext, 'id' | 'kind' | 'brandId' | 'tenantId'>,
    range: { firstId: string; lastId: string; seq?: number },
    limit: number,
    token: string,
    now: Date,
  ): Promise<GatedRow[]> {
    const picked = `SELECT x.id, x.recipient, x.recipient_type, x.contact_id, x.status AS was
      FROM campaign_recipients x
      WHERE x.campaign_id = $1 AND x.id BETWEEN $2::bigint AND $3::bigint
        AND ((x.status = 'PENDING' AND (x.next_attempt_at IS NULL OR x.next_attempt_at <= now()))
             OR (x.status = 'SENDING' AND NOT ${this.liveLease('x.claim_token')}))
        AND EXISTS (SELECT 1 FROM campaigns c WHERE c.id = $1 AND c.status = 'RUNNING')
      ORDER BY x.id LIMIT $5
      FOR UPDATE OF x SKIP LOCKED`;
    const gate = ConsentGate.buildGateSql(`SELECT * FROM pick`, {
      brandId: '$6::uuid',
      tenantId: '$7::uuid',
      type: `'EPOSTA'`,
      kind: '$8::text',
      now: '$9::timestamptz',
    });
    // With the chunk's seq, the statement is also the execution's sign of life on the chunk (see touchChunk).
    const touch =
      range.seq === undefined
        ? ''
        : `, touch AS (UPDATE campaign_chunks SET heartbeat_at = now(), lease_token = $4::uuid WHERE campaign_id = $1 AND seq = $10 AND status = 'QUEUED')`;
    return sqlRows<GatedRow>(
      this.ds,
      `WITH pick AS (${picked}), g AS (${gate})${touch}
       UPDATE campaign_recipients r SET
         status = CASE WHEN g.allowed THEN 'SENDING' ELSE 'BLOCKED' END,
         blocked_stage = CASE WHEN g.allowed THEN NULL ELSE 'SEND' END,
         claim_token = CASE WHEN g.allowed THEN $4::uuid END,
         claimed_at = now(),
         possible_duplicate = r.possible_duplicate OR (g.allowed AND g.was = 'SENDING'),
         reason = g.reason,
         movement_id = CASE WHEN $8::text = 'COMMERCIAL' THEN g.movement_id END,
         consent_date = CASE WHEN $8::text = 'COMMERCIAL' THEN g.relied_consent_date END,
         consent_source = CASE WHEN $8::text = 'COMMERCIAL' THEN g.relied_source END,
         iys_transaction_id = CASE WHEN $8::text = 'COMMERCIAL' THEN g.relied_transaction_id END
       FROM g LEFT JOIN contacts ct ON ct.id = g.contact_id
       WHERE r.id = g.id
       RETURNING r.id::text AS id, r.recipient, r.recipient_type AS "recipientType", r.attempts, r.possible_duplicate AS "possibleDuplicate",
                 g.allowed, g.reason, COALESCE(ct.data, '{}'::jsonb) AS data`,
      [
        ctx.id,
        range.firstId,
        range.lastId,
        token,
        limit,
        ctx.brandId,
        ctx.tenantId,
        ctx.kind,
        now,
        ...(range.seq === undefined ? [] : [range.seq]),
      ],
    );
  }

  /**
   * Writes a sub-batch's outcomes; a row no longer held by `token` (taken by another worker) is left alone. With
   * `chunk`, the same statement is the execution's sign of life on that chunk (see touchChunk): one round trip per
   * sub-batch instead of two. Answers how many ledger rows were written.
   */
  async record(
    results: RowResult[],
    token: string,
    workerId: string,
    chunk?: { campaignId: string; seq: number },
  ): Promise<number> {
    if (results.length === 0) {
      if (chunk) await this.touchChunk(chunk.campaignId, chunk.seq, token);
      return 0;
    }
    // Parallel arrays rather than a JSON document: no JSON to build here or to parse in the server.
    const update = `UPDATE campaign_recipients r SET
         status = u.status,
         message_id = COALESCE(u.message_id, r.message_id),
         sent_at = CASE WHEN u.status = 'SENT' THEN now() ELSE r.sent_at END,
         sent_by = CASE WHEN u.status = 'SENT' THEN $3 ELSE r.sent_by END,
         attempts = r.attempts + u.attempt_inc,
         next_attempt_at = CASE WHEN u.retry_ms IS NULL THEN NULL ELSE now() + u.retry_ms * interval '1 millisecond' END,
         failure = u.failure,
         smtp_code = u.smtp_code,
         error = u.error,
         claim_token = NULL
       FROM unnest($1::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::int[], $10::bigint[])
            AS u(id, status, message_id, failure, smtp_code, error, attempt_inc, retry_ms)
       WHERE r.id = u.id AND r.claim_token = $2::uuid`;
    const params: unknown[] = [
      results.map((r) => r.id),
      token,
      workerId,
      results.map((r) => r.status),
      results.map((r) => r.messageId),
      results.map((r) => r.failure),
      results.map((r) => r.smtpCode),
      results.map((r) => r.error),
      results.map((r) => (r.countsAttempt ? 1 : 0)),
      results.map((r) => (r.retryInMs === null ? null : Math.round(r.retryInMs))),
    ];
    if (!chunk) return sqlExec(this.ds, update, params);
    // Mail going out again ends the campaign's wait (markWaiting); matching no row, the clause takes no lock.
    const r = await sqlOne<{ n: number }>(
      this.ds,
      `WITH w AS (${update} RETURNING 1),
            t AS (UPDATE campaign_chunks SET heartbeat_at = now(), lease_token = $2::uuid WHERE campaign_id = $11 AND seq = $12 AND status = 'QUEUED'),
            c AS (UPDATE campaigns SET waiting_reason = NULL, waiting_since = NULL WHERE id = $11 AND waiting_reason IS NOT NULL AND $13::boolean)
       SELECT count(*)::int AS n FROM w`,
      [...params, chunk.campaignId, chunk.seq, results.some((x) => x.status === 'SENT')],
    );
    return r!.n;
  }

  /** What a running campaign's delivery waits for, since the first time it was found waiting for that. */
  async markWaiting(campaignId: string, reason: DeliveryWaitReason): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE campaigns SET waiting_since = CASE WHEN waiting_reason = $2 THEN waiting_since ELSE now() END, waiting_reason = $2
       WHERE id = $1 AND status = 'RUNNING'`,
      [campaignId, reason],
    );
  }

  /** Hands back claimed rows that never reached SMTP (the execution failed before sending them). */
  async release(ids: string[], token: string): Promise<number> {
    if (ids.length === 0) return 0;
    return sqlExec(
      this.ds,
      `UPDATE campaign_recipients SET status = 'PENDING', claim_token = NULL WHERE id = ANY($1::bigint[]) AND claim_token = $2 AND status = 'SENDING'`,
      [ids, token],
    );
  }

  async chunkState(campaignId: string, firstId: string, lastId: string): Promise<ChunkState> {
    const r = await sqlOne<ChunkState>(
      this.ds,
      `SELECT count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
              count(*) FILTER (WHERE status = 'SENDING')::int AS sending,
              count(*) FILTER (WHERE status = 'PENDING' AND (next_attempt_at IS NULL OR next_attempt_at <= now()))::int AS due,
              min(next_attempt_at) FILTER (WHERE status = 'PENDING') AS "nextAttemptAt"
       FROM campaign_recipients
       WHERE campaign_id = $1 AND status IN ('PENDING', 'SENDING') AND id BETWEEN $2::bigint AND $3::bigint`,
      [campaignId, firstId, lastId],
    );
    return {
      pending: r!.pending,
      sending: r!.sending,
      due: r!.due,
      nextAttemptAt: r!.nextAttemptAt ? new Date(r!.nextAttemptAt) : null,
    };
  }

  /**
   * Closes a chunk when none of its rows is PENDING or SENDING, in one statement; answers whether it is DONE (now
   * or already). When it is not, chunkState says why.
   */
  async closeChunkIfFinished(campaignId: string, seq: number, firstId: string, lastId: string): Promise<boolean> {
    const r = await sqlOne<{ done: boolean }>(
      this.ds,
      `WITH closed AS (
         UPDATE campaign_chunks SET status = 'DONE', done_at = now(), lease_token = NULL
         WHERE campaign_id = $1 AND seq = $2 AND status <> 'DONE'
           AND NOT EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = $1 AND r.status IN ('PENDING', 'SENDING')
                           AND r.id BETWEEN $3::bigint AND $4::bigint)
         RETURNING 1)
       SELECT EXISTS (SELECT 1 FROM closed) OR EXISTS (SELECT 1 FROM campaign_chunks WHERE campaign_id = $1 AND seq = $2 AND status = 'DONE') AS done`,
      [campaignId, seq, firstId, lastId],
    );
    return r!.done;
  }

  /** Gives a chunk a new job id that runs after `delayMs` (rows waiting for a deferred retry). */
  async deferChunk(campaignId: string, seq: number, delayMs: number): Promise<ChunkJobRef | undefined> {
    const r = await sqlOne<{ generation: number }>(
      this.ds,
      `UPDATE campaign_chunks SET generation = generation + 1, heartbeat_at = now() + $3 * interval '1 millisecond', lease_token = NULL
       WHERE campaign_id = $1 AND seq = $2 AND status = 'QUEUED' RETURNING generation`,
      [campaignId, seq, Math.max(0, Math.round(delayMs))],
    );
    return r ? { seq, generation: r.generation, delayMs } : undefined;
  }

  /**
   * Moves the next chunks of a RUNNING campaign into the queue window, up to `window` queued at once. An
   * advisory lock per campaign keeps two dispatchers from both filling the same free places.
   */
  async queueNextChunks(campaignId: string, window: (rate: number | null) => number): Promise<ChunkJobRef[]> {
    return this.ds.transaction(async (m) => {
      const c = await sqlOne<{ rate: number | null; queued: number }>(
        m,
        `SELECT c.rate_per_second AS rate,
                (SELECT count(*)::int FROM campaign_chunks ch WHERE ch.campaign_id = c.id AND ch.status = 'QUEUED') AS queued
         FROM campaigns c, (SELECT pg_advisory_xact_lock(hashtext($2))) lk
         WHERE c.id = $1 AND c.status = 'RUNNING'`,
        [campaignId, `izinli:dispatch:${campaignId}`],
      );
      if (!c) return [];
      const room = window(c.rate) - c.queued;
      if (room <= 0) return [];
      const rows = await sqlRows<{ seq: number; generation: number }>(
        m,
        `UPDATE campaign_chunks ch SET status = 'QUEUED', generation = ch.generation + 1, heartbeat_at = now()
         FROM (SELECT seq FROM campaign_chunks WHERE campaign_id = $1 AND status = 'PENDING' ORDER BY seq LIMIT $2) pick
         WHERE ch.campaign_id = $1 AND ch.seq = pick.seq
         RETURNING ch.seq, ch.generation`,
        [campaignId, room],
      );
      return rows.map((r) => ({ seq: r.seq, generation: r.generation, delayMs: 0 }));
    });
  }

  /** Every queued chunk of a campaign with the delay its job should have (a deferred chunk waits). */
  async queuedChunks(campaignId: string): Promise<ChunkJobRef[]> {
    const rows = await sqlRows<{ seq: number; generation: number; delayMs: number }>(
      this.ds,
      `SELECT seq, generation, GREATEST(0, COALESCE(extract(epoch FROM heartbeat_at - now()) * 1000, 0))::int AS "delayMs"
       FROM campaign_chunks WHERE campaign_id = $1 AND status = 'QUEUED' ORDER BY seq`,
      [campaignId],
    );
    return rows;
  }

  /** Queued chunks whose rows are all final (the execution died between recording and closing the chunk). */
  async closeFinishedChunks(campaignId: string): Promise<number> {
    return sqlExec(
      this.ds,
      `UPDATE campaign_chunks ch SET status = 'DONE', done_at = now(), lease_token = NULL
       WHERE ch.campaign_id = $1 AND ch.status = 'QUEUED'
         AND NOT EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = $1 AND r.status IN ('PENDING', 'SENDING')
                         AND r.id BETWEEN ch.first_id AND ch.last_id)`,
      [campaignId],
    );
  }

  /**
   * Queued chunks that need a fresh job: rows left SENDING by a dead execution (a killed worker), or no sign of
   * life for `orphanAfterMs` and no live execution (a job lost where re-adding its id cannot bring it back, such
   * as one Bull keeps as failed). The heartbeat is reset so the next sweep waits a lease period before deciding
   * again.
   */
  async reviveOrphanedChunks(campaignId: string): Promise<ChunkJobRef[]> {
    const ttl = `(${Math.round(this.settings.leaseTtlMs)} * interval '1 millisecond')`;
    const orphan = `(${Math.round(this.settings.orphanAfterMs)} * interval '1 millisecond')`;
    const rows = await sqlRows<{ seq: number; generation: number }>(
      this.ds,
      `UPDATE campaign_chunks ch SET generation = ch.generation + 1, heartbeat_at = now(), lease_token = NULL
       WHERE ch.campaign_id = $1 AND ch.status = 'QUEUED'
         AND (ch.lease_token IS NULL OR NOT ${this.liveLease('ch.lease_token')})
         AND (
           (ch.heartbeat_at < now() - ${ttl} AND EXISTS (
              SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = $1 AND r.status = 'SENDING'
                AND r.id BETWEEN ch.first_id AND ch.last_id AND NOT ${this.liveLease('r.claim_token')}))
           OR ch.heartbeat_at < now() - ${orphan}
         )
       RETURNING ch.seq, ch.generation`,
      [campaignId],
    );
    return rows.map((r) => ({ seq: r.seq, generation: r.generation, delayMs: 0 }));
  }

  /** RUNNING → COMPLETED once every chunk is done; answers whether this call completed it. */
  async completeIfDone(campaignId: string): Promise<boolean> {
    return (
      (await sqlExec(
        this.ds,
        `UPDATE campaigns SET status = 'COMPLETED', completed_at = now(), updated_at = now()
         WHERE id = $1 AND status = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM campaign_chunks WHERE campaign_id = $1 AND status <> 'DONE')`,
        [campaignId],
      )) > 0
    );
  }

  async runningCampaignIds(): Promise<string[]> {
    return (
      await sqlRows<{ id: string }>(this.ds, `SELECT id FROM campaigns WHERE status = 'RUNNING' ORDER BY started_at`)
    ).map((r) => r.id);
  }
}
