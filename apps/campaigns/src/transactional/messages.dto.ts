import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PURPOSES, RECIPIENT_TYPES, type Purpose, type RecipientType } from '@izinli/consent';

export const MESSAGE_STATUSES = ['QUEUED', 'SENT', 'FAILED', 'BLOCKED'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** `taken_over`: a worker took the message over from one whose claim ran out (dead, or stuck past the lease). */
export const MESSAGE_EVENT_TYPES = ['queued', 'blocked', 'retry', 'taken_over', 'sent', 'failed'] as const;
export type MessageEventType = (typeof MESSAGE_EVENT_TYPES)[number];

export class SendMessageDto {
  @ApiProperty({ example: '100001', description: 'A brand of the calling service provider.' })
  @IsString()
  @Length(1, 20)
  brandCode: string;

  @ApiProperty({ example: 'ayse@example.com', description: 'The recipient; normalised as İYS does (lower case).' })
  @IsString()
  @Length(3, 320)
  to: string;

  @ApiProperty({
    enum: PURPOSES,
    description:
      'The declared purpose. The content is classified too: promotional content makes a transactional declaration COMMERCIAL.',
  })
  @IsIn(PURPOSES as unknown as string[], { message: `purpose must be one of ${PURPOSES.join(', ')}` })
  purpose: Purpose;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A template of the same brand; or give subject and html/text inline.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'templateId must be a template id' })
  templateId?: string;

  @ApiPropertyOptional({ description: 'Inline subject (Handlebars, plain text, kept on one line).' })
  @IsOptional()
  @IsString()
  @Length(1, 998)
  subject?: string;

  @ApiPropertyOptional({ description: 'Inline HTML (Handlebars; values are HTML-escaped).' })
  @IsOptional()
  @IsString()
  @Length(1, 512_000)
  html?: string;

  @ApiPropertyOptional({ description: 'Inline plain text (Handlebars). Derived from html when absent.' })
  @IsOptional()
  @IsString()
  @Length(1, 256_000)
  text?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Values for the template, at its top level.',
  })
  @IsOptional()
  @IsObject({ message: 'data must be an object' })
  data?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: RECIPIENT_TYPES, default: 'BIREYSEL' })
  @IsOptional()
  @IsIn(RECIPIENT_TYPES as unknown as string[], {
    message: `recipientType must be one of ${RECIPIENT_TYPES.join(', ')}`,
  })
  recipientType?: RecipientType;
}

export class MessageAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['QUEUED'] }) status: 'QUEUED';
  @ApiProperty({ enum: ['COMMERCIAL', 'TRANSACTIONAL'] }) kind: string;
  @ApiProperty({ type: [String], description: 'Why the message was classified as it was.' }) reasons: string[];
}

export class MessageEventDto {
  @ApiProperty({ enum: MESSAGE_EVENT_TYPES }) type: MessageEventType;
  @ApiProperty() at: string;
  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'reason, smtpCode, error, nextAttemptAt, messageId …',
  })
  detail: Record<string, unknown> | null;
}

export class MessageDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status: MessageStatus;
  @ApiProperty({ enum: ['COMMERCIAL', 'TRANSACTIONAL'] }) kind: string;
  @ApiProperty({ type: [String] }) reasons: string[];
  @ApiProperty() brandCode: string;
  @ApiProperty() to: string;
  @ApiProperty({ enum: RECIPIENT_TYPES }) recipientType: RecipientType;
  @ApiProperty({ enum: PURPOSES }) purpose: Purpose;
  @ApiProperty({
    description: 'The Message-ID header the mail carries (without angle brackets); the same on every try.',
  })
  messageId: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({
    description:
      'True once a worker has taken the message over from one whose claim ran out: that one may have handed it to SMTP before it stopped, so the recipient may get it twice (with the same Message-ID).',
  })
  possibleDuplicate: boolean;
  @ApiProperty({ type: [MessageEventDto], description: 'Oldest first.' }) events: MessageEventDto[];
}
