import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/auth/auth.decorators';
import { readFormFields, unsubscribeIntent } from './unsubscribe-body';
import {
  renderUnsubscribePage,
  UNSUBSCRIBE_PAGE_HEADERS,
  UNSUBSCRIBE_PRIVATE_HEADERS,
  type UnsubscribePageView,
} from './unsubscribe-page';
import { RequestEvidence, UnsubscribeService } from './unsubscribe.service';

/**
 * The public unsubscribe link (design.md "Unsubscribe (public)"): HTML pages for people, an empty 200 for RFC 8058
 * one-click. No API key; the signed token is the only credential. Described in apps/campaigns/UNSUBSCRIBE.md
 * rather than in the OpenAPI document, which is for API clients.
 */
@ApiExcludeController()
@Public()
@Controller('u')
export class UnsubscribeController {
  constructor(private readonly service: UnsubscribeService) {}

  /** Shows the question (or "already unsubscribed"). Never changes anything: mail scanners follow links. */
  @Get(':token')
  async show(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const result = await this.service.page(token);
    sendPage(res, result.status, result.view);
  }

  /** One-click (`List-Unsubscribe=One-Click`) → empty 200; the page's form → the confirmation page. */
  @Post(':token')
  async unsubscribe(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const fields = readFormFields(req.body, req.headers['content-type']);
    const intent = fields ? unsubscribeIntent(fields) : 'unknown';
    if (intent === 'unknown') {
      // Neither RFC 8058's body nor this page's form: nothing is recorded for a request we cannot read.
      this.service.countInvalid();
      sendPage(res, 400, { kind: 'error', status: 400 });
      return;
    }
    const result = await this.service.unsubscribe(token, evidenceOf(req));
    if (intent === 'one-click' && result.status === 200) {
      res.status(200).set(UNSUBSCRIBE_PRIVATE_HEADERS).end();
      return;
    }
    sendPage(res, result.status, result.view);
  }

  /** The undo of a mistaken click, from the confirmation page's second form. */
  @Post(':token/undo')
  async undo(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const fields = readFormFields(req.body, req.headers['content-type']);
    if (fields?.action !== 'undo') {
      this.service.countInvalid();
      sendPage(res, 400, { kind: 'error', status: 400 });
      return;
    }
    const result = await this.service.undo(token, evidenceOf(req));
    sendPage(res, result.status, result.view);
  }
}

export function sendPage(res: Response, status: number, view: UnsubscribePageView): void {
  res.status(status).set(UNSUBSCRIBE_PAGE_HEADERS).send(renderUnsubscribePage(view));
}

function evidenceOf(req: Request): RequestEvidence {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua : undefined };
}
