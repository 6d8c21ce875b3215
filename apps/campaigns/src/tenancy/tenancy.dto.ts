import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

// eslint-disable-next-line no-control-regex -- NUL is exactly what must be refused in a header value
const NO_LINE_BREAKS = /^[^\r\n\u2028\u2029\u0000]*$/;

export class CreateServiceProviderDto {
  @ApiProperty({ example: 'Örnek Mağazacılık A.Ş.' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_LINE_BREAKS, { message: 'name must be a single line' })
  name: string;

  @ApiProperty({ description: "The service provider's İYS code (digits).", example: '100001' })
  @IsString()
  @Matches(/^\d{1,12}$/, { message: 'iysCode must be 1 to 12 digits' })
  iysCode: string;
}

export const IYS_SYNC_MODES = ['PLATFORM', 'CUSTOMER'] as const;
export type IysSyncMode = (typeof IYS_SYNC_MODES)[number];

export class CreateBrandDto {
  @ApiProperty({ example: 'Örnek Market' })
  @IsString()
  @Length(1, 200)
  @Matches(NO_LINE_BREAKS, { message: 'name must be a single line' })
  name: string;

  @ApiProperty({ description: 'The brand code in İYS (digits).', example: '100001' })
  @IsString()
  @Matches(/^\d{1,12}$/, { message: 'brandCode must be 1 to 12 digits' })
  brandCode: string;

  @ApiProperty({ example: 'kampanya@ornek.com.tr' })
  @IsEmail({ allow_display_name: false, require_tld: true }, { message: 'fromEmail must be an e-mail address' })
  @MaxLength(254)
  fromEmail: string;

  @ApiProperty({ example: 'Örnek Market' })
  @IsString()
  @Length(1, 100)
  @Matches(NO_LINE_BREAKS, { message: 'fromName must be a single line' })
  fromName: string;

  @ApiPropertyOptional({ example: 'destek@ornek.com.tr' })
  @IsOptional()
  @IsEmail({ require_tld: true }, { message: 'replyTo must be an e-mail address' })
  @MaxLength(254)
  replyTo?: string;

  @ApiPropertyOptional({ enum: IYS_SYNC_MODES, default: 'PLATFORM' })
  @IsOptional()
  @IsIn(IYS_SYNC_MODES as unknown as string[])
  iysSync?: IysSyncMode;
}

export class ServiceProviderCreatedDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() iysCode: string;
  @ApiProperty({ description: 'Shown once; only its hash is kept.' }) apiKey: string;
  @ApiProperty({ description: "The key's id (not secret), as the key lists show it." }) apiKeyId: string;
}

export class CreateApiKeyDto {
  @ApiPropertyOptional({ example: 'production 2025-12', maxLength: 100, description: 'A label for people.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(NO_LINE_BREAKS, { message: 'name must be a single line' })
  name?: string;
}

export class ApiKeyDto {
  @ApiProperty({ description: 'Not secret: names the key in lists and in DELETE.' }) id: string;
  @ApiPropertyOptional({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ description: "The key's first 12 characters, to recognise it." }) prefix: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Recorded in batches: up to a minute late when the key was used on another process.',
  })
  lastUsedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Set once revoked; a revoked key is refused.' })
  revokedAt: string | null;
  @ApiProperty({ description: 'True for the key this request was made with.' }) current: boolean;
}

export class ApiKeyCreatedDto extends ApiKeyDto {
  @ApiProperty({ description: 'Shown once; only its hash is kept.' }) apiKey: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) items: ApiKeyDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) next: string | null;
}

export class BrandDto {
  @ApiProperty() id: string;
  @ApiProperty() serviceProviderId: string;
  @ApiProperty() name: string;
  @ApiProperty() brandCode: string;
  @ApiProperty() fromEmail: string;
  @ApiProperty() fromName: string;
  @ApiPropertyOptional({ nullable: true }) replyTo: string | null;
  @ApiProperty({ enum: IYS_SYNC_MODES }) iysSync: IysSyncMode;
  @ApiPropertyOptional({ nullable: true }) webhookUrl: string | null;
  @ApiProperty() createdAt: string;
}

export class BrandListDto {
  @ApiProperty({ type: [BrandDto] }) items: BrandDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) next: string | null;
}
