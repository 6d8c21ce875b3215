import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlExec, sqlOne, sqlRows, SqlExecutor } from '@izinli/database';
import { Clock, ConsentGate } from '@izinli/consent';
import { JobQueue } from '@izinli/queue';
import { CampaignJob, QueueName } from '../jobs/queue-names';
import { CampaignDispatcher } from '../delivery/campaign-dispatcher';
import { DeliverySettings } from '../delivery/delivery-settings';
import type { ForecastDto } from './campaigns.dto';
import { CampaignRow, CampaignsRepository } from './campaigns.repository';

export interface LedgerBuilt {
  total: number;
  eligible: number;
  chunks: number;
}

type GateTarget = Pick<CampaignRow, 'id' | 'listId' | 'brandId' | 'tenantId' | 'kind'>;

/**
 * The consent gate over a list's contacts as one statement: `ConsentGate.buildGateSql` decides every contact with
 * hash joins against consents and suppressions. Parameters: $1 list, $2 brand, $3 tenant, $4 kind, $5 now.
 */
function gatedAudienceSql(): string {
  const audience = `SELECT ct.id AS contact_id, ct.email AS recipient, ct.recipient_type FROM contacts ct WHERE ct.list_id = $1`;
  return ConsentGate.buildGateSql(audience, {
    brandId: '$2::uuid',
    tenantId: '$3::uuid',
    type: `'EPOSTA'`,
    kind: '$4::text',
    now: '$5::timestamptz',
    suppressionLookup: 'hash',
  });
}

/**
 * Launching a campaign: the ledger is written by one INSERT … SELECT through the gate (set-wise, whatever the
 * audience size), every recipient with its outcome and reason and the movement relied on, then cut into chunks by
 * ledger id; all in the caller's transaction, before any job exists. Jobs come after the commit.
 */
@Injectable()
export class CampaignLauncher {
  private readonly log = new Logger('CampaignLauncher');

  constructor(
    private readonly ds: DataSource,
    private readonly repo: CampaignsRepository,
    private readonly dispatcher: CampaignDispatcher,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    private readonly settings: DeliverySettings,
  ) {}

  /** Builds the ledger and the chunks and makes the campaign RUNNING (COMPLETED when nobody is eligible). */
  async start(ex: SqlExecutor, c: GateTarget): Promise<LedgerBuilt> {
    const inserted = await sqlOne<{ total: number; eligible: number; first: string | null; last: string | null }>(
      ex,
      `WITH g AS (${gatedAudienceSql()}),
       ins AS (
         INSERT INTO campaign_recipients (campaign_id, contact_id, recipient, recipient_type, status, reason, blocked_stage,
                                          movement_id, consent_date, consent_source, iys_transaction_id)
         SELECT $6::uuid, g.contact_id, g.recipient, g.recipient_type,
                CASE WHEN g.allowed THEN 'PENDING' ELSE 'BLOCKED' END, g.reason,
                CASE WHEN g.allowed THEN NULL ELSE 'LAUNCH' END,
                CASE WHEN $4::text = 'COMMERCIAL' THEN g.movement_id END,
                CASE WHEN $4::text = 'COMMERCIAL' THEN g.relied_consent_date END,
                CASE WHEN $4::text = 'COMMERCIAL' THEN g.relied_source END,
                CASE WHEN $4::text = 'COMMERCIAL' THEN g.relied_transaction_id END
         FROM g
         RETURNING id, status
       )
       SELECT count(*)::int AS total, (count(*) FILTER (WHERE status = 'PENDING'))::int AS eligible, min(id)::text AS first, max(id)::text AS last FROM ins`,
      [c.listId, c.brandId, c.tenantId, c.kind, this.clock.now(), c.id],
    );
    const { total, eligible, first, last } = inserted!;
    const chunks = await sqlOne<{ n: number }>(
      ex,
      `WITH ins AS (
         INSERT INTO campaign_chunks (campaign_id, seq, first_id, last_id, size)
         SELECT $1::uuid, bucket, min(id), max(id), count(*)
         FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / $2::int AS bucket
               FROM campaign_recipients WHERE campaign_id = $1::uuid AND status = 'PENDING') x
         GROUP BY bucket
         RETURNING seq
       ) SELECT count(*)::int AS n FROM ins`,
      [c.id, this.settings.chunkSize],
    );
    const n = chunks!.n;
    await sqlExec(
      ex,
      `UPDATE campaigns SET status = $2::text, started_at = now(), launched_at = COALESCE(launched_at, now()),
         completed_at = CASE WHEN $2::text = 'COMPLETED' THEN now() END, ledger_first_id = $3::bigint, ledger_last_id = $4::bigint, updated_at = now()
       WHERE id = $1`,
      [c.id, n > 0 ? 'RUNNING' : 'COMPLETED', first, last],
    );
    this.log.log({ campaignId: c.id, total, eligible, chunks: n }, 'campaign ledger written');
    return { total, eligible, chunks: n };
  }

  /** What the gate says now, without writing anything: the report a scheduled campaign gets at launch. */
  async forecast(ex: SqlExecutor, c: GateTarget): Promise<ForecastDto> {
    const rows = await sqlRows<{ reason: string; allowed: boolean; n: number }>(
      ex,
      `SELECT g.reason, g.allowed, count(*)::int AS n FROM (${gatedAudienceSql()}) g GROUP BY g.reason, g.allowed`,
      [c.listId, c.brandId, c.tenantId, c.kind, this.clock.now()],
    );
    const blocked: Record<string, number> = {};
    let total = 0;
    let eligible = 0;
    for (const r of rows) {
      total += r.n;
      if (r.allowed) eligible += r.n;
      else blocked[r.reason] = (blocked[r.reason] ?? 0) + r.n;
    }
    return { at: this.clock.now().toISOString(), total, eligible, blocked };
  }

  /** Offers the first chunks to the queue; a failure here is repaired by the sweep, so it is logged, not thrown. */
  async dispatchAfterCommit(campaignId: string): Promise<void> {
    try {
      await this.dispatcher.dispatch(campaignId);
    } catch (err) {
      this.log.warn({ campaignId, err: (err as Error).message }, 'could not queue the first chunks; the sweep will');
    }
  }

  /** The delayed job that starts a scheduled campaign; the sweep starts it too if this job is lost. */
  async scheduleStart(campaignId: string, sendAt: Date): Promise<void> {
    try {
      await this.queue.add(
        QueueName.CAMPAIGNS,
        CampaignJob.START,
        { campaignId },
        {
          jobId: `start:${campaignId}:${sendAt.getTime()}`,
          delayMs: Math.max(0, sendAt.getTime() - Date.now()),
          attempts: 10,
          backoffMs: 2_000,
        },
      );
    } catch (err) {
      this.log.warn(
        { campaignId, err: (err as Error).message },
        'could not queue the scheduled start; the sweep will start it',
      );
    }
  }

  /** Starts a SCHEDULED campaign whose time has come; answers whether this call started it. */
  async startScheduled(campaignId: string): Promise<boolean> {
    const started = await this.ds.transaction(async (m) => {
      const c = await this.repo.findById(m, campaignId, true);
      if (!c || c.status !== 'SCHEDULED') return false;
      if (c.sendAt && new Date(c.sendAt).getTime() > this.clock.now().getTime() + 1_000) return false;
      await this.start(m, c);
      return true;
    });
    if (started) await this.dispatchAfterCommit(campaignId);
    return started;
  }

  async startDue(): Promise<number> {
    let n = 0;
    for (const id of await this.repo.dueScheduledIds()) if (await this.startScheduled(id)) n++;
    return n;
  }
}
