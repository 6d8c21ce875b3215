import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsObject, IsOptional, Matches } from 'class-validator';
import { IYS_SYNC_STATES, IysSyncState } from '@izinli/consent';
import { PageQueryDto } from '../common/http/paging';

export class OutboxQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: IYS_SYNC_STATES, description: 'Only rows in this state.' })
  @IsOptional()
  @IsIn(IYS_SYNC_STATES as unknown as string[])
  state?: IysSyncState;

  @ApiPropertyOptional({ description: "Only this brand (one of the caller's).", example: '100001' })
  @IsOptional()
  @Matches(/^\d{1,12}$/, { message: 'brandCode must be 1 to 12 digits' })
  brandCode?: string;

  @ApiPropertyOptional({
    description: 'Only PENDING rows within one business day of their deadline (or past it).',
    type: Boolean,
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'atRisk must be true or false' })
  atRisk?: boolean;
}

export class OutboxItemDto {
  @ApiProperty() id: string;
  @ApiProperty() brandCode: string;
  @ApiProperty() recipient: string;
  @ApiProperty({ enum: ['EPOSTA', 'MESAJ', 'ARAMA'] }) type: string;
  @ApiProperty({ enum: ['BIREYSEL', 'TACIR'] }) recipientType: string;
  @ApiProperty({ enum: ['ONAY', 'RET'] }) status: string;
  @ApiProperty({ nullable: true, type: String, description: "Null only on a merchant's (TACIR) undated first record." })
  source: string | null;
  @ApiProperty({ nullable: true, type: String, description: "Null only on a merchant's (TACIR) undated first record." })
  consentDate: string | null;
  @ApiProperty({ enum: IYS_SYNC_STATES }) state: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Why it ended as it did (FIRST_RET, STALE_AT_IYS, DEADLINE_MISSED, REFUSED_BY_IYS …).',
  })
  reason: string | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: "İYS's code (H467 …), or the last failure while PENDING (NETWORK, H101 …).",
  })
  errorCode: string | null;
  @ApiProperty({ enum: ['SINGLE', 'BATCH'] }) mode: string;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional({ nullable: true, type: String }) transactionId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) creationDate: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'End of the 3-business-day registration window.' })
  deadline: string | null;
  @ApiProperty({ description: 'PENDING and within one business day of its deadline.' }) atRisk: boolean;
  @ApiProperty({ description: 'PENDING past its deadline: İYS will refuse it.' }) overdue: boolean;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true, type: String }) firstSentAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) finishedAt: string | null;
}

export class OutboxPageDto {
  @ApiProperty({ type: [OutboxItemDto] }) items: OutboxItemDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) next: string | null;
}

/** One movement as İYS pushes it (iys-api.md §5.8). Documented here; each is read by the sync engine's own reader. */
export class IysPushMovementDto {
  @ApiProperty({ example: 100001 }) iysCode: number;
  @ApiProperty({ example: 100001 }) brandCode: number;
  @ApiProperty({ example: '2026-11-28 15:00:00' }) consentDate: string;
  @ApiProperty({ example: '2026-11-28 15:00:02' }) creationDate: string;
  @ApiProperty({ example: 'IYS_MOBIL' }) source: string;
  @ApiProperty({ example: 'ayse@example.com' }) recipient: string;
  @ApiProperty({ enum: ['BIREYSEL', 'TACIR'] }) recipientType: string;
  @ApiProperty({ enum: ['ONAY', 'RET'] }) status: string;
  @ApiProperty({ enum: ['EPOSTA', 'MESAJ', 'ARAMA'] }) type: string;
  @ApiProperty({ example: 'e52ee3051d3a2a0e6a33e1e5a0c1d1c8d2b8b9d2ffb6ac4d7a1d3e6f0c2b429d' }) transactionId: string;
}

/**
 * The push envelope. Only its shape is enforced here: each movement is read on its own and one that cannot be
 * read is skipped and logged, because refusing the whole delivery would make İYS send it again forever, and
 * İYS may add fields (iys-api.md §9.1: tolerate extra fields).
 */
export class IysPushPayloadDto {
  @ApiProperty({ type: [IysPushMovementDto] })
  @IsArray({ message: 'list must be an array' })
  @ArrayMaxSize(10_000)
  @IsObject({ each: true, message: 'each item of list must be an object' })
  list: Record<string, unknown>[];
}

export class IysPushAnswerDto {
  @ApiProperty() received: number;
  @ApiProperty() applied: number;
  @ApiProperty() duplicates: number;
  @ApiProperty({ description: 'For a brand Izinli does not sync with İYS.' }) ignored: number;
  @ApiProperty() unreadable: number;
}
