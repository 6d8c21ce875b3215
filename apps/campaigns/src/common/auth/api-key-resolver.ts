import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlOne } from '@izinli/database';
import { hashApiKey } from './api-key-hasher';
import { ApiKeyUsage } from './api-key-usage';
import type { Principal } from './principal';

/**
 * How long a cached answer may live even while revocations are heard. Not what makes revocation immediate (the
 * notification channel does): a bound on the damage should a notification ever be lost with the channel up.
 */
const SAFETY_TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Turns a bearer key into the principal it stands for. The POST /v1/messages hot path must not pay a query per
 * request, so answers are cached, but only while `ApiKeyRevocations` says every revocation reaches this process
 * at once (its notification channel is up, or the database is embedded and this is the only process). While it
 * is not, every request looks its key up. An answer read before an invalidation is never stored after it.
 */
@Injectable()
export class ApiKeyResolver {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private caching = false;
  /** Bumped on every invalidation: a lookup that began under an older generation does not fill the cache. */
  private generation = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly usage: ApiKeyUsage,
  ) {}

  async resolve(key: string): Promise<Principal | null> {
    if (key.length > 200) return null;
    const hash = hashApiKey(key);
    const now = Date.now();
    const hit = this.caching ? this.cache.get(hash) : undefined;
    if (hit && hit.until > now) {
      if (hit.principal) this.usage.touch(hit.principal.keyId);
      return hit.principal;
    }
    const generation = this.generation;
    const row = await sqlOne<{ id: string; service_provider_id: string | null; is_operator: boolean }>(
      this.ds,
      'SELECT id::text AS id, service_provider_id, is_operator FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const principal: Principal | null = !row
      ? null
      : row.is_operator
        ? { kind: 'operator', keyId: row.id }
        : { kind: 'service-provider', serviceProviderId: row.service_provider_id!, keyId: row.id };
    if (principal) this.usage.touch(principal.keyId);
    if (this.caching && generation === this.generation) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(hash, { principal, until: now + SAFETY_TTL_MS });
    }
    return principal;
  }

  /** Drops every cached answer (a key changed somewhere). */
  invalidate(): void {
    this.generation++;
    this.cache.clear();
  }

  /** Caching on only while revocations are known to reach this process at once; off clears it. */
  setCaching(on: boolean): void {
    this.invalidate();
    this.caching = on;
  }

  get isCaching(): boolean {
    return this.caching;
  }
}
