import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { SUPPRESSION_REASONS, type SuppressionReason } from '@izinli/consent';
import { PageQueryDto } from '../common/http/paging';

export class AddSuppressionDto {
  @ApiProperty({
    example: 'bounced@example.com',
    description: 'Normalised as İYS stores addresses (lower case); an address İYS would refuse is 422 INVALID_EMAIL.',
  })
  @IsString()
  @MaxLength(320)
  email: string;

  @ApiProperty({ enum: SUPPRESSION_REASONS })
  @IsIn(SUPPRESSION_REASONS as unknown as string[])
  reason: SuppressionReason;

  @ApiPropertyOptional({
    maxLength: 500,
    description: 'Free text for people (a ticket number, why). No personal data beyond the address, please.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class SuppressionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only this address.' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;
}

export class SuppressionDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: SUPPRESSION_REASONS }) reason: string;
  @ApiProperty({
    enum: ['TENANT', 'PLATFORM'],
    description:
      "TENANT: the service provider's own entry, covering its brands. PLATFORM: the operator's (or a hard bounce seen by Izinli's SMTP), covering every tenant.",
  })
  scope: 'TENANT' | 'PLATFORM';
  @ApiProperty({ description: 'Who added it: API (a service provider), OPERATOR, SMTP (hard bounce).' }) origin: string;
  @ApiPropertyOptional({ nullable: true, type: String }) note: string | null;
  @ApiProperty() createdAt: string;
}

export class SuppressionPageDto {
  @ApiProperty({ type: [SuppressionDto] }) items: SuppressionDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) next: string | null;
}
