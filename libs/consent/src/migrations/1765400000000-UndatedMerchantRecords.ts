import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A merchant's (TACIR) first record may reach İYS without consentDate and source (iys-api.md §7 rule 15,
 * compliance.md §3.4), so the proof, the current state and the outgoing row keep them as NULL rather than an
 * invented value: the proof must never show a date or a source nobody gave. A CHECK keeps the exception to TACIR.
 * Imports count the refusals they keep locally (a RET for an address İYS has never seen) in `first_refusals`.
 */
export class UndatedMerchantRecords1765400000000 implements MigrationInterface {
  name = 'UndatedMerchantRecords1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consent_movements ALTER COLUMN consent_date DROP NOT NULL, ALTER COLUMN source DROP NOT NULL,
        ADD CONSTRAINT consent_movements_undated_tacir_only CHECK ((consent_date IS NOT NULL AND source IS NOT NULL) OR recipient_type = 'TACIR');
      ALTER TABLE consents ALTER COLUMN consent_date DROP NOT NULL, ALTER COLUMN source DROP NOT NULL,
        ADD CONSTRAINT consents_undated_tacir_only CHECK ((consent_date IS NOT NULL AND source IS NOT NULL) OR recipient_type = 'TACIR');
      ALTER TABLE iys_outbox ALTER COLUMN consent_date DROP NOT NULL, ALTER COLUMN source DROP NOT NULL,
        ADD CONSTRAINT iys_outbox_undated_tacir_only CHECK ((consent_date IS NOT NULL AND source IS NOT NULL) OR recipient_type = 'TACIR');
      ALTER TABLE consent_imports ADD COLUMN first_refusals int NOT NULL DEFAULT 0;
    `);
  }

  /**
   * Fails while an undated merchant record exists: movements are append-only proof, so they cannot be given a
   * date to fit the old schema.
   */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consent_imports DROP COLUMN first_refusals;
      ALTER TABLE iys_outbox DROP CONSTRAINT iys_outbox_undated_tacir_only,
        ALTER COLUMN consent_date SET NOT NULL, ALTER COLUMN source SET NOT NULL;
      ALTER TABLE consents DROP CONSTRAINT consents_undated_tacir_only,
        ALTER COLUMN consent_date SET NOT NULL, ALTER COLUMN source SET NOT NULL;
      ALTER TABLE consent_movements DROP CONSTRAINT consent_movements_undated_tacir_only,
        ALTER COLUMN consent_date SET NOT NULL, ALTER COLUMN source SET NOT NULL;
    `);
  }
}
