import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { clientAddress, rateLimited, RequestRateLimits } from './rate-limits';

const TOKEN = /^\/u\/([^/?#]+)/;

/**
 * Limits the public unsubscribe link (`/u/<token>`, its post and its undo) per client address and per token, before
 * the token is verified or anything is read from the database. A refusal is the link's own error page with 429
 * (the exception filter renders every `/u/…` error as a page).
 */
@Injectable()
export class UnsubscribeRateLimitMiddleware implements NestMiddleware {
  constructor(private readonly limits: RequestRateLimits) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const token = TOKEN.exec(req.originalUrl)?.[1] ?? '';
    this.limits
      .unsubscribeRequest(clientAddress(req), token)
      .then(
        (wait) => next(wait > 0 ? rateLimited(res, wait, 'Too many requests to this unsubscribe link.') : undefined),
        next,
      );
  }
}
