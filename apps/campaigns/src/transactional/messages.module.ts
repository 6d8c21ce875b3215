import { Module } from '@nestjs/common';
import type { AppConfig } from '@izinli/config';
import { APP_CONFIG } from '../config.token';
import { ClassificationThreadsModule } from '../consents/classification-threads';
import { TemplatesModule } from '../templates/templates.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { UnsubscribeTokensModule } from '../unsubscribe/unsubscribe-secret.provider';
import { MessageContent } from './message-content';
import { MessageDispatcher } from './message-dispatcher';
import { MessageMetrics } from './message-metrics';
import { MessageSender } from './message-sender';
import { MessageSettings } from './message-settings';
import { MessagesController } from './messages.controller';
import { MessagesProcessor } from './messages.processor';
import { MessagesRepository } from './messages.repository';
import { MessagesService } from './messages.service';

/** The transactional mail API (design.md "Transactional mail"): accept, gate, record, queue, send. */
@Module({
  imports: [TenancyModule, TemplatesModule, UnsubscribeTokensModule, ClassificationThreadsModule],
  controllers: [MessagesController],
  providers: [
    {
      provide: MessageSettings,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new MessageSettings({ publicUrl: config.publicUrl, sendConcurrency: 2 * config.smtp.poolSize }),
    },
    MessageContent,
    MessageDispatcher,
    MessageMetrics,
    MessagesRepository,
    MessagesService,
    MessageSender,
    MessagesProcessor,
  ],
  exports: [MessageSettings],
})
export class MessagesModule {}
