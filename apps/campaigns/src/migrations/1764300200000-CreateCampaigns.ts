import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audiences, templates, campaigns and the per-recipient ledger.
 *
 * `campaign_recipients` is the ledger: one row per recipient of a launched campaign, written by a single
 * INSERT … SELECT through the consent gate before any job exists. It carries no foreign keys on purpose: a
 * million-row launch would otherwise fire a million referential-integrity triggers, and campaigns are never
 * deleted. `campaign_chunks` splits a campaign's eligible rows into id ranges, the unit a queue job works on.
 * `delivery_leases` holds one heartbeat per running chunk execution, so a row left in SENDING by a killed worker
 * can be told apart from one a live worker is still sending.
 */
export class CreateCampaigns1764300200000 implements MigrationInterface {
  name = 'CreateCampaigns1764300200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE contact_lists (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX contact_lists_brand_idx ON contact_lists (brand_id, created_at);

      CREATE TABLE contacts (
        id bigserial PRIMARY KEY,
        list_id uuid NOT NULL REFERENCES contact_lists(id) ON DELETE CASCADE,
        email text NOT NULL,
        recipient_type text NOT NULL DEFAULT 'BIREYSEL' CHECK (recipient_type IN ('BIREYSEL', 'TACIR')),
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT contacts_list_email_key UNIQUE (list_id, email)
      );

      CREATE TABLE templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        name text NOT NULL,
        subject text NOT NULL,
        html text NOT NULL,
        text text,
        layout text NOT NULL DEFAULT 'none',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX templates_brand_idx ON templates (brand_id, created_at);

      CREATE TABLE campaigns (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        list_id uuid NOT NULL REFERENCES contact_lists(id),
        template_id uuid NOT NULL REFERENCES templates(id),
        name text NOT NULL,
        purpose text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('COMMERCIAL', 'TRANSACTIONAL')),
        classification jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELLED')),
        send_at timestamptz,
        rate_per_second int CHECK (rate_per_second > 0),
        forecast jsonb,
        ledger_first_id bigint,
        ledger_last_id bigint,
        launched_at timestamptz,
        started_at timestamptz,
        paused_at timestamptz,
        completed_at timestamptz,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX campaigns_brand_idx ON campaigns (brand_id, created_at);
      CREATE INDEX campaigns_active_idx ON campaigns (status, send_at) WHERE status IN ('SCHEDULED', 'RUNNING');

      CREATE TABLE campaign_recipients (
        id bigserial PRIMARY KEY,
        campaign_id uuid NOT NULL,
        contact_id bigint,
        recipient text NOT NULL,
        recipient_type text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED', 'BLOCKED', 'CANCELLED')),
        reason text NOT NULL,
        blocked_stage text CHECK (blocked_stage IN ('LAUNCH', 'SEND')),
        movement_id bigint,
        consent_date timestamptz,
        consent_source text,
        iys_transaction_id text,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        claim_token uuid,
        claimed_at timestamptz,
        possible_duplicate boolean NOT NULL DEFAULT false,
        message_id text,
        sent_at timestamptz,
        sent_by text,
        failure text,
        smtp_code int,
        error text
      );
      CREATE INDEX campaign_recipients_status_idx ON campaign_recipients (campaign_id, status, id);

      CREATE TABLE campaign_chunks (
        campaign_id uuid NOT NULL,
        seq int NOT NULL,
        first_id bigint NOT NULL,
        last_id bigint NOT NULL,
        size int NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'QUEUED', 'DONE')),
        generation int NOT NULL DEFAULT 0,
        lease_token uuid,
        heartbeat_at timestamptz,
        done_at timestamptz,
        PRIMARY KEY (campaign_id, seq)
      );
      CREATE INDEX campaign_chunks_open_idx ON campaign_chunks (campaign_id, status, seq) WHERE status <> 'DONE';

      CREATE TABLE campaign_rate_buckets (
        campaign_id uuid PRIMARY KEY,
        tokens double precision NOT NULL,
        refilled_at timestamptz NOT NULL
      );

      CREATE TABLE delivery_leases (
        token uuid PRIMARY KEY,
        worker text NOT NULL,
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE delivery_leases; DROP TABLE campaign_rate_buckets; DROP TABLE campaign_chunks;
      DROP TABLE campaign_recipients; DROP TABLE campaigns; DROP TABLE templates; DROP TABLE contacts; DROP TABLE contact_lists;
    `);
  }
}
