import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences/audiences.module';
import { ClassificationThreadsModule } from '../consents/classification-threads';
import { DeliveryModule } from '../delivery/delivery.module';
import { TemplatesModule } from '../templates/templates.module';
import { TenancyModule } from '../tenancy/tenancy.module';
import { CampaignLauncher } from './campaign-launcher';
import { CampaignScheduler } from './campaign-scheduler';
import { CampaignsController } from './campaigns.controller';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';

@Module({
  imports: [TenancyModule, AudiencesModule, TemplatesModule, DeliveryModule, ClassificationThreadsModule],
  controllers: [CampaignsController],
  providers: [CampaignsRepository, CampaignLauncher, CampaignsService, CampaignScheduler],
})
export class CampaignsModule {}
