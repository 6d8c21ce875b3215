import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CHANNELS, PURPOSES, type Channel, type IysType, type MessageKind, type Purpose } from '@izinli/consent';
import { ServiceProviderOnly } from '../common/auth/auth.decorators';
import { ClassificationThreads } from './classification-threads';

export class ClassifyDto {
  @ApiProperty({ enum: CHANNELS }) @IsIn(CHANNELS as unknown as string[]) channel: Channel;
  @ApiPropertyOptional({
    enum: PURPOSES,
    description: 'The declared purpose; content can escalate a transactional one to COMMERCIAL.',
  })
  @IsOptional()
  @IsIn(PURPOSES as unknown as string[])
  purpose?: Purpose;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) subject?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200_000) text?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500_000) html?: string;
}

export class ClassificationDto {
  @ApiProperty({ enum: ['COMMERCIAL', 'TRANSACTIONAL', 'EXEMPT'] }) kind: MessageKind;
  @ApiProperty() requiresConsent: boolean;
  @ApiProperty({ nullable: true, enum: ['EPOSTA', 'MESAJ', 'ARAMA'] }) iysType: IysType | null;
  @ApiProperty({ type: [String], description: 'Plain-language reasons, for audit.' }) reasons: string[];
  @ApiProperty({ type: [String], description: 'Ids of the content signals that matched.' }) signals: string[];
}

@ApiTags('consents')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller('v1/classify')
export class ClassifyController {
  constructor(private readonly classifier: ClassificationThreads) {}

  /** compliance.md §1: push is exempt; mixed content is commercial; doubt means commercial. */
  @Post()
  @HttpCode(200)
  async classify(@Body() dto: ClassifyDto): Promise<ClassificationDto> {
    const d = await this.classifier.classify(dto);
    return {
      kind: d.kind,
      requiresConsent: d.requiresConsent,
      iysType: d.iysType,
      reasons: d.reasons,
      signals: d.signals,
    };
  }
}
