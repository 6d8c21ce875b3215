import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiError } from '../http/api-error';
import { ApiKeyResolver } from './api-key-resolver';
import { AUTH_KIND, AuthKind } from './auth.decorators';

/**
 * The one guard for every route. A route without an auth decorator is treated as operator-only, so a new
 * endpoint is closed by default. Keys are resolved by `ApiKeyResolver` (cached, and revoked at once everywhere).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyResolver,
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
    const principal = await this.keys.resolve(match[1]);
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
}
