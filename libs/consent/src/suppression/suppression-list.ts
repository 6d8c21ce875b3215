import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlOne, sqlRows, SqlExecutor } from '@izinli/database';
import { normalizeEmail } from '../addresses';

/** Why an address may not be mailed (compliance.md §2: blocked with SUPPRESSED for every kind of mail). */
export const SUPPRESSION_REASONS = ['HARD_BOUNCE', 'COMPLAINT', 'MANUAL'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export function isSuppressionReason(value: unknown): value is SuppressionReason {
  return typeof value === 'string' && (SUPPRESSION_REASONS as readonly string[]).includes(value);
}

export interface SuppressionEntry {
  id: string;
  email: string;
  /** The owning tenant (service provider); null covers every tenant (platform-wide). */
  tenantId: string | null;
  reason: SuppressionReason;
  /** Who added it: 'API', 'OPERATOR', 'SMTP' (a hard bounce seen by Izinli's own SMTP) … */
  origin: string;
  note: string | null;
  createdAt: Date;
}

/**
 * Which entries to list. A tenant's list never includes the platform-wide entries: they may carry another
 * tenant's message id in their note (hard bounces), so a tenant only learns of one through `coversPlatformWide`.
 */
export interface SuppressionQuery {
  /** The tenant whose entries to list; null lists the platform-wide entries only. */
  tenantId: string | null;
  /** Every scope at once, platform-wide and every tenant's (the operator's view); `tenantId` is then ignored. */
  everyScope?: boolean;
  /** Only this address (normalised before matching). */
  email?: string;
  /** The last id of the previous page. */
  afterId?: string | null;
  limit: number;
}

/** An address that is not one İYS or Izinli would accept; nothing was stored. */
export class InvalidSuppressionAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSuppressionAddressError';
  }
}

// The unique index is on (email, COALESCE(tenant_id, nil uuid)); ON CONFLICT must name the same expression.
const SCOPE_CONFLICT = `(email, COALESCE(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid))`;
const COLUMNS = `id::text AS id, email, tenant_id AS "tenantId", reason, origin, note, created_at AS "createdAt"`;

/**
 * The suppression list the consent gate reads (`suppressions`): addresses that get no mail at all, per tenant
 * or platform-wide. Adding is idempotent, so a bounce seen twice or a retried request changes nothing.
 */
@Injectable()
export class SuppressionList {
  constructor(private readonly ds: DataSource) {}

  /**
   * Adds an entry unless one already covers the same address in the same scope; answers the entry that is in
   * force and whether this call created it.
   */
  async add(
    email: string,
    tenantId: string | null,
    reason: SuppressionReason,
    origin: string,
    note?: string,
    executor: SqlExecutor = this.ds,
  ): Promise<{ created: boolean; entry: SuppressionEntry }> {
    const address = this.normalise(email);
    const inserted = await sqlOne<SuppressionEntry>(
      executor,
      `INSERT INTO suppressions (email, tenant_id, reason, origin, note) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ${SCOPE_CONFLICT} DO NOTHING RETURNING ${COLUMNS}`,
      [address, tenantId, reason, origin, note ?? null],
    );
    if (inserted) return { created: true, entry: inserted };
    const existing = await sqlOne<SuppressionEntry>(
      executor,
      `SELECT ${COLUMNS} FROM suppressions WHERE email = $1 AND tenant_id IS NOT DISTINCT FROM $2::uuid`,
      [address, tenantId],
    );
    return { created: false, entry: existing! };
  }

  /** Removes the entry of one scope; answers whether there was one. A platform-wide entry needs tenantId null. */
  async remove(email: string, tenantId: string | null, executor: SqlExecutor = this.ds): Promise<boolean> {
    const r = normalizeEmail(email);
    if (!r.ok) return false;
    const rows = await sqlRows(
      executor,
      `DELETE FROM suppressions WHERE email = $1 AND tenant_id IS NOT DISTINCT FROM $2::uuid RETURNING id`,
      [r.value, tenantId],
    );
    return rows.length > 0;
  }

  /** One page of entries in id order, and the id to continue after (null on the last page). */
  async list(
    q: SuppressionQuery,
    executor: SqlExecutor = this.ds,
  ): Promise<{ items: SuppressionEntry[]; nextAfterId: string | null }> {
    const email = q.email === undefined ? null : this.normaliseForLookup(q.email);
    const rows = await sqlRows<SuppressionEntry>(
      executor,
      `SELECT ${COLUMNS} FROM suppressions
       WHERE ($2::boolean OR tenant_id IS NOT DISTINCT FROM $1::uuid)
         AND ($3::text IS NULL OR email = $3)
         AND ($4::bigint IS NULL OR id > $4::bigint)
       ORDER BY suppressions.id LIMIT $5`,
      [q.tenantId, !!q.everyScope, email, q.afterId ?? null, q.limit + 1],
    );
    const more = rows.length > q.limit;
    const items = more ? rows.slice(0, q.limit) : rows;
    return { items, nextAfterId: more ? items[items.length - 1].id : null };
  }

  /** Whether a platform-wide entry covers the address: all a tenant may learn of one. */
  async coversPlatformWide(email: string, executor: SqlExecutor = this.ds): Promise<boolean> {
    const row = await sqlOne(executor, `SELECT 1 FROM suppressions WHERE email = $1 AND tenant_id IS NULL`, [
      this.normaliseForLookup(email),
    ]);
    return !!row;
  }

  private normalise(email: string): string {
    const r = normalizeEmail(email);
    if (!r.ok) throw new InvalidSuppressionAddressError(r.message);
    return r.value;
  }

  // A lookup never fails on a malformed address: it simply matches nothing.
  private normaliseForLookup(email: string): string {
    const r = normalizeEmail(email);
    return r.ok ? r.value : email.trim().toLowerCase();
  }
}
