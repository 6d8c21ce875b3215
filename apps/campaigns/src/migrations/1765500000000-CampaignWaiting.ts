import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a running campaign's delivery waits for, when it stopped moving (`waiting` in the campaign's answer):
 * `SMTP_UNAVAILABLE` or `NO_PROGRESS` (delivery-metrics.ts), since when. Set by the worker whose chunk stopped and
 * cleared by the first sub-batch that is sent again, so API and workers in other processes agree on it.
 */
export class CampaignWaiting1765500000000 implements MigrationInterface {
  name = 'CampaignWaiting1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaigns ADD COLUMN waiting_reason text, ADD COLUMN waiting_since timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE campaigns DROP COLUMN waiting_reason, DROP COLUMN waiting_since`);
  }
}
