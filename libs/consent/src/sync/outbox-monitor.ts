import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows, sqlOne } from '@izinli/database';
import { BusinessCalendar, endOfTurkeyDay, toTurkeyDateString } from '../calendar';
import { Clock } from '../clock';
import type { ConsentStatus, IysType, RecipientType } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';
import { IYS_SYNC_SETTINGS } from './outbox-sender';
import { IysSyncSettings } from './sync-settings';

/** One outgoing row as the outbox listing shows it. */
export interface OutboxItem {
  id: string;
  brandId: string;
  brandCode: string;
  recipient: string;
  type: IysType;
  recipientType: RecipientType;
  status: ConsentStatus;
  /** Null, like consentDate, only for a merchant's (TACIR) first record registered without one. */
  source: string | null;
  consentDate: Date | null;
  state: IysSyncState;
  reason: string | null;
  errorCode: string | null;
  mode: 'SINGLE' | 'BATCH';
  attempts: number;
  transactionId: string | null;
  creationDate: Date | null;
  deadline: Date | null;
  /** PENDING and within `atRiskBusinessDays` business days of its deadline. */
  atRisk: boolean;
  /** PENDING past its deadline: İYS will not take it any more (the gate already blocks an ONAY). */
  overdue: boolean;
  createdAt: Date;
  firstSentAt: Date | null;
  finishedAt: Date | null;
}

export interface OutboxQuery {
  brandIds: string[];
  state?: IysSyncState;
  /** Only PENDING rows at risk (overdue ones included). */
  atRisk?: boolean;
  afterId?: string | null;
  limit: number;
}

export interface OutboxCounts {
  pending: number;
  atRisk: number;
  overdue: number;
  /** Age of the oldest PENDING row, in seconds (0 when none). */
  oldestPendingSeconds: number;
  /** The first at-risk rows, for logs and /health (ids only). */
  atRiskIds: string[];
}

/**
 * Deadlines of the outbox (compliance.md §3.2): every outgoing row carries the end of its 3-business-day
 * registration window; rows close to it are "at risk" and reported (listing, metrics, log, /health), rows past it
 * end REJECTED (H467, reason DEADLINE_MISSED), since İYS would refuse them.
 */
@Injectable()
export class IysOutboxMonitor {
  constructor(
    private readonly ds: DataSource,
    private readonly calendar: BusinessCalendar,
    private readonly clock: Clock,
    @Inject(IYS_SYNC_SETTINGS) private readonly settings: IysSyncSettings,
  ) {}

  /** A PENDING row whose deadline is at or before this instant is at risk: end of the Nth next business day. */
  riskThreshold(now: Date = this.clock.now()): Date {
    return endOfTurkeyDay(toTurkeyDateString(this.calendar.addBusinessDays(now, this.settings.atRiskBusinessDays)));
  }

  async list(q: OutboxQuery): Promise<OutboxItem[]> {
    if (q.brandIds.length === 0) return [];
    const now = this.clock.now();
    const threshold = this.riskThreshold(now);
    const rows = await sqlRows<Record<string, unknown>>(
      this.ds,
      `SELECT o.id::text AS id, o.brand_id, o.brand_code, o.recipient, o.type, o.recipient_type, o.status, o.source, o.consent_date, o.state,
              o.reason, o.error_code, o.mode, o.attempts, o.transaction_id, o.creation_date, o.deadline, o.created_at, o.first_sent_at, o.finished_at
         FROM iys_outbox o
        WHERE o.brand_id = ANY($1::uuid[])
          AND ($2::text IS NULL OR o.state = $2)
          AND (NOT $3::boolean OR (o.state = 'PENDING' AND o.deadline <= $4))
          AND ($5::bigint IS NULL OR o.id > $5)
        ORDER BY o.id LIMIT $6`,
      [q.brandIds, q.state ?? null, q.atRisk === true, threshold.toISOString(), q.afterId ?? null, q.limit],
    );
    return rows.map((r) => {
      const deadline = r.deadline ? new Date(r.deadline as string) : null;
      const pending = r.state === 'PENDING';
      return {
        id: r.id as string,
        brandId: r.brand_id as string,
        brandCode: r.brand_code as string,
        recipient: r.recipient as string,
        type: r.type as IysType,
        recipientType: r.recipient_type as RecipientType,
        status: r.status as ConsentStatus,
        source: (r.source as string | null) ?? null,
        consentDate: r.consent_date ? new Date(r.consent_date as string) : null,
        state: r.state as IysSyncState,
        reason: (r.reason as string | null) ?? null,
        errorCode: (r.error_code as string | null) ?? null,
        mode: r.mode as 'SINGLE' | 'BATCH',
        attempts: Number(r.attempts),
        transactionId: (r.transaction_id as string | null) ?? null,
        creationDate: r.creation_date ? new Date(r.creation_date as string) : null,
        deadline,
        atRisk: pending && !!deadline && deadline.getTime() <= threshold.getTime(),
        overdue: pending && !!deadline && deadline.getTime() < now.getTime(),
        createdAt: new Date(r.created_at as string),
        firstSentAt: r.first_sent_at ? new Date(r.first_sent_at as string) : null,
        finishedAt: r.finished_at ? new Date(r.finished_at as string) : null,
      };
    });
  }

  async counts(): Promise<OutboxCounts> {
    const now = this.clock.now();
    const row = await sqlOne<{ pending: number; at_risk: number; overdue: number; oldest: Date | null }>(
      this.ds,
      `SELECT count(*)::int AS pending, count(*) FILTER (WHERE deadline <= $1)::int AS at_risk,
              count(*) FILTER (WHERE deadline < $2)::int AS overdue, min(created_at) AS oldest
         FROM iys_outbox WHERE state = 'PENDING'`,
      [this.riskThreshold(now).toISOString(), now.toISOString()],
    );
    const ids =
      row && row.at_risk > 0
        ? await sqlRows<{ id: string }>(
            this.ds,
            `SELECT id::text AS id FROM iys_outbox WHERE state = 'PENDING' AND deadline <= $1 ORDER BY deadline, id LIMIT 20`,
            [this.riskThreshold(now).toISOString()],
          )
        : [];
    return {
      pending: row?.pending ?? 0,
      atRisk: row?.at_risk ?? 0,
      overdue: row?.overdue ?? 0,
      oldestPendingSeconds: row?.oldest
        ? Math.max(0, Math.round((now.getTime() - new Date(row.oldest).getTime()) / 1000))
        : 0,
      atRiskIds: ids.map((r) => r.id),
    };
  }

  /**
   * Ends rows whose deadline has passed unregistered (İYS down for days, an account waiting for its operator):
   * REJECTED with H467, and an ONAY that is still the key's current movement stops allowing commercial mail, as the
   * gate's own deadline check already made it do. Rows in flight are left to their sender.
   */
  async finalizeOverdue(): Promise<string[]> {
    const now = this.clock.now().toISOString();
    const rows = await sqlRows<{ id: string }>(
      this.ds,
      `WITH o AS (
         UPDATE iys_outbox o SET state = 'REJECTED', reason = 'DEADLINE_MISSED', error_code = 'H467', finished_at = $1, updated_at = now()
          WHERE o.state = 'PENDING' AND o.deadline < $1 AND o.batch_id IS NULL AND (o.claimed_until IS NULL OR o.claimed_until < $1)
         RETURNING o.id, o.movement_id, o.brand_id, o.type, o.recipient, o.recipient_type
       ), c AS (
         UPDATE consents c SET iys_state = 'REJECTED', iys_error_code = 'H467', updated_at = now()
           FROM o WHERE c.brand_id = o.brand_id AND c.type = o.type AND c.recipient = o.recipient AND c.recipient_type = o.recipient_type
            AND c.movement_id = o.movement_id
         RETURNING 1
       )
       SELECT id::text AS id FROM o`,
      [now],
    );
    return rows.map((r) => r.id);
  }
}
