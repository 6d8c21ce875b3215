import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { BrandSettingsController } from './brand-settings.controller';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookRepository } from './webhook.repository';
import { WebhooksProcessor } from './webhooks.processor';

/** Signed consent-change webhooks (CUSTOMER-mode brands above all) and the brand settings that switch them on. */
@Module({
  imports: [TenancyModule],
  controllers: [BrandSettingsController],
  providers: [WebhookRepository, WebhookDeliverer, WebhooksProcessor],
})
export class WebhooksModule {}
