import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccessService } from '../auth/access.service';
import { ChangesService } from './changes.service';

/** C7 `GET …/consents/changes?source=&after=&limit=`: 200 with a page, 204 when there is nothing. */
@Controller()
export class ChangesController {
  constructor(
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ChangesService) private readonly changes: ChangesService,
  ) {}

  @Get('sps/:iysCode/brands/:brandCode/consents/changes')
  pull(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Query() q: Record<string, unknown>,
  ): unknown {
    const page = this.changes.pull(this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode), q);
    if (page === null) res.status(204);
    return page ?? undefined;
  }
}
