import { Module } from '@nestjs/common';
import type { AppConfig } from '@izinli/config';
import { OutboundAddressPolicy } from '../common/net/outbound-address-policy';
import { OutboundHttpClient } from '../common/net/outbound-http-client';
import { APP_CONFIG } from '../config.token';
import { TenancyModule } from '../tenancy/tenancy.module';
import { BrandSettingsController } from './brand-settings.controller';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookRepository } from './webhook.repository';
import { WebhooksProcessor } from './webhooks.processor';

/** Signed consent-change webhooks (CUSTOMER-mode brands above all) and the brand settings that switch them on. */
@Module({
  imports: [TenancyModule],
  controllers: [BrandSettingsController],
  providers: [
    {
      provide: OutboundAddressPolicy,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new OutboundAddressPolicy(config.webhooks.allowedNetworks),
    },
    {
      provide: OutboundHttpClient,
      inject: [OutboundAddressPolicy],
      useFactory: (policy: OutboundAddressPolicy) => new OutboundHttpClient(policy),
    },
    WebhookRepository,
    WebhookDeliverer,
    WebhooksProcessor,
  ],
})
export class WebhooksModule {}
