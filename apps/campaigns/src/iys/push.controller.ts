import { Body, Controller, HttpCode, Inject, Logger, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { createHash, timingSafeEqual } from 'crypto';
import type { Request, Response } from 'express';
import type { AppConfig } from '@izinli/config';
import { IysPushReceiver } from '@izinli/consent';
import { Public } from '../common/auth/auth.decorators';
import { ApiError } from '../common/http/api-error';
import { AuthFailureLimitInterceptor } from '../common/http/auth-failure-limit.interceptor';
import { APP_CONFIG } from '../config.token';
import { IysSyncTelemetry } from './iys-telemetry';
import { IysPushAnswerDto, IysPushPayloadDto } from './iys.dto';

/** Compares in constant time, whatever the lengths: both sides are hashed first. */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

/**
 * İYS's push receiver (design.md, "İYS push receiver"): İYS POSTs `{ list: [...] }` with HTTP Basic auth, using the
 * credentials registered with it (IYS_PUSH_USERNAME / IYS_PUSH_PASSWORD). With those unset, push is switched off and
 * the route answers 404 IYS_PUSH_DISABLED, so a misconfigured İYS registration shows up as an error on İYS's side
 * (H530 at registration) instead of silently accepted pushes.
 */
@ApiTags('iys')
@Public()
@UseInterceptors(AuthFailureLimitInterceptor)
@Controller('iys')
export class IysPushController {
  private readonly log = new Logger('IysPush');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly receiver: IysPushReceiver,
    private readonly telemetry: IysSyncTelemetry,
  ) {}

  @Post('push')
  @HttpCode(200)
  @ApiBody({ type: IysPushPayloadDto })
  @ApiOkResponse({ type: IysPushAnswerDto })
  async push(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Body() body: unknown,
  ): Promise<IysPushAnswerDto> {
    const { pushUsername, pushPassword } = this.config.iys;
    if (!pushUsername || !pushPassword) {
      throw new ApiError(
        404,
        'IYS_PUSH_DISABLED',
        'İYS push is not enabled here: set IYS_PUSH_USERNAME and IYS_PUSH_PASSWORD.',
      );
    }
    if (!this.authorised(req.headers.authorization, pushUsername, pushPassword)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Izinli IYS push", charset="UTF-8"');
      throw new ApiError(401, 'UNAUTHORIZED', 'İYS push needs HTTP Basic auth with the registered credentials.');
    }
    // Validated here rather than by the global pipe, which refuses unknown fields: İYS may add some (see the DTO).
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw ApiError.validation([{ field: 'list', message: 'the body must be { "list": [ ... ] }' }]);
    }
    const payload = plainToInstance(IysPushPayloadDto, body);
    const errors = await validate(payload, { whitelist: false, forbidUnknownValues: false });
    if (errors.length) {
      throw ApiError.validation(
        errors.flatMap((e) => Object.values(e.constraints ?? {}).map((message) => ({ field: e.property, message }))),
      );
    }
    const report = await this.receiver.receive(payload.list);
    this.telemetry.observePush(report);
    this.log.log(
      { received: report.received, applied: report.applied, duplicates: report.duplicates, ignored: report.ignored },
      'İYS push received',
    );
    return report;
  }

  private authorised(header: string | undefined, username: string, password: string): boolean {
    const m = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
    if (!m) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both checks always run, so timing says nothing about which one failed.
    const userOk = sameSecret(decoded.slice(0, colon), username);
    const passOk = sameSecret(decoded.slice(colon + 1), password);
    return userOk && passOk;
  }
}
