import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { namedStatement, sqlExec, sqlOne, sqlRows, type NamedStatement } from '@izinli/database';
import { ConsentGate, type GateReason, type MessageKind, type RecipientType } from '@izinli/consent';
import type { TemplateLayout } from '../templates/template-engine';
import type { MessageEventType, MessageStatus } from './messages.dto';

export interface NewMessage {
  id: string;
  serviceProviderId: string;
  brandId: string;
  templateId: string | null;
  recipient: string;
  recipientType: RecipientType;
  purpose: string;
  kind: MessageKind;
  reasons: string[];
  subject: string | null;
  html: string | null;
  text: string | null;
  data: Record<string, unknown>;
}

/** The gate's decision at accept, and whether this request wrote the message (false: the key was taken). */
export interface AcceptOutcome {
  inserted: boolean;
  allowed: boolean;
  reason: GateReason;
}

/** The two answers a request may get; the statement stores the one the gate decides on, with the reason added. */
export interface CandidateAnswers {
  key: string;
  requestHash: string;
  accepted: Record<string, unknown>;
  /** Completed in SQL with `reason`. */
  blocked: Record<string, unknown>;
}

/** The first answer given for an Idempotency-Key, replayed for the same request. */
export interface StoredAnswer {
  requestHash: string;
  statusCode: number;
  response: Record<string, unknown>;
}

export interface MessageView {
  id: string;
  status: MessageStatus;
  kind: MessageKind;
  reasons: string[];
  brandCode: string;
  fromEmail: string;
  recipient: string;
  recipientType: RecipientType;
  purpose: string;
  createdAt: Date;
  events: { type: MessageEventType; at: string; detail: Record<string, unknown> | null }[];
}

/** Everything a worker needs to send one claimed message. */
export interface ClaimedMessage {
  id: string;
  serviceProviderId: string;
  brandId: string;
  recipient: string;
  recipientType: RecipientType;
  kind: MessageKind;
  attempts: number;
  dispatch: number;
  createdAt: Date;
  data: Record<string, unknown>;
  templateId: string | null;
  subject: string | null;
  html: string | null;
  text: string | null;
  templateSubject: string | null;
  templateHtml: string | null;
  templateText: string | null;
  templateLayout: TemplateLayout | null;
  brandCode: string;
  brandName: string;
  fromEmail: string;
  fromName: string;
  replyTo: string | null;
  senderId: string;
  /** The gate's decision just now. */
  allowed: boolean;
  reason: GateReason;
  movementId: string | null;
}

const EVENT = `INSERT INTO message_events (message_id, type, at, detail)`;

const ACCEPT_GATE = ConsentGate.buildGateSql(`SELECT * FROM a`, {
  brandId: 'a.brand_id',
  tenantId: 'a.sp_id',
  type: `'EPOSTA'`,
  kind: 'a.kind',
  now: 'a.at',
});

/**
 * The accept statement (see `insert`) for any number of requests, one array element each, prepared once per
 * connection (the gate makes it long to parse and plan). Idempotency keys are inserted in key order, so two batches
 * that share keys wait for each other in the same order and never deadlock. A request whose key is already taken,
 * by another batch or by an earlier request of this one, writes nothing.
 */
const ACCEPT = namedStatement(
  'messages_accept_many',
  `WITH a AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                              $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::timestamptz[])
           WITH ORDINALITY AS a(id, sp_id, brand_id, template_id, recipient, recipient_type, purpose, kind, reasons,
                                subject, html, body_text, data, idem_key, request_hash, accepted, blocked, at, ord)
       ),
       g AS (${ACCEPT_GATE}),
       k AS (
         INSERT INTO message_idempotency_keys (service_provider_id, key, request_hash, status_code, response, message_id)
         SELECT g.sp_id, g.idem_key, g.request_hash, CASE WHEN g.allowed THEN 202 ELSE 422 END,
                CASE WHEN g.allowed THEN g.accepted::jsonb ELSE g.blocked::jsonb || jsonb_build_object('reason', g.reason) END, g.id
           FROM g WHERE g.idem_key IS NOT NULL ORDER BY g.sp_id, g.idem_key, g.ord
         ON CONFLICT DO NOTHING RETURNING message_id
       ), m AS (
         INSERT INTO messages (id, service_provider_id, brand_id, template_id, recipient, recipient_type, purpose, kind, reasons,
                               subject, html, text, data, status, block_reason, movement_id)
         SELECT g.id, g.sp_id, g.brand_id, g.template_id, g.recipient, g.recipient_type, g.purpose, g.kind, g.reasons::jsonb,
                g.subject, g.html, g.body_text, g.data::jsonb, CASE WHEN g.allowed THEN 'QUEUED' ELSE 'BLOCKED' END,
                CASE WHEN g.allowed THEN NULL ELSE g.reason END, CASE WHEN g.kind = 'COMMERCIAL' THEN g.movement_id END
           FROM g WHERE g.idem_key IS NULL OR g.id IN (SELECT message_id FROM k)
         RETURNING id, created_at
       ), e AS (
         ${EVENT}
         SELECT m.id, CASE WHEN g.allowed THEN 'queued' ELSE 'blocked' END, m.created_at,
                CASE WHEN NOT g.allowed THEN jsonb_build_object('reason', g.reason, 'stage', 'ACCEPT')
                     WHEN g.kind = 'COMMERCIAL' AND g.movement_id IS NOT NULL THEN jsonb_build_object('consent', jsonb_build_object(
                       'movementId', g.movement_id::text, 'consentDate', g.relied_consent_date, 'source', g.relied_source,
                       'iysTransactionId', g.relied_transaction_id)) END
           FROM m JOIN g ON g.id = m.id
       )
       SELECT m.id IS NOT NULL AS inserted, g.allowed, g.reason FROM g LEFT JOIN m ON m.id = g.id ORDER BY g.ord`,
);

/** Accept statements one API process runs at once; requests arriving while all are busy share the next one. */
export const ACCEPT_STATEMENTS = 2;
/** The most requests one accept statement carries. */
const ACCEPT_BATCH = 100;

interface AcceptRequest {
  m: NewMessage;
  answers: CandidateAnswers | null;
  now: Date;
  resolve: (outcome: AcceptOutcome) => void;
  reject: (err: unknown) => void;
}

const CLAIM_GATE = ConsentGate.buildGateSql(
  `SELECT id, recipient, recipient_type, brand_id, kind, service_provider_id FROM c`,
  {
    brandId: 'a.brand_id',
    tenantId: 'a.service_provider_id',
    type: `'EPOSTA'`,
    kind: 'a.kind',
    now: '$5::timestamptz',
  },
);

/**
 * The claim statement (see `claim`), prepared once per connection like the accept. Rows another transaction holds
 * are skipped rather than waited for: whoever holds one is claiming or settling it. Taking over a claim that ran out
 * records a `taken_over` event: its holder may have handed the message to SMTP before it stopped.
 */
const CLAIM = namedStatement(
  'messages_claim_many',
  `WITH pick AS (
         SELECT id, claimed_at AS lapsed_claim_at FROM messages
          WHERE id = ANY($1::uuid[]) AND status = 'QUEUED'
            AND COALESCE(next_attempt_at, created_at) <= now() + $4 * interval '1 millisecond'
            AND (claimed_at IS NULL OR claimed_at < now() - $3 * interval '1 millisecond')
          ORDER BY id FOR UPDATE SKIP LOCKED
       ), c AS (
         UPDATE messages m SET claim_token = $2, claimed_at = now(), updated_at = now()
           FROM pick WHERE m.id = pick.id
         RETURNING m.*
       ), taken AS (
         ${EVENT}
         SELECT pick.id, 'taken_over', now(), jsonb_build_object('lapsedClaimAt', pick.lapsed_claim_at)
           FROM pick WHERE pick.lapsed_claim_at IS NOT NULL
       ), g AS (${CLAIM_GATE})
       SELECT c.id, c.service_provider_id AS "serviceProviderId", c.brand_id AS "brandId", c.recipient, c.recipient_type AS "recipientType",
              c.kind, c.attempts, c.dispatch, c.created_at AS "createdAt", c.data, c.template_id AS "templateId", c.subject, c.html, c.text,
              t.subject AS "templateSubject", t.html AS "templateHtml", t.text AS "templateText", t.layout AS "templateLayout",
              b.brand_code AS "brandCode", b.name AS "brandName", b.from_email AS "fromEmail", b.from_name AS "fromName",
              b.reply_to AS "replyTo", sp.iys_code AS "senderId", g.allowed, g.reason, g.movement_id::text AS "movementId"
         FROM c JOIN g ON g.id = c.id JOIN brands b ON b.id = c.brand_id JOIN service_providers sp ON sp.id = c.service_provider_id
         LEFT JOIN templates t ON t.id = c.template_id
        ORDER BY c.created_at, c.id`,
);

/** Messages handed to SMTP, recorded SENT with their event, all in one statement (see `settleSent`). */
const SETTLE_SENT = namedStatement(
  'messages_settle_sent_many',
  `WITH x AS (SELECT * FROM unnest($2::uuid[], $3::text[]) AS x(id, message_id)),
       u AS (
         UPDATE messages m SET status = 'SENT', sent_at = now(), attempts = m.attempts + 1, claim_token = NULL, claimed_at = NULL, updated_at = now()
           FROM x WHERE m.id = x.id AND m.claim_token = $1
         RETURNING m.id, now() AS at, x.message_id AS mid
       )
       ${EVENT} SELECT id, 'sent', at, jsonb_build_object('messageId', mid) FROM u RETURNING message_id::text AS id, at`,
);

/** What each outcome of `settle` sets ($4 and $5 are the outcome's own values), and which parameter the event's detail is. */
const SETTLE_OUTCOMES = {
  FAILED: { set: `status = 'FAILED', attempts = attempts + 1, failure = $4, smtp_code = $5`, detail: 6 },
  BLOCKED: { set: `status = 'BLOCKED', block_reason = $4, movement_id = $5::bigint`, detail: 6 },
  RETRY: {
    set: `attempts = attempts + 1, next_attempt_at = now() + $4::bigint * interval '1 millisecond', smtp_code = $5`,
    detail: 6,
  },
} as const;

/** One prepared statement per outcome (their SET clauses differ). */
const SETTLE = Object.fromEntries(
  Object.entries(SETTLE_OUTCOMES).map(([status, { set, detail }]) => [
    status,
    namedStatement(
      `messages_settle_${status.toLowerCase()}`,
      `WITH u AS (
         UPDATE messages SET ${set}, claim_token = NULL, claimed_at = NULL, updated_at = now()
          WHERE id = $1 AND claim_token = $2 RETURNING id, now() AS at
       )
       ${EVENT} SELECT id, $3, at, $${detail}::jsonb FROM u RETURNING at`,
    ),
  ]),
) as Record<keyof typeof SETTLE_OUTCOMES, NamedStatement>;

/** The SQL of the transactional API. Each write is one statement: a message row never changes without its event. */
@Injectable()
export class MessagesRepository {
  private readonly waiting: AcceptRequest[] = [];
  private accepting = 0;

  constructor(private readonly ds: DataSource) {}

  /**
   * Gates the recipient (ConsentGate's SQL), then writes the idempotency key (when given), the message (QUEUED or
   * BLOCKED with the gate's reason and the movement relied on) and its first event: one statement, one round trip.
   * The key's primary key decides between concurrent requests: the loser writes nothing (`inserted: false`) and
   * reads the winner's answer with `storedAnswer`.
   *
   * A request goes out at once while fewer than ACCEPT_STATEMENTS are running; when all are busy it waits, and the
   * waiting requests go together in the next statement. Calm traffic adds no delay; a burst costs one statement
   * (one commit) per handful of messages instead of one each. A statement that fails is run again request by
   * request, in arrival order, so one bad request fails alone.
   */
  insert(m: NewMessage, answers: CandidateAnswers | null, now: Date): Promise<AcceptOutcome> {
    return new Promise<AcceptOutcome>((resolve, reject) => {
      this.waiting.push({ m, answers, now, resolve, reject });
      this.startAccepts();
    });
  }

  private startAccepts(): void {
    while (this.waiting.length > 0 && this.accepting < ACCEPT_STATEMENTS) {
      const batch = this.waiting.splice(0, ACCEPT_BATCH);
      this.accepting++;
      void this.acceptBatch(batch).finally(() => {
        this.accepting--;
        this.startAccepts();
      });
    }
  }

  private async acceptBatch(batch: AcceptRequest[]): Promise<void> {
    try {
      const outcomes = await this.accept(batch);
      batch.forEach((r, i) => r.resolve(outcomes[i]));
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
    }
    // One by one, in the order they arrived: of two requests with the same key, the earlier still wins.
    for (const r of batch) {
      await this.accept([r]).then(
        (outcomes) => r.resolve(outcomes[0]),
        (err: unknown) => r.reject(err),
      );
    }
  }

  private async accept(batch: AcceptRequest[]): Promise<AcceptOutcome[]> {
    const column = <T>(f: (r: AcceptRequest) => T): T[] => batch.map(f);
    const rows = await sqlRows<AcceptOutcome>(this.ds, ACCEPT, [
      column((r) => r.m.id),
      column((r) => r.m.serviceProviderId),
      column((r) => r.m.brandId),
      column((r) => r.m.templateId),
      column((r) => r.m.recipient),
      column((r) => r.m.recipientType),
      column((r) => r.m.purpose),
      column((r) => r.m.kind),
      column((r) => JSON.stringify(r.m.reasons)),
      column((r) => r.m.subject),
      column((r) => r.m.html),
      column((r) => r.m.text),
      column((r) => JSON.stringify(r.m.data)),
      column((r) => r.answers?.key ?? null),
      column((r) => r.answers?.requestHash ?? null),
      column((r) => (r.answers ? JSON.stringify(r.answers.accepted) : null)),
      column((r) => (r.answers ? JSON.stringify(r.answers.blocked) : null)),
      column((r) => r.now),
    ]);
    if (rows.length !== batch.length)
      throw new Error(`accept statement answered ${rows.length} rows for ${batch.length} requests`);
    return rows;
  }

  storedAnswer(serviceProviderId: string, key: string): Promise<StoredAnswer | undefined> {
    return sqlOne<StoredAnswer>(
      this.ds,
      `SELECT request_hash AS "requestHash", status_code AS "statusCode", response FROM message_idempotency_keys
       WHERE service_provider_id = $1 AND key = $2`,
      [serviceProviderId, key],
    );
  }

  /** The tenancy boundary of GET: a message is found only among the caller's own. */
  async findOwned(serviceProviderId: string, id: string): Promise<MessageView | undefined> {
    return sqlOne<MessageView>(
      this.ds,
      `SELECT m.id, m.status, m.kind, m.reasons, b.brand_code AS "brandCode", b.from_email AS "fromEmail", m.recipient,
              m.recipient_type AS "recipientType", m.purpose, m.created_at AS "createdAt",
              COALESCE((SELECT jsonb_agg(jsonb_build_object('type', e.type, 'at', e.at, 'detail', e.detail) ORDER BY e.id)
                          FROM message_events e WHERE e.message_id = m.id), '[]'::jsonb) AS events
         FROM messages m JOIN brands b ON b.id = m.brand_id
        WHERE m.id = $1 AND m.service_provider_id = $2`,
      [id, serviceProviderId],
    );
  }

  /**
   * Takes those of `ids` that are QUEUED, due (with `earlyMs` of slack for a delayed job firing a little early) and
   * not in another live worker's hands, and gates each again in the same statement (ConsentGate's SQL): consent
   * withdrawn or an address suppressed since accept must stop it. The rest (sent, failed, blocked, not yet due,
   * taken) are simply not returned. One statement for a whole job, in the order the messages were accepted.
   */
  claim(ids: string[], token: string, leaseMs: number, now: Date, earlyMs = 1_000): Promise<ClaimedMessage[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return sqlRows<ClaimedMessage>(this.ds, CLAIM, [ids, token, leaseMs, earlyMs, now]);
  }

  /**
   * Records messages handed to SMTP as SENT, each with its `sent` event naming its Message-ID: one statement for
   * all of a job's. A message whose claim was lost meanwhile is left alone and missing from the answer.
   */
  async settleSent(token: string, sent: { id: string; messageId: string }[]): Promise<{ id: string; at: Date }[]> {
    if (sent.length === 0) return [];
    return sqlRows<{ id: string; at: Date }>(this.ds, SETTLE_SENT, [
      token,
      sent.map((x) => x.id),
      sent.map((x) => x.messageId),
    ]);
  }

  /** A failed, blocked or waiting outcome of a claimed message, with its event; undefined when the claim was lost meanwhile. */
  async settle(
    id: string,
    token: string,
    outcome:
      | { status: 'FAILED'; failure: string; smtpCode: number | null }
      | { status: 'BLOCKED'; reason: string; movementId: string | null }
      | { status: 'RETRY'; delayMs: number; smtpCode: number | null },
    event: { type: MessageEventType; detail: Record<string, unknown> | null },
  ): Promise<{ at: Date } | undefined> {
    const extra =
      outcome.status === 'FAILED'
        ? [outcome.failure, outcome.smtpCode]
        : outcome.status === 'BLOCKED'
          ? [outcome.reason, outcome.movementId]
          : [outcome.delayMs, outcome.smtpCode];
    return sqlOne<{ at: Date }>(this.ds, SETTLE[outcome.status], [
      id,
      token,
      event.type,
      ...extra,
      event.detail ? JSON.stringify(event.detail) : null,
    ]);
  }

  /** Gives a claimed message back untouched (no answer from SMTP): the job is retried. */
  async release(id: string, token: string): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE messages SET claim_token = NULL, claimed_at = NULL, updated_at = now() WHERE id = $1 AND claim_token = $2`,
      [id, token],
    );
  }

  /** QUEUED messages due for `staleMs` with no live claim: their job was lost. Bumps `dispatch` for a fresh job id. */
  redispatchStale(
    staleMs: number,
    leaseMs: number,
    limit = 1000,
  ): Promise<{ id: string; attempts: number; dispatch: number }[]> {
    return sqlRows(
      this.ds,
      `UPDATE messages SET dispatch = dispatch + 1
        WHERE id IN (SELECT id FROM messages
                      WHERE status = 'QUEUED' AND COALESCE(next_attempt_at, created_at) < now() - $1 * interval '1 millisecond'
                        AND (claimed_at IS NULL OR claimed_at < now() - $2 * interval '1 millisecond')
                      ORDER BY COALESCE(next_attempt_at, created_at) LIMIT $3 FOR UPDATE SKIP LOCKED)
          AND status = 'QUEUED'
       RETURNING id, attempts, dispatch`,
      [staleMs, leaseMs, limit],
    );
  }

  /** Deletes idempotency keys older than the retention, a bounded batch at a time. */
  purgeIdempotencyKeys(retentionMs: number, limit = 10_000): Promise<number> {
    return sqlExec(
      this.ds,
      `DELETE FROM message_idempotency_keys WHERE (service_provider_id, key) IN (
         SELECT service_provider_id, key FROM message_idempotency_keys WHERE created_at < now() - $1 * interval '1 millisecond' LIMIT $2)`,
      [retentionMs, limit],
    );
  }
}
