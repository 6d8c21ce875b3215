import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several live keys per service provider, each named, revocable and with a last-used time written in batches.
 *
 * Every change that can turn a cached answer for a key stale (a key created, revoked, un-revoked, re-assigned or
 * deleted, by the API, by the operator-key rotation at start or by hand in SQL) notifies `izinli_api_keys` with the
 * key's id, so each API process drops its cached answers the moment the change commits. `last_used_at` is left out
 * of the trigger's columns: recording use must never flush the caches.
 */
export class ApiKeyRotation1765300000000 implements MigrationInterface {
  name = 'ApiKeyRotation1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_keys
        ADD COLUMN name text,
        ADD COLUMN last_used_at timestamptz;
      DROP INDEX api_keys_service_provider_idx;
      CREATE INDEX api_keys_service_provider_idx ON api_keys (service_provider_id, created_at, id);

      CREATE FUNCTION api_keys_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('izinli_api_keys', (CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER api_keys_changed
        AFTER INSERT OR UPDATE OF revoked_at, key_hash, service_provider_id, is_operator OR DELETE ON api_keys
        FOR EACH ROW EXECUTE FUNCTION api_keys_notify_change();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER api_keys_changed ON api_keys;
      DROP FUNCTION api_keys_notify_change();
      DROP INDEX api_keys_service_provider_idx;
      CREATE INDEX api_keys_service_provider_idx ON api_keys (service_provider_id);
      ALTER TABLE api_keys DROP COLUMN last_used_at, DROP COLUMN name;
    `);
  }
}
