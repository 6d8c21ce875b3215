import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The İYS sync engine's state.
 *
 * - `iys_outbox` gains what sending needs: a claim (one sender per row, across processes; a crashed sender's claim
 *   runs out), the mode (a single add, or a place in a batch), and when the row was first and last sent.
 * - `consent_movements` gains İYS's creationDate for movements that came from İYS, which the daily reconciliation
 *   file is built from (a column added, never an UPDATE: the table stays append-only).
 * - `iys_batches`: one row per batch add, written before the request goes out, so a worker killed between the
 *   request and its answer leaves a row that says which movements to send again.
 * - `iys_pull_cursors`: the change-feed cursor per brand and source, moved in the same transaction as the
 *   movements of its page, so a restart neither skips nor repeats.
 * - `iys_tokens`: the cached access token and the hourly token-request count per İYS user, shared by processes.
 * - `iys_reconciliations`: the daily comparison with İYS's movement file.
 */
export class CreateIysSync1764300500000 implements MigrationInterface {
  name = 'CreateIysSync1764300500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE iys_outbox
        ADD COLUMN mode text NOT NULL DEFAULT 'SINGLE' CHECK (mode IN ('SINGLE', 'BATCH')),
        ADD COLUMN claimed_until timestamptz,
        ADD COLUMN claim_token text,
        ADD COLUMN batch_id bigint,
        ADD COLUMN batch_index int,
        ADD COLUMN first_sent_at timestamptz,
        ADD COLUMN sent_at timestamptz,
        ADD COLUMN finished_at timestamptz;
      CREATE INDEX iys_outbox_pending_key_idx ON iys_outbox (brand_id, type, recipient, recipient_type, id) WHERE state = 'PENDING';
      CREATE INDEX iys_outbox_batch_idx ON iys_outbox (batch_id, batch_index) WHERE batch_id IS NOT NULL;
      CREATE INDEX iys_outbox_deadline_idx ON iys_outbox (deadline, id) WHERE state = 'PENDING';
      CREATE INDEX iys_outbox_transaction_idx ON iys_outbox (brand_id, transaction_id) WHERE transaction_id IS NOT NULL;
      CREATE INDEX iys_outbox_creation_idx ON iys_outbox (brand_id, creation_date) WHERE creation_date IS NOT NULL;

      ALTER TABLE consent_movements ADD COLUMN iys_creation_date timestamptz;
      CREATE INDEX consent_movements_iys_creation_idx ON consent_movements (brand_id, iys_creation_date) WHERE iys_creation_date IS NOT NULL;

      CREATE TABLE iys_batches (
        id bigserial PRIMARY KEY,
        brand_id uuid NOT NULL,
        iys_code text NOT NULL,
        brand_code text NOT NULL,
        state text NOT NULL CHECK (state IN ('SENDING', 'SENT', 'DONE')),
        request_id text,
        items int NOT NULL,
        lease_until timestamptz,
        lease_token text,
        next_poll_at timestamptz NOT NULL DEFAULT now(),
        polls int NOT NULL DEFAULT 0,
        sends int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX iys_batches_open_idx ON iys_batches (next_poll_at, id) WHERE state <> 'DONE';

      CREATE TABLE iys_pull_cursors (
        brand_id uuid NOT NULL,
        source text NOT NULL CHECK (source IN ('IYS', 'HS')),
        after_cursor text,
        lease_holder text,
        lease_until timestamptz,
        pulled_at timestamptz,
        movements bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (brand_id, source)
      );

      CREATE TABLE iys_tokens (
        account text PRIMARY KEY,
        access_token text,
        refresh_token text,
        access_expires_at timestamptz,
        refresh_expires_at timestamptz,
        recent_requests timestamptz[] NOT NULL DEFAULT '{}',
        halted_until timestamptz,
        lease_holder text,
        lease_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE iys_reconciliations (
        brand_id uuid NOT NULL,
        report_date date NOT NULL,
        status text NOT NULL CHECK (status IN ('MATCHED', 'DIFFERENT', 'NOT_READY', 'FAILED')),
        local_count int NOT NULL,
        iys_count int,
        local_hash text NOT NULL,
        iys_hash text,
        agreement_confirmed boolean NOT NULL DEFAULT false,
        differences jsonb NOT NULL DEFAULT '[]'::jsonb,
        summary jsonb,
        detail text,
        checked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (brand_id, report_date)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE iys_reconciliations; DROP TABLE iys_tokens; DROP TABLE iys_pull_cursors; DROP TABLE iys_batches;
      DROP INDEX consent_movements_iys_creation_idx;
      ALTER TABLE consent_movements DROP COLUMN iys_creation_date;
      DROP INDEX iys_outbox_creation_idx; DROP INDEX iys_outbox_transaction_idx; DROP INDEX iys_outbox_deadline_idx;
      DROP INDEX iys_outbox_batch_idx; DROP INDEX iys_outbox_pending_key_idx;
      ALTER TABLE iys_outbox DROP COLUMN finished_at, DROP COLUMN sent_at, DROP COLUMN first_sent_at, DROP COLUMN batch_index,
        DROP COLUMN batch_id, DROP COLUMN claim_token, DROP COLUMN claimed_until, DROP COLUMN mode;
    `);
  }
}
