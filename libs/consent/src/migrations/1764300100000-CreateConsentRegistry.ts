import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consent registry. `consent_movements` is append-only (a trigger refuses UPDATE and DELETE): it is the
 * proof of consent. `consents` holds the current state per consent key, derived by latest-consentDate-wins,
 * and `iys_outbox` one outgoing row per movement for the sync engine.
 */
export class CreateConsentRegistry1764300100000 implements MigrationInterface {
  name = 'CreateConsentRegistry1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consent_movements (
        id bigserial PRIMARY KEY,
        brand_id uuid NOT NULL,
        recipient_type text NOT NULL CHECK (recipient_type IN ('BIREYSEL', 'TACIR')),
        type text NOT NULL CHECK (type IN ('EPOSTA', 'MESAJ', 'ARAMA')),
        recipient text NOT NULL,
        status text NOT NULL CHECK (status IN ('ONAY', 'RET')),
        source text NOT NULL,
        consent_date timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        origin text NOT NULL CHECK (origin IN ('API', 'IMPORT', 'UNSUBSCRIBE', 'IYS_PULL', 'IYS_PUSH', 'CUSTOMER')),
        recorded_by text NOT NULL,
        evidence jsonb,
        stale boolean NOT NULL DEFAULT false,
        iys_transaction_id text,
        import_id uuid,
        import_line int
      );
      CREATE INDEX consent_movements_key_idx ON consent_movements (brand_id, type, recipient, recipient_type, consent_date);
      CREATE UNIQUE INDEX consent_movements_iys_tx_idx ON consent_movements (brand_id, iys_transaction_id) WHERE iys_transaction_id IS NOT NULL;
      CREATE UNIQUE INDEX consent_movements_import_line_idx ON consent_movements (import_id, import_line) WHERE import_id IS NOT NULL;

      CREATE FUNCTION consent_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'consent_movements is append-only: evidence of consent cannot be changed or removed';
      END $$;
      CREATE TRIGGER consent_movements_append_only BEFORE UPDATE OR DELETE ON consent_movements
        FOR EACH ROW EXECUTE FUNCTION consent_movements_append_only();

      CREATE TABLE consents (
        brand_id uuid NOT NULL,
        type text NOT NULL,
        recipient text NOT NULL,
        recipient_type text NOT NULL,
        status text NOT NULL,
        source text NOT NULL,
        consent_date timestamptz NOT NULL,
        movement_id bigint NOT NULL REFERENCES consent_movements(id),
        iys_state text NOT NULL CHECK (iys_state IN ('PENDING', 'ACCEPTED', 'REJECTED', 'NOT_REQUIRED')),
        iys_transaction_id text,
        iys_creation_date timestamptz,
        iys_error_code text,
        registration_deadline timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (brand_id, type, recipient, recipient_type)
      );

      CREATE TABLE iys_outbox (
        id bigserial PRIMARY KEY,
        movement_id bigint NOT NULL UNIQUE REFERENCES consent_movements(id),
        brand_id uuid NOT NULL,
        iys_code text NOT NULL,
        brand_code text NOT NULL,
        recipient_type text NOT NULL,
        type text NOT NULL,
        recipient text NOT NULL,
        status text NOT NULL,
        source text NOT NULL,
        consent_date timestamptz NOT NULL,
        state text NOT NULL CHECK (state IN ('PENDING', 'ACCEPTED', 'REJECTED', 'NOT_REQUIRED')),
        reason text,
        deadline timestamptz,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        error_code text,
        transaction_id text,
        creation_date timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX iys_outbox_pending_idx ON iys_outbox (next_attempt_at, id) WHERE state = 'PENDING';
      CREATE INDEX iys_outbox_key_idx ON iys_outbox (brand_id, type, recipient, recipient_type, id);
      CREATE INDEX iys_outbox_state_idx ON iys_outbox (state, brand_id, id);

      CREATE TABLE suppressions (
        id bigserial PRIMARY KEY,
        email text NOT NULL,
        tenant_id uuid,
        reason text NOT NULL CHECK (reason IN ('HARD_BOUNCE', 'COMPLAINT', 'MANUAL')),
        origin text NOT NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX suppressions_scope_idx ON suppressions (email, COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid));

      CREATE TABLE consent_imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        brand_id uuid NOT NULL,
        tenant_id uuid NOT NULL,
        iys_code text NOT NULL,
        brand_code text NOT NULL,
        iys_sync text NOT NULL,
        recorded_by text NOT NULL,
        status text NOT NULL CHECK (status IN ('RECEIVING', 'QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED')),
        total int NOT NULL DEFAULT 0,
        accepted int NOT NULL DEFAULT 0,
        rejected int NOT NULL DEFAULT 0,
        chunks int NOT NULL DEFAULT 0,
        next_chunk int NOT NULL DEFAULT 0,
        carry text NOT NULL DEFAULT '',
        lines_done int NOT NULL DEFAULT 0,
        failure text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      CREATE TABLE consent_import_chunks (
        import_id uuid NOT NULL REFERENCES consent_imports(id) ON DELETE CASCADE,
        seq int NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (import_id, seq)
      );
      CREATE TABLE consent_import_errors (
        import_id uuid NOT NULL REFERENCES consent_imports(id) ON DELETE CASCADE,
        line int NOT NULL,
        code text NOT NULL,
        message text NOT NULL,
        PRIMARY KEY (import_id, line)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE consent_import_errors; DROP TABLE consent_import_chunks; DROP TABLE consent_imports;
      DROP TABLE suppressions; DROP TABLE iys_outbox; DROP TABLE consents;
      DROP TRIGGER consent_movements_append_only ON consent_movements; DROP FUNCTION consent_movements_append_only();
      DROP TABLE consent_movements;
    `);
  }
}
