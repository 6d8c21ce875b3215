import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlExec, sqlOne } from '@izinli/database';
import { bucketCapacity, returnTokens, takeTokens } from './token-bucket';

const MAX_SLEEP_MS = 1_000;

/**
 * ratePerSecond per campaign, across every worker: one token bucket row per campaign in PostgreSQL, taken under a
 * row lock. The arithmetic is `takeTokens`; the clock is the database's, so workers on machines whose clocks
 * disagree still share one rate.
 */
@Injectable()
export class CampaignRateLimiter {
  constructor(private readonly ds: DataSource) {}

  /** Waits until at least one token is there and takes up to `want`; 0 only when `stop()` says to give up. */
  async take(
    campaignId: string,
    ratePerSecond: number,
    want: number,
    stop: () => boolean = () => false,
  ): Promise<number> {
    for (;;) {
      const r = await this.ds.transaction(async (m) => {
        let row = await this.lock(m, campaignId);
        if (!row) {
          await sqlExec(
            m,
            `INSERT INTO campaign_rate_buckets (campaign_id, tokens, refilled_at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT DO NOTHING`,
            [campaignId, bucketCapacity(ratePerSecond)],
          );
          row = (await this.lock(m, campaignId))!;
        }
        const taken = takeTokens({ tokens: row.tokens, refilledAt: row.refilledMs }, row.nowMs, ratePerSecond, want);
        await sqlExec(
          m,
          `UPDATE campaign_rate_buckets SET tokens = $2, refilled_at = to_timestamp($3::float8 / 1000) WHERE campaign_id = $1`,
          [campaignId, taken.state.tokens, taken.state.refilledAt],
        );
        return taken;
      });
      if (r.granted > 0) return r.granted;
      if (stop()) return 0;
      await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_SLEEP_MS, Math.max(5, r.waitMs))));
    }
  }

  /** Returns tokens taken for rows that were not there to claim. */
  async giveBack(campaignId: string, ratePerSecond: number, unused: number): Promise<void> {
    if (unused <= 0) return;
    await this.ds.transaction(async (m) => {
      const row = await this.lock(m, campaignId);
      if (!row) return;
      const state = returnTokens({ tokens: row.tokens, refilledAt: row.refilledMs }, ratePerSecond, unused);
      await sqlExec(m, `UPDATE campaign_rate_buckets SET tokens = $2 WHERE campaign_id = $1`, [
        campaignId,
        state.tokens,
      ]);
    });
  }

  private lock(m: Parameters<typeof sqlOne>[0], campaignId: string) {
    return sqlOne<{ tokens: number; refilledMs: number; nowMs: number }>(
      m,
      `SELECT tokens, extract(epoch FROM refilled_at)::float8 * 1000 AS "refilledMs", extract(epoch FROM clock_timestamp())::float8 * 1000 AS "nowMs"
       FROM campaign_rate_buckets WHERE campaign_id = $1 FOR UPDATE`,
      [campaignId],
    );
  }
}
