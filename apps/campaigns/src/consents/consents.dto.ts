import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  CONSENT_STATUSES,
  IYS_TYPES,
  MESSAGE_KINDS,
  RECIPIENT_TYPES,
  type ConsentStatus,
  type IysType,
  type MessageKind,
  type RecipientType,
} from '@izinli/consent';

export class EvidenceDto {
  @ApiPropertyOptional({ description: 'When the consent was captured (ISO 8601).' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  capturedAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) ip?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) userAgent?: string;
  @ApiPropertyOptional({ description: 'Page URL, form id, shop address or call id.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  location?: string;
  @ApiPropertyOptional({ description: 'The consent text shown to the recipient.' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  consentText?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) consentTextVersion?: string;
  @ApiPropertyOptional({ description: 'Your own reference (CRM id, ticket, call recording).' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reference?: string;
}

export class RecordConsentDto {
  @ApiProperty({ example: 'ayse@example.com' }) @IsString() @Length(1, 320) recipient: string;
  @ApiProperty({ enum: IYS_TYPES }) @IsIn(IYS_TYPES as unknown as string[]) type: IysType;
  @ApiProperty({ enum: CONSENT_STATUSES }) @IsIn(CONSENT_STATUSES as unknown as string[]) status: ConsentStatus;
  @ApiPropertyOptional({
    example: 'HS_WEB',
    description:
      "An HS_* source (iys-api §6.2). Required, except on a merchant's (TACIR) first record, which İYS accepts without " +
      'source and consentDate; every later TACIR movement needs both (422 TACIR_SOURCE_REQUIRED, İYS H463).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  source?: string;
  @ApiPropertyOptional({
    example: '2026-11-28T14:05:00+03:00',
    description:
      'ISO 8601 with offset, or "YYYY-MM-DD HH:mm:ss" Turkey time. Default: now; a TACIR movement without a source ' +
      "stays undated instead (a merchant's first record only; later: 422 TACIR_CONSENT_DATE_REQUIRED, İYS H462).",
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  consentDate?: string;
  @ApiPropertyOptional({ enum: RECIPIENT_TYPES, default: 'BIREYSEL' })
  @IsOptional()
  @IsIn(RECIPIENT_TYPES as unknown as string[])
  recipientType?: RecipientType;
  @ApiPropertyOptional({ type: EvidenceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => EvidenceDto)
  evidence?: EvidenceDto;
}

export class ConsentKeyQueryDto {
  @ApiPropertyOptional({ enum: RECIPIENT_TYPES, default: 'BIREYSEL' })
  @IsOptional()
  @IsIn(RECIPIENT_TYPES as unknown as string[])
  recipientType?: RecipientType;
}

export const MAX_CHECK_RECIPIENTS = 10_000;

export class CheckConsentsDto {
  @ApiProperty({ enum: IYS_TYPES }) @IsIn(IYS_TYPES as unknown as string[]) type: IysType;
  @ApiProperty({ type: [String], maxItems: MAX_CHECK_RECIPIENTS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHECK_RECIPIENTS)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  recipients: string[];
  @ApiPropertyOptional({ enum: RECIPIENT_TYPES, default: 'BIREYSEL' })
  @IsOptional()
  @IsIn(RECIPIENT_TYPES as unknown as string[])
  recipientType?: RecipientType;
  @ApiPropertyOptional({ enum: MESSAGE_KINDS, default: 'COMMERCIAL' })
  @IsOptional()
  @IsIn(MESSAGE_KINDS as unknown as string[])
  kind?: MessageKind;
}
