import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `unsubscribes`: one row per RET an unsubscribe link put in force, written in the same transaction as the RET,
 * under the consent key's lock. It keeps what the undo needs and the movement history cannot say on its own: which
 * movement the RET replaced and with what status (the undo may only restore an ONAY that existed), when the RET was
 * made (the undo's 7-day window) and whether it was undone (once).
 */
export class CreateUnsubscribes1765200000000 implements MigrationInterface {
  name = 'CreateUnsubscribes1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE unsubscribes (
        ret_movement_id bigint PRIMARY KEY REFERENCES consent_movements(id),
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        message_id text NOT NULL,
        replaced_movement_id bigint REFERENCES consent_movements(id),
        replaced_status text CHECK (replaced_status IN ('ONAY', 'RET')),
        unsubscribed_at timestamptz NOT NULL,
        undo_movement_id bigint UNIQUE REFERENCES consent_movements(id),
        undone_at timestamptz,
        CHECK ((replaced_movement_id IS NULL) = (replaced_status IS NULL)),
        CHECK ((undo_movement_id IS NULL) = (undone_at IS NULL))
      );
      CREATE INDEX unsubscribes_link_idx ON unsubscribes (brand_id, message_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE unsubscribes;`);
  }
}
