import { Body, Controller, Get, Logger, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CurrentServiceProviderId, ServiceProviderOnly } from '../common/auth/auth.decorators';
import { ApiError } from '../common/http/api-error';
import { decodeCursor, toPage } from '../common/http/paging';
import { OutboundAddressPolicy } from '../common/net/outbound-address-policy';
import { TenancyService, toBrandDto } from '../tenancy/tenancy.service';
import { TenancyRepository } from '../tenancy/tenancy.repository';
import {
  BrandSettingsDto,
  DeliveriesQueryDto,
  UpdateBrandDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
} from './webhooks.dto';
import { tenantVisibleDeliveryError } from './webhook-deliverer';
import { DeliveryRow, WebhookRepository } from './webhook.repository';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toDeliveryDto(r: DeliveryRow): WebhookDeliveryDto {
  return {
    id: r.id,
    movementId: r.movement_id,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: tenantVisibleDeliveryError(r.last_error),
    createdAt: new Date(r.created_at).toISOString(),
    lastAttemptAt: iso(r.last_attempt_at),
    nextAttemptAt: r.status === 'PENDING' ? iso(r.next_attempt_at) : null,
    deliveredAt: iso(r.delivered_at),
  };
}

/** A brand's own settings (webhook, İYS sync mode) and its webhook delivery log; a service provider's own brands only. */
@ApiTags('brands')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller('v1/brands/:brandCode')
export class BrandSettingsController {
  private readonly log = new Logger('BrandSettings');

  constructor(
    private readonly tenancy: TenancyService,
    private readonly tenancyRepo: TenancyRepository,
    private readonly webhooks: WebhookRepository,
    private readonly ds: DataSource,
    private readonly destinations: OutboundAddressPolicy,
  ) {}

  @Patch()
  @ApiOkResponse({ type: BrandSettingsDto })
  async update(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Body() dto: UpdateBrandDto,
  ): Promise<BrandSettingsDto> {
    const brand = await this.tenancy.requireOwnedBrand(spId, brandCode);
    if (dto.webhookUrl === undefined && dto.iysSync === undefined) {
      throw ApiError.validation(
        [{ field: 'webhookUrl', message: 'send webhookUrl, iysSync or both' }],
        'Nothing to change.',
      );
    }
    // Refused here for a clear answer; every delivery checks again, against what the name then resolves to.
    const refused = dto.webhookUrl ? this.destinations.refuseUrl(new URL(dto.webhookUrl)) : null;
    if (refused) {
      throw ApiError.validation(
        [
          {
            field: 'webhookUrl',
            message: `webhookUrl is not allowed: ${refused}`,
            code: 'WEBHOOK_DESTINATION_NOT_ALLOWED',
          },
        ],
        'Webhooks may go only to public internet addresses.',
      );
    }
    const { webhookSecret } = await this.webhooks.updateBrand(brand.id, {
      webhookUrl: dto.webhookUrl,
      iysSync: dto.iysSync,
    });
    const updated = await this.tenancyRepo.findBrandById(this.ds, brand.id);
    this.log.log(
      {
        brandId: brand.id,
        webhook: dto.webhookUrl === undefined ? 'unchanged' : dto.webhookUrl === null ? 'removed' : 'set',
        iysSync: updated!.iysSync,
      },
      'brand settings changed',
    );
    return { ...toBrandDto(updated!), ...(webhookSecret ? { webhookSecret } : {}) };
  }

  @Get('webhook-deliveries')
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  async deliveries(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Query() q: DeliveriesQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    const brand = await this.tenancy.requireOwnedBrand(spId, brandCode);
    const after = decodeCursor(q.after, (v): v is string => typeof v === 'string' && /^\d{1,18}$/.test(v));
    const limit = q.limit ?? 100;
    const rows = await this.webhooks.listDeliveries(brand.id, q.status, after, limit + 1);
    return toPage(rows, limit, toDeliveryDto, (r) => r.seq);
  }
}
