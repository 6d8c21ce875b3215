import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenancy1764300000000 implements MigrationInterface {
  name = 'CreateTenancy1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE service_providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        iys_code text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service_provider_id uuid REFERENCES service_providers(id) ON DELETE CASCADE,
        is_operator boolean NOT NULL DEFAULT false,
        key_hash text NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CHECK (is_operator = (service_provider_id IS NULL))
      );
      CREATE INDEX api_keys_service_provider_idx ON api_keys (service_provider_id);
      CREATE TABLE brands (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        service_provider_id uuid NOT NULL REFERENCES service_providers(id) ON DELETE CASCADE,
        name text NOT NULL,
        brand_code text NOT NULL UNIQUE,
        from_email text NOT NULL,
        from_name text NOT NULL,
        reply_to text,
        iys_sync text NOT NULL DEFAULT 'PLATFORM' CHECK (iys_sync IN ('PLATFORM', 'CUSTOMER')),
        webhook_url text,
        webhook_secret text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX brands_service_provider_idx ON brands (service_provider_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE brands; DROP TABLE api_keys; DROP TABLE service_providers;`);
  }
}
