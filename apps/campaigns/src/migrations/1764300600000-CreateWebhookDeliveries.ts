import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent-change webhooks to brands' own endpoints. `webhook_deliveries` is the delivery log: one row per movement
 * and brand, with the exact body that is signed on every attempt, its attempts and the last answer. Brands gain
 * the instant their webhook was switched on (older movements are never delivered) and the sweeper's watermark.
 */
export class CreateWebhookDeliveries1764300600000 implements MigrationInterface {
  name = 'CreateWebhookDeliveries1764300600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE brands
        ADD COLUMN webhook_since timestamptz,
        ADD COLUMN webhook_swept_id bigint NOT NULL DEFAULT 0;

      CREATE TABLE webhook_deliveries (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        movement_id bigint NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_until timestamptz,
        claim_token text,
        last_status_code int,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        delivered_at timestamptz,
        UNIQUE (brand_id, movement_id)
      );
      CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, seq) WHERE status = 'PENDING';
      CREATE INDEX webhook_deliveries_brand_idx ON webhook_deliveries (brand_id, seq);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE webhook_deliveries; ALTER TABLE brands DROP COLUMN webhook_swept_id, DROP COLUMN webhook_since;`,
    );
  }
}
