import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentServiceProviderId, ServiceProviderOnly } from '../common/auth/auth.decorators';
import { ApiError } from '../common/http/api-error';
import { CampaignDto, CampaignRecipientPageDto, CreateCampaignDto, RecipientsQueryDto } from './campaigns.dto';
import { CampaignsService } from './campaigns.service';

const campaignId = new ParseUUIDPipe({ exceptionFactory: () => ApiError.notFound('Campaign') });

@ApiTags('campaigns')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller('v1')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post('brands/:brandCode/campaigns')
  @ApiCreatedResponse({ type: CampaignDto, description: 'A DRAFT campaign, with the classification of its template.' })
  create(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Body() dto: CreateCampaignDto,
  ): Promise<CampaignDto> {
    return this.campaigns.create(spId, brandCode, dto);
  }

  @Get('campaigns/:id')
  @ApiOkResponse({ type: CampaignDto })
  get(@CurrentServiceProviderId() spId: string, @Param('id', campaignId) id: string): Promise<CampaignDto> {
    return this.campaigns.get(spId, id);
  }

  @Get('campaigns/:id/recipients')
  @ApiOkResponse({ type: CampaignRecipientPageDto })
  recipients(
    @CurrentServiceProviderId() spId: string,
    @Param('id', campaignId) id: string,
    @Query() q: RecipientsQueryDto,
  ): Promise<CampaignRecipientPageDto> {
    return this.campaigns.recipients(spId, id, q);
  }

  /** Gates the whole audience and writes the per-recipient ledger; the answer carries the counts by reason. */
  @Post('campaigns/:id/launch')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignDto })
  @ApiConflictResponse({ description: 'INVALID_CAMPAIGN_STATE' })
  launch(@CurrentServiceProviderId() spId: string, @Param('id', campaignId) id: string): Promise<CampaignDto> {
    return this.campaigns.launch(spId, id);
  }

  @Post('campaigns/:id/pause')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignDto })
  @ApiConflictResponse({ description: 'INVALID_CAMPAIGN_STATE' })
  pause(@CurrentServiceProviderId() spId: string, @Param('id', campaignId) id: string): Promise<CampaignDto> {
    return this.campaigns.pause(spId, id);
  }

  @Post('campaigns/:id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignDto })
  @ApiConflictResponse({ description: 'INVALID_CAMPAIGN_STATE' })
  resume(@CurrentServiceProviderId() spId: string, @Param('id', campaignId) id: string): Promise<CampaignDto> {
    return this.campaigns.resume(spId, id);
  }

  @Post('campaigns/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: CampaignDto })
  @ApiConflictResponse({ description: 'INVALID_CAMPAIGN_STATE' })
  cancel(@CurrentServiceProviderId() spId: string, @Param('id', campaignId) id: string): Promise<CampaignDto> {
    return this.campaigns.cancel(spId, id);
  }
}
