import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import { sqlExec, sqlOne } from '@izinli/database';
import { Clock } from '../clock';
import { IysClient } from '../iys/iys-client';
import { ConsentRegistry } from '../registry/consent-registry';
import type { ConsentBrand } from '../registry/consent.types';
import { IYS_SYNC_SETTINGS } from './outbox-sender';
import { IysSyncSettings } from './sync-settings';

export type PullSource = 'IYS' | 'HS';
export const PULL_SOURCES: readonly PullSource[] = ['IYS', 'HS'];

export interface PullReport {
  brandId: string;
  source: PullSource;
  /** False when another worker was pulling the same brand and source. */
  ran: boolean;
  pages: number;
  received: number;
  inserted: number;
  duplicates: number;
  matchedOwn: number;
  unreadable: number;
  /** True when the run stopped at its page limit and more may be waiting. */
  more: boolean;
}

/**
 * Pulls İYS's change feed (C7) for one brand and source (compliance.md §3.5): `IYS` brings what recipients did
 * through İYS itself, `HS` what the service provider's integrators sent, Izinli's own movements among them. Each
 * page is applied and its cursor stored in one transaction, so a crash or restart neither skips a movement nor
 * applies one twice; a lost cursor would only replay the 7-day window, which de-duplication absorbs.
 */
@Injectable()
export class IysPuller {
  private readonly log = new Logger('IysPull');

  constructor(
    private readonly ds: DataSource,
    private readonly client: IysClient,
    private readonly registry: ConsentRegistry,
    private readonly clock: Clock,
    @Inject(IYS_SYNC_SETTINGS) private readonly settings: IysSyncSettings,
  ) {}

  async pull(brand: Pick<ConsentBrand, 'id' | 'iysCode' | 'brandCode'>, source: PullSource): Promise<PullReport> {
    const report: PullReport = {
      brandId: brand.id,
      source,
      ran: false,
      pages: 0,
      received: 0,
      inserted: 0,
      duplicates: 0,
      matchedOwn: 0,
      unreadable: 0,
      more: false,
    };
    const holder = randomUUID();
    let after = await this.lease(brand.id, source, holder);
    if (after === undefined) return report;
    report.ran = true;
    try {
      for (let page = 0; page < this.settings.pullMaxPages; page++) {
        const got = await this.client.changes(
          { iysCode: brand.iysCode, brandCode: brand.brandCode },
          { source, after, limit: this.settings.pullPageSize },
          { priority: 'background' },
        );
        if (!got) break;
        report.pages++;
        report.received += got.list.length + got.unreadable.length;
        report.unreadable += got.unreadable.length;
        for (const u of got.unreadable)
          this.log.warn(
            { brandId: brand.id, transactionId: u.transactionId, problem: u.problem },
            'skipped a movement İYS sent that could not be read',
          );
        const newAfter: string | null = got.after || after;
        const applied = await this.ds.transaction(async (tx) => {
          const lease = await sqlOne<{ lease_holder: string | null }>(
            tx,
            `SELECT lease_holder FROM iys_pull_cursors WHERE brand_id = $1 AND source = $2 FOR UPDATE`,
            [brand.id, source],
          );
          // Our lease ran out and another puller took over: its cursor is the truth, this page is its to apply.
          if (lease?.lease_holder !== holder) return null;
          const result = await this.registry.applyIysMovements(brand, got.list, 'IYS_PULL', tx);
          await sqlExec(
            tx,
            `UPDATE iys_pull_cursors SET after_cursor = $3, pulled_at = $4, movements = movements + $5, lease_until = $6 WHERE brand_id = $1 AND source = $2`,
            [
              brand.id,
              source,
              newAfter,
              this.iso(),
              result.inserted,
              new Date(this.clock.now().getTime() + this.settings.pullLeaseMs).toISOString(),
            ],
          );
          return result;
        });
        if (!applied) {
          this.log.warn({ brandId: brand.id, source }, 'pull lease lost to another worker; stopping');
          report.ran = false;
          return report;
        }
        if (applied.movementIds.length)
          await this.registry.notify({ brandId: brand.id, movementIds: applied.movementIds, outbox: [] });
        report.inserted += applied.inserted;
        report.duplicates += applied.duplicates;
        report.matchedOwn += applied.matchedOwn;
        after = newAfter;
        if (got.list.length + got.unreadable.length < this.settings.pullPageSize) break;
        if (page === this.settings.pullMaxPages - 1) report.more = true;
      }
      await sqlExec(
        this.ds,
        `UPDATE iys_pull_cursors SET pulled_at = $3 WHERE brand_id = $1 AND source = $2 AND lease_holder = $4`,
        [brand.id, source, this.iso(), holder],
      );
    } finally {
      await sqlExec(
        this.ds,
        `UPDATE iys_pull_cursors SET lease_holder = NULL, lease_until = NULL WHERE brand_id = $1 AND source = $2 AND lease_holder = $3`,
        [brand.id, source, holder],
      );
    }
    if (report.inserted > 0 || report.matchedOwn > 0) {
      this.log.log(
        {
          brandId: brand.id,
          source,
          inserted: report.inserted,
          matchedOwn: report.matchedOwn,
          duplicates: report.duplicates,
        },
        'applied İYS changes',
      );
    }
    return report;
  }

  /** The stored cursor, once this worker holds the brand's feed; undefined while another worker does. */
  private async lease(brandId: string, source: PullSource, holder: string): Promise<string | null | undefined> {
    const now = this.clock.now();
    await sqlExec(
      this.ds,
      `INSERT INTO iys_pull_cursors (brand_id, source) VALUES ($1, $2) ON CONFLICT (brand_id, source) DO NOTHING`,
      [brandId, source],
    );
    const row = await sqlOne<{ after_cursor: string | null }>(
      this.ds,
      `UPDATE iys_pull_cursors SET lease_holder = $3, lease_until = $4
        WHERE brand_id = $1 AND source = $2 AND (lease_holder IS NULL OR lease_until < $5)
        RETURNING after_cursor`,
      [brandId, source, holder, new Date(now.getTime() + this.settings.pullLeaseMs).toISOString(), now.toISOString()],
    );
    return row ? row.after_cursor : undefined;
  }

  private iso(): string {
    return this.clock.now().toISOString();
  }
}
