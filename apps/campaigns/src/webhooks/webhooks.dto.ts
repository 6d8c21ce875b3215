import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, ValidateIf } from 'class-validator';
import { PageQueryDto } from '../common/http/paging';
import { BrandDto, IYS_SYNC_MODES, IysSyncMode } from '../tenancy/tenancy.dto';
import { IsWebhookUrl } from './webhook-url';

export class UpdateBrandDto {
  @ApiPropertyOptional({
    nullable: true,
    description:
      'Where consent changes are POSTed, signed. https:// to a public internet address (no loopback, private, link-local or metadata addresses; http:// only to networks the operator allows). null removes the webhook and its secret.',
    example: 'https://crm.ornek.com.tr/hooks/izinli',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsWebhookUrl()
  webhookUrl?: string | null;

  @ApiPropertyOptional({
    enum: IYS_SYNC_MODES,
    description:
      "PLATFORM: Izinli syncs İYS. CUSTOMER: the service provider does, and gets Izinli's changes by webhook.",
  })
  @IsOptional()
  @IsIn(IYS_SYNC_MODES as unknown as string[])
  iysSync?: IysSyncMode;
}

export class BrandSettingsDto extends BrandDto {
  @ApiPropertyOptional({
    description:
      'The signing secret, shown only in the answer that set a first webhook URL. Keep it: it is never shown again.',
  })
  webhookSecret?: string;
}

export const DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;

export class DeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES as unknown as string[])
  status?: (typeof DELIVERY_STATUSES)[number];
}

export class WebhookDeliveryDto {
  @ApiProperty({ description: 'The event id, also the `id` of the body and the Izinli-Delivery header.' }) id: string;
  @ApiProperty() movementId: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) lastStatusCode: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true, type: String }) lastAttemptAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'When the next try is due (PENDING only).' })
  nextAttemptAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) deliveredAt: string | null;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto] }) items: WebhookDeliveryDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) next: string | null;
}
