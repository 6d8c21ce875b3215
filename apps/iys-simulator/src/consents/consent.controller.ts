import { Body, Controller, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccessService } from '../auth/access.service';
import { LimitsService } from '../limits/limits.service';
import { type AddAnswer, ConsentService } from './consent.service';

const BRAND = 'sps/:iysCode/brands/:brandCode';

/** Single add (C1, C1v2), single status (C4), multi status (C5) and history (C6). */
@Controller()
export class ConsentController {
  constructor(
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ConsentService) private readonly consents: ConsentService,
    @Inject(LimitsService) private readonly limits: LimitsService,
  ) {}

  @Post(`${BRAND}/consents`)
  @HttpCode(200)
  add(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): AddAnswer {
    const scope = this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode);
    return this.consents.addSingle(scope, body, 1);
  }

  @Post(`v2/${BRAND}/consents`)
  @HttpCode(200)
  addV2(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): AddAnswer {
    const scope = this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode);
    return this.consents.addSingle(scope, body, 2);
  }

  @Post(`${BRAND}/consents/status`)
  @HttpCode(200)
  status(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): unknown {
    const principal = this.access.authenticate(req, res);
    this.limits.enforce('statusPerHour', req);
    const answer = this.consents.status(this.access.brand(principal, p.iysCode, p.brandCode), body);
    if (answer === null) res.status(204);
    return answer ?? undefined;
  }

  @Post(`${BRAND}/consents/history`)
  @HttpCode(200)
  history(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Query() q: Record<string, unknown>,
    @Body() body: unknown,
  ): unknown {
    const principal = this.access.authenticate(req, res);
    this.limits.enforce('historyPerHour', req);
    return this.consents.history(this.access.brand(principal, p.iysCode, p.brandCode), body, q.offset, q.limit);
  }

  @Post(`${BRAND}/consents/:recipientType/status/:type`)
  @HttpCode(200)
  multiStatus(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): unknown {
    const scope = this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode);
    return this.consents.multiStatus(scope, p.recipientType, p.type, body);
  }
}
