import { Body, Controller, Get, HttpCode, Inject, Param, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccessService } from '../auth/access.service';
import { ReconciliationService } from './reconciliation.service';

const BRAND = 'sps/:iysCode/brands/:brandCode';

/** Reconciliation: daily counts (M1), hash and agreement (M2, M3), the daily file (M4). */
@Controller()
export class ReconciliationController {
  constructor(
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ReconciliationService) private readonly reconciliation: ReconciliationService,
  ) {}

  @Get(`${BRAND}/changes/:reportDate/recipients/:recipientType`)
  summary(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Param() p: Record<string, string>): unknown {
    const scope = this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode, {
      reconciliation: true,
    });
    return this.reconciliation.summary(scope, p.reportDate, p.recipientType);
  }

  @Get(`${BRAND}/agreements/:reportDate`)
  agreement(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
  ): unknown {
    const scope = this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode, {
      reconciliation: true,
    });
    const answer = this.reconciliation.agreement(scope, p.reportDate);
    if (answer === null) res.status(204);
    return answer ?? undefined;
  }

  @Put(`${BRAND}/agreements/:reportDate`)
  @HttpCode(200)
  confirm(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): unknown {
    const scope = this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode, {
      reconciliation: true,
    });
    const answer = this.reconciliation.confirm(scope, p.reportDate, body);
    if (answer === null) res.status(204);
    return answer ?? undefined;
  }

  @Get(`${BRAND}/changes/:reportDate/file`)
  file(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
  ): string | undefined {
    const scope = this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode, {
      reconciliation: true,
    });
    const csv = this.reconciliation.fileOf(scope, p.reportDate);
    if (csv === null) {
      res.status(204);
      return undefined;
    }
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${p.brandCode}-${p.reportDate}.csv"`);
    return csv;
  }
}
