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

/**
 * An entry in force. The operator and an entry's own tenant see it whole. A platform-wide entry shows to a tenant
 * only as `{ email, scope: "PLATFORM", suppressed: true }`, and only when it asks about that address: its note,
 * origin, reason, id and time may belong to another tenant (a hard bounce names the message that bounced).
 */
export class SuppressionDto {
  @ApiProperty() email: string;
  @ApiProperty({
    enum: ['TENANT', 'PLATFORM'],
    description:
      "TENANT: a service provider's own entry, covering its brands. PLATFORM: the operator's (or a hard bounce seen by Izinli's SMTP), covering every tenant.",
  })
  scope: 'TENANT' | 'PLATFORM';
  @ApiProperty({ enum: [true], description: 'Always true: the address gets no mail in this scope.' })
  suppressed: true;
  @ApiPropertyOptional({ description: 'Absent on a platform-wide entry shown to a tenant.' }) id?: string;
  @ApiPropertyOptional({ enum: SUPPRESSION_REASONS, description: 'Absent on a platform-wide entry shown to a tenant.' })
  reason?: string;
  @ApiPropertyOptional({
    description:
      'Who added it: API (a service provider), OPERATOR, SMTP (hard bounce). Absent on a platform-wide entry shown to a tenant.',
  })
  origin?: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Absent on a platform-wide entry shown to a tenant.',
  })
  note?: string | null;
  @ApiPropertyOptional({ description: 'Absent on a platform-wide entry shown to a tenant.' }) createdAt?: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: "The operator's list only: the service provider whose entry it is (null: platform-wide).",
  })
  serviceProviderId?: string | null;
}

export class SuppressionPageDto {
  @ApiProperty({ type: [SuppressionDto] }) items: SuppressionDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) next: string | null;
}
