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

  async insertApiKey(ex: SqlExecutor, serviceProviderId: string | null, hash: string, prefix: string): Promise<void> {
    await sqlRows(
      ex,
      `INSERT INTO api_keys (service_provider_id, is_operator, key_hash, key_prefix) VALUES ($1, $2, $3, $4)`,
      [serviceProviderId, serviceProviderId === null, hash, prefix],
    );
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
