import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transactional mail API (design.md "Transactional mail"): one row per accepted or blocked message, its events,
 * and the idempotency keys of POST /v1/messages.
 *
 * `messages` is the truth the queue only dispatches: a row is written (QUEUED or BLOCKED) before any job exists.
 * `claim_token` / `claimed_at` mark a worker's send in flight; a claim older than the lease belongs to a dead
 * worker and may be taken again. `dispatch` is bumped by the sweep when it re-enqueues a row, so the new job id
 * differs from one the queue may still remember as failed.
 *
 * `message_idempotency_keys` has the (service provider, key) primary key that makes two concurrent requests with
 * the same key produce one message: the key, the message and its first event are written by one statement.
 */
export class CreateMessages1764301000000 implements MigrationInterface {
  name = 'CreateMessages1764301000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        service_provider_id uuid NOT NULL REFERENCES service_providers(id) ON DELETE CASCADE,
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        template_id uuid REFERENCES templates(id),
        recipient text NOT NULL,
        recipient_type text NOT NULL CHECK (recipient_type IN ('BIREYSEL', 'TACIR')),
        purpose text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('COMMERCIAL', 'TRANSACTIONAL', 'EXEMPT')),
        reasons jsonb NOT NULL,
        subject text,
        html text,
        text text,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        status text NOT NULL CHECK (status IN ('QUEUED', 'SENT', 'FAILED', 'BLOCKED')),
        block_reason text,
        movement_id bigint,
        attempts int NOT NULL DEFAULT 0,
        dispatch int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        claim_token uuid,
        claimed_at timestamptz,
        failure text,
        smtp_code int,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX messages_queued_idx ON messages (COALESCE(next_attempt_at, created_at)) WHERE status = 'QUEUED';
      CREATE INDEX messages_service_provider_idx ON messages (service_provider_id, created_at);

      CREATE TABLE message_events (
        id bigserial PRIMARY KEY,
        message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        type text NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        detail jsonb
      );
      CREATE INDEX message_events_message_idx ON message_events (message_id, id);

      CREATE TABLE message_idempotency_keys (
        service_provider_id uuid NOT NULL REFERENCES service_providers(id) ON DELETE CASCADE,
        key text NOT NULL,
        request_hash text NOT NULL,
        status_code int NOT NULL,
        response jsonb NOT NULL,
        message_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (service_provider_id, key)
      );
      CREATE INDEX message_idempotency_keys_created_idx ON message_idempotency_keys (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE message_idempotency_keys; DROP TABLE message_events; DROP TABLE messages;`);
  }
}
