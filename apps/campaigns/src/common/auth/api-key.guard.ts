import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { sqlOne } from '@izinli/database';
import { ApiError } from '../http/api-error';
import { hashApiKey } from './api-key-hasher';
import { AUTH_KIND, AuthKind } from './auth.decorators';
import type { Principal } from './principal';

const CACHE_MS = 10_000;

/**
 * The one guard for every route. A route without an auth decorator is treated as operator-only, so a new
 * endpoint is closed by default. Key lookups are cached briefly: a hot API must not pay a query per request.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly ds: DataSource,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const kind =
      this.reflector.getAllAndOverride<AuthKind | undefined>(AUTH_KIND, [ctx.getHandler(), ctx.getClass()]) ??
      'operator';
    if (kind === 'public') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new ApiError(401, 'UNAUTHORIZED', 'Send an API key as "Authorization: Bearer <key>".');
    const principal = await this.resolve(match[1]);
    if (!principal) throw new ApiError(401, 'UNAUTHORIZED', 'The API key is not valid.');
    const allowed =
      kind === 'any' ||
      (kind === 'operator' && principal.kind === 'operator') ||
      (kind === 'service-provider' && principal.kind === 'service-provider');
    if (!allowed) {
      throw new ApiError(
        403,
        'FORBIDDEN',
        kind === 'operator' ? 'This endpoint needs the operator key.' : 'This endpoint needs a service provider key.',
      );
    }
    req.principal = principal;
    return true;
  }

  private async resolve(key: string): Promise<Principal | null> {
    if (key.length > 200) return null;
    const hash = hashApiKey(key);
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const row = await sqlOne<{ service_provider_id: string | null; is_operator: boolean }>(
      this.ds,
      'SELECT service_provider_id, is_operator FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hash],
    );
    const principal: Principal | null = !row
      ? null
      : row.is_operator
        ? { kind: 'operator' }
        : { kind: 'service-provider', serviceProviderId: row.service_provider_id! };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: now + CACHE_MS });
    return principal;
  }
}
