import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { PURPOSES, type Purpose } from '@izinli/consent';
import { PageQueryDto } from '../common/http/paging';
import { CAMPAIGN_STATUSES, RECIPIENT_STATUSES, type CampaignStatus, type RecipientStatus } from './campaign-state';

/** An instant with an explicit offset: a schedule must not depend on the server's time zone. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
export const MAX_RATE_PER_SECOND = 10_000;

export class CreateCampaignDto {
  @ApiProperty({ example: 'Kasım bülteni' })
  @IsString()
  @Length(1, 200)
  // eslint-disable-next-line no-control-regex -- a NUL or line break would end a header line
  @Matches(/^[^\r\n\u2028\u2029\u0000]*$/, { message: 'name must be a single line' })
  name: string;

  @ApiProperty({ format: 'uuid', description: 'A list of the same brand.' })
  @IsUUID('all', { message: 'listId must be a list id' })
  listId: string;

  @ApiProperty({ format: 'uuid', description: 'A template of the same brand.' })
  @IsUUID('all', { message: 'templateId must be a template id' })
  templateId: string;

  @ApiProperty({
    enum: PURPOSES,
    description:
      'The declared purpose. A transactional purpose whose template carries promotional content is escalated to COMMERCIAL; the decision and its reasons are recorded.',
  })
  @IsIn(PURPOSES as unknown as string[], { message: `purpose must be one of ${PURPOSES.join(', ')}` })
  purpose: Purpose;

  @ApiPropertyOptional({
    example: '2026-12-01T09:00:00+03:00',
    description: 'Start at this instant (with an offset); launching before it schedules the campaign.',
  })
  @IsOptional()
  @IsString()
  @Matches(ISO_INSTANT, {
    message: 'sendAt must be an ISO 8601 instant with an offset, e.g. 2026-12-01T09:00:00+03:00',
  })
  sendAt?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_RATE_PER_SECOND,
    description: 'At most this many messages per second, across all workers.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RATE_PER_SECOND)
  ratePerSecond?: number;
}

export class RecipientsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RECIPIENT_STATUSES })
  @IsOptional()
  @IsIn(RECIPIENT_STATUSES as unknown as string[], {
    message: `status must be one of ${RECIPIENT_STATUSES.join(', ')}`,
  })
  status?: RecipientStatus;
}

const countMap = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class CampaignCountsDto {
  @ApiProperty() total: number;
  @ApiProperty({ description: 'Passed the consent gate at launch.' }) eligible: number;
  @ApiProperty({
    ...countMap,
    description: 'Blocked recipients by reason (NO_CONSENT, REFUSED, NOT_REGISTERED, SUPPRESSED).',
    example: { NO_CONSENT: 3 },
  })
  blocked: Record<string, number>;
  @ApiProperty({ description: 'Of the blocked, those stopped by the re-check just before sending.' })
  blockedAtSend: number;
  @ApiProperty() pending: number;
  @ApiProperty({ description: 'Claimed by a worker, on the way to SMTP.' }) sending: number;
  @ApiProperty() sent: number;
  @ApiProperty() failed: number;
  @ApiProperty({
    ...countMap,
    description: 'Failed recipients by failure (HARD_BOUNCE, SMTP_REJECTED, TEMPORARY_FAILURE_LIMIT, RENDER_FAILED).',
  })
  failures: Record<string, number>;
  @ApiProperty() cancelled: number;
  @ApiProperty({
    description: 'Sent again after a worker died with the send in flight: these may have received two copies.',
  })
  duplicatesPossible: number;
}

export class ClassificationDto {
  @ApiProperty({ enum: ['COMMERCIAL', 'TRANSACTIONAL'] }) kind: 'COMMERCIAL' | 'TRANSACTIONAL';
  @ApiProperty({ enum: ['COMMERCIAL', 'TRANSACTIONAL'], description: 'The kind the declared purpose starts from.' })
  declaredKind: 'COMMERCIAL' | 'TRANSACTIONAL';
  @ApiProperty({ description: 'A transactional declaration that the content made commercial.' }) escalated: boolean;
  @ApiProperty({ type: [String] }) reasons: string[];
  @ApiProperty({ type: [String] }) signals: string[];
}

export class ForecastDto {
  @ApiProperty({
    description:
      'When the gate was evaluated (at launch of a scheduled campaign); the ledger is built again at sendAt.',
  })
  at: string;
  @ApiProperty() total: number;
  @ApiProperty() eligible: number;
  @ApiProperty(countMap) blocked: Record<string, number>;
}

export class CampaignWaitingDto {
  @ApiProperty({
    enum: ['SMTP_UNAVAILABLE', 'NO_PROGRESS'],
    description:
      'SMTP_UNAVAILABLE: the mail server refuses connections or does not answer in time; chunks are retried with ' +
      'backoff. NO_PROGRESS: a worker made no progress on a chunk and handed it to another.',
  })
  reason: string;
  @ApiProperty({ description: 'Since when delivery has been waiting for this reason.' }) since: string;
}

export class CampaignDto {
  @ApiProperty() id: string;
  @ApiProperty() brandCode: string;
  @ApiProperty() name: string;
  @ApiProperty() listId: string;
  @ApiProperty() templateId: string;
  @ApiProperty({ enum: PURPOSES }) purpose: Purpose;
  @ApiProperty({ enum: ['COMMERCIAL', 'TRANSACTIONAL'] }) kind: 'COMMERCIAL' | 'TRANSACTIONAL';
  @ApiProperty({ type: ClassificationDto }) classification: ClassificationDto;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status: CampaignStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) sendAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) ratePerSecond: number | null;
  @ApiProperty({ type: CampaignCountsDto }) counts: CampaignCountsDto;
  @ApiPropertyOptional({
    nullable: true,
    type: ForecastDto,
    description: 'Scheduled campaigns: the gate’s counts when launched.',
  })
  forecast: ForecastDto | null;
  @ApiPropertyOptional({
    nullable: true,
    type: CampaignWaitingDto,
    description: 'A running campaign whose delivery stopped moving: what it waits for. Null otherwise.',
  })
  waiting: CampaignWaitingDto | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true, type: String }) launchedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) startedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) pausedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) completedAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) cancelledAt: string | null;
}

export class ReliedOnConsentDto {
  @ApiProperty() movementId: string;
  @ApiProperty() consentDate: string;
  @ApiProperty() source: string;
  @ApiPropertyOptional({ nullable: true, type: String }) iysTransactionId: string | null;
}

export class CampaignRecipientDto {
  @ApiProperty({ description: 'The ledger row id.' }) id: string;
  @ApiProperty() recipient: string;
  @ApiProperty({ enum: ['BIREYSEL', 'TACIR'] }) recipientType: string;
  @ApiProperty({ enum: RECIPIENT_STATUSES }) status: RecipientStatus;
  @ApiProperty({ description: 'The consent gate’s reason (why allowed, or why blocked).' }) reason: string;
  @ApiPropertyOptional({
    nullable: true,
    enum: ['LAUNCH', 'SEND'],
    description: 'When a blocked recipient was blocked.',
  })
  blockedAt: 'LAUNCH' | 'SEND' | null;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional({ nullable: true, type: String }) messageId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) sentAt: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) failure: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) smtpCode: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) error: string | null;
  @ApiProperty() possibleDuplicate: boolean;
  @ApiPropertyOptional({
    nullable: true,
    type: ReliedOnConsentDto,
    description: 'The consent movement the last gate decision relied on (commercial mail).',
  })
  consent: ReliedOnConsentDto | null;
}

export class CampaignRecipientPageDto {
  @ApiProperty({ type: [CampaignRecipientDto] }) items: CampaignRecipientDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) next: string | null;
}
