import { Module } from '@nestjs/common';
import type { AppConfig } from '@izinli/config';
import { SMTP_TIME_LIMITS } from '@izinli/mailer';
import { APP_CONFIG } from '../config.token';
import { TemplatesModule } from '../templates/templates.module';
import { UnsubscribeTokensModule } from '../unsubscribe/unsubscribe-secret.provider';
import { CampaignDispatcher } from './campaign-dispatcher';
import { CampaignRateLimiter } from './campaign-rate-limiter';
import { ChunkSender } from './chunk-sender';
import { DeliveryLeases } from './delivery-leases';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliverySettings } from './delivery-settings';
import { DeliveryProcessor } from './delivery.processor';
import { DeliveryRepository } from './delivery.repository';

@Module({
  imports: [TemplatesModule, UnsubscribeTokensModule],
  providers: [
    {
      provide: DeliverySettings,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new DeliverySettings({
          publicUrl: config.publicUrl,
          sendConcurrency: 2 * config.smtp.poolSize,
          // A live execution's sends settle within one SMTP deadline; see DeliverySettings.stallAfterMs.
          stallAfterMs: 3 * (config.smtp.sendTimeoutMs ?? SMTP_TIME_LIMITS.sendMs),
        }),
    },
    DeliveryMetrics,
    DeliveryRepository,
    DeliveryLeases,
    CampaignRateLimiter,
    CampaignDispatcher,
    ChunkSender,
    DeliveryProcessor,
  ],
  exports: [DeliverySettings, CampaignDispatcher, DeliveryRepository],
})
export class DeliveryModule {}
