import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { raw } from 'express';
import { TenancyModule } from '../tenancy/tenancy.module';
import { UnsubscribeTokensModule } from './unsubscribe-secret.provider';
import { UnsubscribeController } from './unsubscribe.controller';
import { UnsubscribeRepository } from './unsubscribe.repository';
import { UnsubscribeService } from './unsubscribe.service';

/** Bytes a one-click or form post may carry; real ones are a few dozen. */
export const UNSUBSCRIBE_BODY_LIMIT = '16kb';

/** The public unsubscribe link: pages, RFC 8058 one-click and the undo (apps/campaigns/UNSUBSCRIBE.md). */
@Module({
  imports: [TenancyModule, UnsubscribeTokensModule],
  controllers: [UnsubscribeController],
  providers: [UnsubscribeService, UnsubscribeRepository],
})
export class UnsubscribeModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // RFC 8058 lets a mail client post multipart/form-data; the app-wide parsers read JSON and urlencoded only.
    // The raw bytes are read here, bounded, and parsed by readMultipart.
    consumer
      .apply(raw({ type: 'multipart/form-data', limit: UNSUBSCRIBE_BODY_LIMIT }))
      .forRoutes({ path: 'u/*path', method: RequestMethod.POST });
  }
}
