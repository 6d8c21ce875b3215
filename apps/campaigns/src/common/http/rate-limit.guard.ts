import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AUTH_KIND, AuthKind } from '../auth/auth.decorators';
import { ApiError } from './api-error';
import { clientAddress, rateLimited, RequestRateLimits } from './rate-limits';

/**
 * The app's guard: ApiKeyGuard inside the request limits. An address past its failed-authentication limit is refused
 * before its key is even looked at; a 401 is counted (one store round trip, on the failure path only); a key that
 * passes is counted against its ceiling without waiting on any I/O.
 */
@Injectable()
export class RateLimitedApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyGuard,
    private readonly limits: RequestRateLimits,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.getAllAndOverride<AuthKind | undefined>(AUTH_KIND, [ctx.getHandler(), ctx.getClass()]);
    if (kind === 'public') return true;
    const http = ctx.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (this.limits.anyAddressBlocked()) {
      const wait = this.limits.authBlockedFor(clientAddress(req));
      if (wait > 0) throw rateLimited(res, wait, 'Too many failed authentications from this address.');
    }
    try {
      await this.apiKeys.canActivate(ctx);
    } catch (err) {
      if (err instanceof ApiError && err.getStatus() === 401) {
        const wait = await this.limits.failedAuth(clientAddress(req));
        if (wait > 0) throw rateLimited(res, wait, 'Too many failed authentications from this address.');
      }
      throw err;
    }
    const p = req.principal!;
    const wait = this.limits.apiKeyRequest(p.kind === 'operator' ? 'operator' : `sp:${p.serviceProviderId}`);
    if (wait > 0) throw rateLimited(res, wait, 'This API key is over its request ceiling.');
    return true;
  }
}
