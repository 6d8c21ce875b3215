import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccessService } from '../auth/access.service';
import { PushService } from './push.service';

const BRAND = 'sps/:iysCode/brands/:brandCode';

/** Push registration (P1), listing (P2) and removal (P3). */
@Controller()
export class PushController {
  constructor(
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(PushService) private readonly push: PushService,
  ) {}

  @Post(`${BRAND}/push/registration`)
  @HttpCode(200)
  register(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): Promise<unknown> {
    return this.push.register(this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode), body);
  }

  @Get(`${BRAND}/push/registration`)
  list(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Param() p: Record<string, string>): unknown {
    return this.push.list(this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode));
  }

  @Post(`${BRAND}/push/unregistration`)
  @HttpCode(200)
  unregister(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): unknown {
    return this.push.unregister(this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode), body);
  }
}
