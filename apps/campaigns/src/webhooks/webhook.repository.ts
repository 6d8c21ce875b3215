import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { generateWebhookSecret } from '@izinli/consent';
import { sqlExec, sqlOne, sqlRows } from '@izinli/database';

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

export interface ClaimedDelivery {
  id: string;
  brand_id: string;
  body: string;
  attempts: number;
  webhook_url: string | null;
  webhook_secret: string | null;
}

export interface DeliveryRow {
  seq: string;
  id: string;
  movement_id: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
}

/**
 * Which movements become webhooks: those of brands with a webhook, recorded after it was switched on, that changed
 * the state (stale ones did not), except bulk imports: the service provider sent those rows itself, and echoing a
 * million-row file back one request per row would serve nobody.
 */
const ELIGIBLE = `b.webhook_url IS NOT NULL AND NOT m.stale AND m.origin <> 'IMPORT' AND m.recorded_at >= b.webhook_since`;

/**
 * The webhook body, built once when the delivery is created and kept as text, so every attempt signs the very same
 * bytes: `{ id, type: "consent.changed", brandCode, movement }`.
 */
const BODY = `json_build_object(
    'id', src.id, 'type', 'consent.changed', 'brandCode', src.brand_code,
    'movement', json_build_object(
      'recipient', src.recipient, 'type', src.type, 'recipientType', src.recipient_type, 'status', src.status,
      'consentDate', to_char(src.consent_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'source', src.source, 'origin', src.origin,
      'recordedAt', to_char(src.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'transactionId', src.iys_transaction_id))::text`;

@Injectable()
export class WebhookRepository {
  constructor(private readonly ds: DataSource) {}

  /** Creates the deliveries of these movements (once each: a replayed fan-out adds nothing). */
  fanout(movementIds: string[]): Promise<{ id: string; attempts: number }[]> {
    if (movementIds.length === 0) return Promise.resolve([]);
    return sqlRows(
      this.ds,
      `WITH src AS (
         SELECT gen_random_uuid() AS id, m.id AS movement_id, m.brand_id, b.brand_code, m.recipient, m.type, m.recipient_type, m.status,
                m.consent_date, m.source, m.origin, m.recorded_at, m.iys_transaction_id
           FROM consent_movements m JOIN brands b ON b.id = m.brand_id
          WHERE m.id = ANY($1::bigint[]) AND ${ELIGIBLE}
          ORDER BY m.id
       )
       INSERT INTO webhook_deliveries (id, brand_id, movement_id, body, status)
       SELECT src.id, src.brand_id, src.movement_id, ${BODY}, 'PENDING' FROM src
       ON CONFLICT (brand_id, movement_id) DO NOTHING
       RETURNING id::text AS id, attempts`,
      [movementIds],
    );
  }

  /**
   * Movements of webhook brands past each brand's watermark that are old enough that their transaction has surely
   * committed, for the sweeper: a fan-out job lost between a commit and its queue still becomes a delivery.
   */
  async sweepMovements(settleSeconds: number, limit: number): Promise<string[]> {
    const rows = await sqlRows<{ id: string; brand_id: string }>(
      this.ds,
      `SELECT m.id::text AS id, m.brand_id FROM consent_movements m JOIN brands b ON b.id = m.brand_id
        WHERE b.webhook_url IS NOT NULL AND m.id > b.webhook_swept_id AND m.recorded_at < now() - make_interval(secs => $1)
        ORDER BY m.id LIMIT $2`,
      [settleSeconds, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Moves the watermarks past what a sweep has seen. When the sweep saw everything it could (`complete`), every webhook
   * brand moves up to the last id seen, quiet brands included, so later sweeps never rescan their past.
   */
  async advanceWatermarks(movementIds: string[], complete: boolean): Promise<void> {
    if (movementIds.length === 0) return;
    await sqlExec(
      this.ds,
      `UPDATE brands b SET webhook_swept_id = GREATEST(b.webhook_swept_id, x.max_id)
         FROM (SELECT brand_id, max(id) AS max_id FROM consent_movements WHERE id = ANY($1::bigint[]) GROUP BY brand_id) x
        WHERE b.id = x.brand_id`,
      [movementIds],
    );
    if (complete) {
      await sqlExec(
        this.ds,
        `UPDATE brands SET webhook_swept_id = GREATEST(webhook_swept_id, $1::bigint) WHERE webhook_url IS NOT NULL`,
        [movementIds.reduce((a, b) => (BigInt(a) > BigInt(b) ? a : b))],
      );
    }
  }

  dueDeliveries(limit: number): Promise<{ id: string; attempts: number }[]> {
    return sqlRows(
      this.ds,
      `SELECT id::text AS id, attempts FROM webhook_deliveries
        WHERE status = 'PENDING' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
        ORDER BY next_attempt_at, seq LIMIT $1`,
      [limit],
    );
  }

  /** One sender per delivery at a time, with the brand's current URL and secret. */
  claim(id: string, token: string, ttlSeconds: number): Promise<ClaimedDelivery | undefined> {
    return sqlOne<ClaimedDelivery>(
      this.ds,
      `WITH d AS (
         UPDATE webhook_deliveries SET claimed_until = now() + make_interval(secs => $3), claim_token = $2
          WHERE id = $1 AND status = 'PENDING' AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
         RETURNING id, brand_id, body, attempts
       )
       SELECT d.id::text AS id, d.brand_id, d.body, d.attempts, b.webhook_url, b.webhook_secret FROM d JOIN brands b ON b.id = d.brand_id`,
      [id, token, ttlSeconds],
    );
  }

  async recordAttempt(
    id: string,
    token: string,
    outcome: {
      status: DeliveryStatus;
      httpStatus: number | null;
      error: string | null;
      nextAttemptInMs: number | null;
    },
  ): Promise<{ attempts: number } | undefined> {
    return sqlOne(
      this.ds,
      `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, last_status_code = $4, last_error = $5, last_attempt_at = now(),
              next_attempt_at = CASE WHEN $6::int IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $6::int / 1000.0) END,
              delivered_at = CASE WHEN $3 = 'DELIVERED' THEN now() END, claimed_until = NULL, claim_token = NULL
        WHERE id = $1 AND claim_token = $2
        RETURNING attempts`,
      [id, token, outcome.status, outcome.httpStatus, outcome.error, outcome.nextAttemptInMs],
    );
  }

  listDeliveries(
    brandId: string,
    status: DeliveryStatus | undefined,
    afterSeq: string | null,
    limit: number,
  ): Promise<DeliveryRow[]> {
    return sqlRows<DeliveryRow>(
      this.ds,
      `SELECT seq::text AS seq, id::text AS id, movement_id::text AS movement_id, status, attempts, last_status_code, last_error, created_at,
              last_attempt_at, next_attempt_at, delivered_at
         FROM webhook_deliveries
        WHERE brand_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR seq > $3)
        ORDER BY webhook_deliveries.seq LIMIT $4`,
      [brandId, status ?? null, afterSeq, limit],
    );
  }

  /**
   * Brand settings: the webhook URL (a first URL gets a new secret, which only this call ever shows; removing the
   * URL removes the secret too) and the İYS sync mode. Answers the secret when one was created.
   */
  async updateBrand(
    brandId: string,
    change: { webhookUrl?: string | null; iysSync?: string },
  ): Promise<{ webhookSecret: string | null }> {
    return this.ds.transaction(async (tx) => {
      const current = await sqlOne<{ webhook_secret: string | null }>(
        tx,
        `SELECT webhook_secret FROM brands WHERE id = $1 FOR UPDATE`,
        [brandId],
      );
      let revealed: string | null = null;
      if (change.webhookUrl === null) {
        await sqlExec(
          tx,
          `UPDATE brands SET webhook_url = NULL, webhook_secret = NULL, webhook_since = NULL, updated_at = now() WHERE id = $1`,
          [brandId],
        );
      } else if (change.webhookUrl !== undefined) {
        if (!current?.webhook_secret) {
          revealed = generateWebhookSecret();
          // Deliveries start from now: switching a webhook on never replays the brand's history.
          await sqlExec(
            tx,
            `UPDATE brands SET webhook_url = $2, webhook_secret = $3, webhook_since = now(),
                    webhook_swept_id = (SELECT COALESCE(max(id), 0) FROM consent_movements), updated_at = now()
              WHERE id = $1`,
            [brandId, change.webhookUrl, revealed],
          );
        } else {
          await sqlExec(tx, `UPDATE brands SET webhook_url = $2, updated_at = now() WHERE id = $1`, [
            brandId,
            change.webhookUrl,
          ]);
        }
      }
      if (change.iysSync !== undefined)
        await sqlExec(tx, `UPDATE brands SET iys_sync = $2, updated_at = now() WHERE id = $1`, [
          brandId,
          change.iysSync,
        ]);
      return { webhookSecret: revealed };
    });
  }
}
