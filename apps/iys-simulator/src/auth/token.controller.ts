import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LimitsService } from '../limits/limits.service';
import { parseTokenRequest } from './token-request-rules';
import { type TokenAnswer, TokenService } from './token.service';

/** A1 `POST /oauth2/token`: password and refresh_token grants, JSON or form-encoded (iys-api.md §3). */
@Controller()
export class TokenController {
  constructor(
    @Inject(TokenService) private readonly tokens: TokenService,
    @Inject(LimitsService) private readonly limits: LimitsService,
  ) {}

  @Post('oauth2/token')
  @HttpCode(200)
  token(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Body() body: unknown): TokenAnswer {
    // The hourly limit counts every attempt, good or bad, before anything else is looked at.
    this.limits.enforce('tokenPerHour', req);
    res.setHeader('cache-control', 'no-store');
    return this.tokens.issue(parseTokenRequest(body));
  }
}
