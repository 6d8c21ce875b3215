import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccessService } from '../auth/access.service';
import { BatchService } from './batch.service';

const BRAND = 'sps/:iysCode/brands/:brandCode';

/** Async batch add (C2, C2v2: 202) and its results (C3, C3v2). */
@Controller()
export class BatchController {
  constructor(
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(BatchService) private readonly batches: BatchService,
  ) {}

  @Post(`${BRAND}/consents/request`)
  @HttpCode(202)
  add(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): unknown {
    return this.batches.accept(this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode), body, 1);
  }

  @Post(`v2/${BRAND}/consents/request`)
  @HttpCode(202)
  addV2(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
    @Body() body: unknown,
  ): unknown {
    return this.batches.accept(this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode), body, 2);
  }

  @Get(`${BRAND}/consents/request/:requestId`)
  results(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Param() p: Record<string, string>): unknown {
    return this.batches.results(
      this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode),
      p.requestId,
      1,
    );
  }

  @Get(`v2/${BRAND}/consents/request/:requestId`)
  resultsV2(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param() p: Record<string, string>,
  ): unknown {
    return this.batches.results(
      this.access.brand(this.access.authenticate(req, res), p.iysCode, p.brandCode),
      p.requestId,
      2,
    );
  }
}
