import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { catchError, from, Observable } from 'rxjs';
import { ApiError } from './api-error';
import { clientAddress, rateLimited, RequestRateLimits } from './rate-limits';

const DETAIL = 'Too many failed authentications from this address.';

/**
 * For a route that checks its own credentials (İYS push's Basic auth): the handler's 401s count as failed
 * authentications of the client's address, in the same counter as the API keys', and an address past the limit is
 * refused before the handler runs.
 */
@Injectable()
export class AuthFailureLimitInterceptor implements NestInterceptor {
  constructor(private readonly limits: RequestRateLimits) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const address = clientAddress(req);
    const blocked = this.limits.authBlockedFor(address);
    if (blocked > 0) throw rateLimited(res, blocked, DETAIL);
    return next.handle().pipe(catchError((err: unknown) => from(this.refuse(err, address, res))));
  }

  private async refuse(err: unknown, address: string, res: Response): Promise<never> {
    if (err instanceof ApiError && err.getStatus() === 401) {
      const wait = await this.limits.failedAuth(address);
      if (wait > 0) {
        // The handler asked for Basic credentials; a client told to wait is not asked again.
        res.removeHeader('WWW-Authenticate');
        throw rateLimited(res, wait, DETAIL);
      }
    }
    throw err;
  }
}
