import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlOne, sqlRows, SqlExecutor } from '@izinli/database';
import type { IysSyncMode } from './tenancy.dto';

export interface ServiceProviderRow {
  id: string;
  name: string;
  iysCode: string;
  createdAt: Date;
}

export interface BrandRow {
  id: string;
  serviceProviderId: string;
  iysCode: string;
  name: string;
  brandCode: string;
  fromEmail: string;
  fromName: string;
  replyTo: string | null;
  iysSync: IysSyncMode;
  webhookUrl: string | null;
  createdAt: Date;
}

export interface ApiKeyRow {
  id: string;
  name: string | null;
  prefix: string;
  createdAt: Date;
  /** created_at in microseconds since the epoch, exact: the paging key (a Date keeps milliseconds only). */
  createdAtMicros: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const API_KEY_COLUMNS = `id::text AS id, name, key_prefix AS prefix, created_at AS "createdAt",
  (extract(epoch FROM created_at) * 1000000)::bigint::text AS "createdAtMicros",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

const BRAND_COLUMNS = `b.id, b.service_provider_id AS "serviceProviderId", sp.iys_code AS "iysCode", b.name,
  b.brand_code AS "brandCode", b.from_email AS "fromEmail", b.from_name AS "fromName", b.reply_to AS "replyTo",
  b.iys_sync AS "iysSync", b.webhook_url AS "webhookUrl", b.created_at AS "createdAt"`;

@Injectable()
export class TenancyRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }

  async insertServiceProvider(ex: SqlExecutor, name: string, iysCode: string): Promise<ServiceProviderRow | undefined> {
    return sqlOne<ServiceProviderRow>(
      ex,
      `INSERT INTO service_providers (name, iys_code) VALUES ($1, $2) ON CONFLICT (iys_code) DO NOTHING
       RETURNING id, name, iys_code AS "iysCode", created_at AS "createdAt"`,
      [name, iysCode],
    );
  }

  findServiceProvider(id: string): Promise<ServiceProviderRow | undefined> {
    return sqlOne<ServiceProviderRow>(
      this.ds,
      `SELECT id, name, iys_code AS "iysCode", created_at AS "createdAt" FROM service_providers WHERE id = $1`,
      [id],
    );
  }

  async insertApiKey(
    ex: SqlExecutor,
    serviceProviderId: string | null,
    hash: string,
    prefix: string,
    name: string | null = null,
  ): Promise<ApiKeyRow> {
    return (await sqlOne<ApiKeyRow>(
      ex,
      `INSERT INTO api_keys (service_provider_id, is_operator, key_hash, key_prefix, name) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${API_KEY_COLUMNS}`,
      [serviceProviderId, serviceProviderId === null, hash, prefix, name],
    ))!;
  }

  /** Another key for a service provider, unless it already has `maxLive` live ones (answers undefined then). */
  async insertServiceProviderKey(
    serviceProviderId: string,
    hash: string,
    prefix: string,
    name: string | null,
    maxLive: number,
  ): Promise<ApiKeyRow | undefined> {
    return this.ds.transaction(async (m) => {
      // Serialises concurrent creations for one service provider, so the limit holds.
      await sqlRows(m, `SELECT id FROM service_providers WHERE id = $1 FOR UPDATE`, [serviceProviderId]);
      const live = await sqlOne<{ n: number }>(
        m,
        `SELECT count(*)::int AS n FROM api_keys WHERE service_provider_id = $1 AND revoked_at IS NULL`,
        [serviceProviderId],
      );
      if (live!.n >= maxLive) return undefined;
      return this.insertApiKey(m, serviceProviderId, hash, prefix, name);
    });
  }

  /** A service provider's keys, oldest first, after the cursor `[createdAtMicros, id]`. */
  listApiKeys(serviceProviderId: string, after: [string, string] | null, limit: number): Promise<ApiKeyRow[]> {
    return sqlRows<ApiKeyRow>(
      this.ds,
      `SELECT ${API_KEY_COLUMNS} FROM api_keys
       WHERE service_provider_id = $1
         AND ($2::bigint IS NULL
              OR (created_at, id) > ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3::uuid))
       ORDER BY created_at, id LIMIT $4`,
      [serviceProviderId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
  }

  /**
   * Revokes one of a service provider's keys. `keepOne`: refuse to revoke its last live key. Idempotent: a key
   * already revoked answers ALREADY_REVOKED and changes nothing.
   */
  async revokeApiKey(
    serviceProviderId: string,
    keyId: string,
    keepOne: boolean,
  ): Promise<'REVOKED' | 'ALREADY_REVOKED' | 'NOT_FOUND' | 'LAST_KEY'> {
    return this.ds.transaction(async (m) => {
      // Locks the live keys first, so two revocations at once cannot both leave the other as the "spare".
      const live = await sqlRows<{ id: string }>(
        m,
        `SELECT id::text AS id FROM api_keys WHERE service_provider_id = $1 AND revoked_at IS NULL FOR UPDATE`,
        [serviceProviderId],
      );
      const key = await sqlOne<{ revoked: boolean }>(
        m,
        `SELECT revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1 AND service_provider_id = $2`,
        [keyId, serviceProviderId],
      );
      if (!key) return 'NOT_FOUND';
      if (key.revoked) return 'ALREADY_REVOKED';
      if (keepOne && live.length <= 1) return 'LAST_KEY';
      await sqlRows(m, `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [keyId]);
      return 'REVOKED';
    });
  }

  async operatorKeyExists(): Promise<boolean> {
    return !!(await sqlOne(this.ds, `SELECT 1 FROM api_keys WHERE is_operator AND revoked_at IS NULL LIMIT 1`));
  }

  /** Makes `hash` the one valid operator key (ADMIN_API_KEY set in the environment). */
  async setOperatorKey(hash: string, prefix: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      await sqlRows(
        m,
        `UPDATE api_keys SET revoked_at = now() WHERE is_operator AND revoked_at IS NULL AND key_hash <> $1`,
        [hash],
      );
      await sqlRows(
        m,
        `INSERT INTO api_keys (service_provider_id, is_operator, key_hash, key_prefix) VALUES (NULL, true, $1, $2)
         ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL`,
        [hash, prefix],
      );
    });
  }

  /** Inserts the generated operator key unless another process got there first; answers whether it won. */
  async insertFirstOperatorKey(hash: string, prefix: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      // Serialise first-start races between processes sharing one database.
      await sqlRows(m, `SELECT pg_advisory_xact_lock(7261002)`);
      if (await sqlOne(m, `SELECT 1 FROM api_keys WHERE is_operator AND revoked_at IS NULL LIMIT 1`)) return false;
      await this.insertApiKey(m, null, hash, prefix);
      return true;
    });
  }

  async insertBrand(
    ex: SqlExecutor,
    b: {
      serviceProviderId: string;
      name: string;
      brandCode: string;
      fromEmail: string;
      fromName: string;
      replyTo?: string;
      iysSync: IysSyncMode;
    },
  ): Promise<BrandRow | undefined> {
    const inserted = await sqlOne<{ id: string }>(
      ex,
      `INSERT INTO brands (service_provider_id, name, brand_code, from_email, from_name, reply_to, iys_sync)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (brand_code) DO NOTHING RETURNING id`,
      [b.serviceProviderId, b.name, b.brandCode, b.fromEmail, b.fromName, b.replyTo ?? null, b.iysSync],
    );
    return inserted ? this.findBrandById(ex, inserted.id) : undefined;
  }

  findBrandById(ex: SqlExecutor, id: string): Promise<BrandRow | undefined> {
    return sqlOne<BrandRow>(
      ex,
      `SELECT ${BRAND_COLUMNS} FROM brands b JOIN service_providers sp ON sp.id = b.service_provider_id WHERE b.id = $1`,
      [id],
    );
  }

  /** The tenancy boundary for brand routes: a brand is found only within its owner's scope. */
  findOwnedBrand(serviceProviderId: string, brandCode: string): Promise<BrandRow | undefined> {
    return sqlOne<BrandRow>(
      this.ds,
      `SELECT ${BRAND_COLUMNS} FROM brands b JOIN service_providers sp ON sp.id = b.service_provider_id
       WHERE b.service_provider_id = $1 AND b.brand_code = $2`,
      [serviceProviderId, brandCode],
    );
  }

  listBrands(serviceProviderId: string | null, after: string | null, limit: number): Promise<BrandRow[]> {
    return sqlRows<BrandRow>(
      this.ds,
      `SELECT ${BRAND_COLUMNS} FROM brands b JOIN service_providers sp ON sp.id = b.service_provider_id
       WHERE ($1::uuid IS NULL OR b.service_provider_id = $1) AND ($2::text IS NULL OR b.brand_code > $2)
       ORDER BY b.brand_code LIMIT $3`,
      [serviceProviderId, after, limit],
    );
  }
}
