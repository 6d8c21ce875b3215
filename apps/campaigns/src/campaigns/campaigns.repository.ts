import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlExec, sqlOne, sqlRows, SqlExecutor } from '@izinli/database';
import type { Purpose } from '@izinli/consent';
import type { CampaignStatus, LedgerGroup, RecipientStatus } from './campaign-state';
import type { ClassificationDto, ForecastDto } from './campaigns.dto';

export interface CampaignRow {
  id: string;
  brandId: string;
  brandCode: string;
  tenantId: string;
  listId: string;
  templateId: string;
  name: string;
  purpose: Purpose;
  kind: 'COMMERCIAL' | 'TRANSACTIONAL';
  classification: ClassificationDto;
  status: CampaignStatus;
  sendAt: Date | null;
  ratePerSecond: number | null;
  forecast: ForecastDto | null;
  ledgerFirstId: string | null;
  ledgerLastId: string | null;
  createdAt: Date;
  launchedAt: Date | null;
  startedAt: Date | null;
  pausedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  /** What delivery waits for (see CampaignWaiting1765500000000); meaningful while RUNNING. */
  waitingReason: string | null;
  waitingSince: Date | null;
}

export interface RecipientRow {
  id: string;
  recipient: string;
  recipientType: string;
  status: RecipientStatus;
  reason: string;
  blockedStage: 'LAUNCH' | 'SEND' | null;
  attempts: number;
  messageId: string | null;
  sentAt: Date | null;
  failure: string | null;
  smtpCode: number | null;
  error: string | null;
  possibleDuplicate: boolean;
  movementId: string | null;
  consentDate: Date | null;
  consentSource: string | null;
  iysTransactionId: string | null;
}

const COLUMNS = `c.id, c.brand_id AS "brandId", b.brand_code AS "brandCode", b.service_provider_id AS "tenantId", c.list_id AS "listId",
  c.template_id AS "templateId", c.name, c.purpose, c.kind, c.classification, c.status, c.send_at AS "sendAt",
  c.rate_per_second AS "ratePerSecond", c.forecast, c.ledger_first_id::text AS "ledgerFirstId", c.ledger_last_id::text AS "ledgerLastId",
  c.created_at AS "createdAt", c.launched_at AS "launchedAt", c.started_at AS "startedAt", c.paused_at AS "pausedAt",
  c.completed_at AS "completedAt", c.cancelled_at AS "cancelledAt", c.waiting_reason AS "waitingReason",
  c.waiting_since AS "waitingSince"`;

@Injectable()
export class CampaignsRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(c: {
    brandId: string;
    listId: string;
    templateId: string;
    name: string;
    purpose: Purpose;
    kind: 'COMMERCIAL' | 'TRANSACTIONAL';
    classification: ClassificationDto;
    sendAt: Date | null;
    ratePerSecond: number | null;
  }): Promise<string> {
    const row = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO campaigns (brand_id, list_id, template_id, name, purpose, kind, classification, status, send_at, rate_per_second)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'DRAFT', $8, $9) RETURNING id`,
      [
        c.brandId,
        c.listId,
        c.templateId,
        c.name,
        c.purpose,
        c.kind,
        JSON.stringify(c.classification),
        c.sendAt,
        c.ratePerSecond,
      ],
    );
    return row!.id;
  }

  /** The tenancy boundary for campaign routes: found only within the owner's brands. */
  findOwned(
    serviceProviderId: string,
    id: string,
    ex: SqlExecutor = this.ds,
    lock = false,
  ): Promise<CampaignRow | undefined> {
    return sqlOne<CampaignRow>(
      ex,
      `SELECT ${COLUMNS} FROM campaigns c JOIN brands b ON b.id = c.brand_id
       WHERE c.id = $1 AND b.service_provider_id = $2 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [id, serviceProviderId],
    );
  }

  findById(ex: SqlExecutor, id: string, lock = false): Promise<CampaignRow | undefined> {
    return sqlOne<CampaignRow>(
      ex,
      `SELECT ${COLUMNS} FROM campaigns c JOIN brands b ON b.id = c.brand_id WHERE c.id = $1 ${lock ? 'FOR UPDATE OF c' : ''}`,
      [id],
    );
  }

  async markScheduled(ex: SqlExecutor, id: string, forecast: ForecastDto): Promise<void> {
    await sqlExec(
      ex,
      `UPDATE campaigns SET status = 'SCHEDULED', forecast = $2, launched_at = now(), updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(forecast)],
    );
  }

  async markPaused(ex: SqlExecutor, id: string): Promise<void> {
    await sqlExec(ex, `UPDATE campaigns SET status = 'PAUSED', paused_at = now(), updated_at = now() WHERE id = $1`, [
      id,
    ]);
  }

  async markResumed(ex: SqlExecutor, id: string): Promise<void> {
    await sqlExec(ex, `UPDATE campaigns SET status = 'RUNNING', paused_at = NULL, updated_at = now() WHERE id = $1`, [
      id,
    ]);
  }

  /**
   * Cancels: recipients not yet claimed are marked CANCELLED (rows already on their way finish and are recorded
   * as they end), and every chunk is closed so nothing more is queued.
   */
  async markCancelled(ex: SqlExecutor, id: string): Promise<void> {
    await sqlExec(
      ex,
      `UPDATE campaigns SET status = 'CANCELLED', cancelled_at = now(), updated_at = now() WHERE id = $1`,
      [id],
    );
    await sqlExec(
      ex,
      `UPDATE campaign_recipients SET status = 'CANCELLED', next_attempt_at = NULL WHERE campaign_id = $1 AND status = 'PENDING'`,
      [id],
    );
    await sqlExec(
      ex,
      `UPDATE campaign_chunks SET status = 'DONE', done_at = now(), lease_token = NULL WHERE campaign_id = $1 AND status <> 'DONE'`,
      [id],
    );
  }

  /** The ledger counted in one statement, grouped by outcome, reason, stage and failure. */
  ledgerGroups(c: Pick<CampaignRow, 'id' | 'ledgerFirstId' | 'ledgerLastId'>): Promise<LedgerGroup[]> {
    if (!c.ledgerFirstId || !c.ledgerLastId) return Promise.resolve([]);
    return sqlRows<LedgerGroup>(
      this.ds,
      `SELECT status, reason, blocked_stage AS "blockedStage", failure, count(*)::int AS n, (count(*) FILTER (WHERE possible_duplicate))::int AS duplicates
       FROM campaign_recipients WHERE campaign_id = $1 AND id BETWEEN $2::bigint AND $3::bigint
       GROUP BY status, reason, blocked_stage, failure`,
      [c.id, c.ledgerFirstId, c.ledgerLastId],
    );
  }

  recipients(
    c: Pick<CampaignRow, 'id' | 'ledgerFirstId' | 'ledgerLastId'>,
    status: RecipientStatus | null,
    after: string | null,
    limit: number,
  ): Promise<RecipientRow[]> {
    if (!c.ledgerFirstId || !c.ledgerLastId) return Promise.resolve([]);
    return sqlRows<RecipientRow>(
      this.ds,
      `SELECT id::text AS id, recipient, recipient_type AS "recipientType", status, reason, blocked_stage AS "blockedStage", attempts,
              message_id AS "messageId", sent_at AS "sentAt", failure, smtp_code AS "smtpCode", error, possible_duplicate AS "possibleDuplicate",
              movement_id::text AS "movementId", consent_date AS "consentDate", consent_source AS "consentSource", iys_transaction_id AS "iysTransactionId"
       FROM campaign_recipients r
       WHERE campaign_id = $1 AND r.id BETWEEN GREATEST($2::bigint, COALESCE($5::bigint + 1, $2::bigint)) AND $3::bigint
         AND ($4::text IS NULL OR status = $4::text)
       ORDER BY r.id LIMIT $6`,
      [c.id, c.ledgerFirstId, c.ledgerLastId, status, after, limit],
    );
  }

  async dueScheduledIds(): Promise<string[]> {
    return (
      await sqlRows<{ id: string }>(
        this.ds,
        `SELECT id FROM campaigns WHERE status = 'SCHEDULED' AND send_at <= now() ORDER BY send_at LIMIT 100`,
      )
    ).map((r) => r.id);
  }
}
