import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fewer writes per recorded movement (the import benchmark's runs: docs/benchmarks/consent-import.md):
 * - `iys_outbox_pending_key_idx` repeated `iys_outbox_key_idx` (same columns) for PENDING rows only; every lookup it
 *   served (earlier pending rows of a key) is served by the full key index with the state as a filter, and each
 *   row no longer pays a second entry.
 * - The foreign keys from `iys_outbox.movement_id` and `consents.movement_id` to `consent_movements` checked each
 *   new row against a movement written by the same statement, taking a row lock on that movement (a second write
 *   of its tuple). Movements are append-only (a trigger refuses UPDATE and DELETE), so a referenced movement can
 *   never disappear; the uniqueness of `iys_outbox.movement_id` stays.
 */
export class LeanerImportWrites1764301100000 implements MigrationInterface {
  name = 'LeanerImportWrites1764301100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX iys_outbox_pending_key_idx;
      ALTER TABLE iys_outbox DROP CONSTRAINT iys_outbox_movement_id_fkey;
      ALTER TABLE consents DROP CONSTRAINT consents_movement_id_fkey;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consents ADD CONSTRAINT consents_movement_id_fkey FOREIGN KEY (movement_id) REFERENCES consent_movements(id);
      ALTER TABLE iys_outbox ADD CONSTRAINT iys_outbox_movement_id_fkey FOREIGN KEY (movement_id) REFERENCES consent_movements(id);
      CREATE INDEX iys_outbox_pending_key_idx ON iys_outbox (brand_id, type, recipient, recipient_type, id) WHERE state = 'PENDING';
    `);
  }
}
