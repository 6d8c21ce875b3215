import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, purposeKind } from '@izinli/consent';
import { ApiError } from '../common/http/api-error';
import { ClassificationThreads } from '../consents/classification-threads';
import { decodeCursor, Page, toPage } from '../common/http/paging';
import { AudiencesService } from '../audiences/audiences.service';
import { TemplatesService } from '../templates/templates.service';
import { TenancyService } from '../tenancy/tenancy.service';
import { CampaignDispatcher } from '../delivery/campaign-dispatcher';
import { allowedFrom, CampaignAction, CampaignCounts, canApply, summariseLedger } from './campaign-state';
import { CampaignLauncher } from './campaign-launcher';
import {
  CampaignDto,
  CampaignRecipientDto,
  ClassificationDto,
  CreateCampaignDto,
  RecipientsQueryDto,
} from './campaigns.dto';
import { CampaignRow, CampaignsRepository, RecipientRow } from './campaigns.repository';

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

// A reference that is not found is reported as a field problem; any other failure stays what it is.
function notFoundAsUndefined(err: unknown): undefined {
  if (err instanceof ApiError && err.code === 'NOT_FOUND') return undefined;
  throw err;
}

/** How far ahead a campaign may be scheduled. */
const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600_000;

function toRecipientDto(r: RecipientRow): CampaignRecipientDto {
  return {
    id: r.id,
    recipient: r.recipient,
    recipientType: r.recipientType,
    status: r.status,
    reason: r.reason,
    blockedAt: r.blockedStage,
    attempts: r.attempts,
    messageId: r.messageId,
    sentAt: iso(r.sentAt),
    failure: r.failure,
    smtpCode: r.smtpCode,
    error: r.error,
    possibleDuplicate: r.possibleDuplicate,
    consent: r.movementId
      ? {
          movementId: r.movementId,
          consentDate: iso(r.consentDate)!,
          source: r.consentSource!,
          iysTransactionId: r.iysTransactionId,
        }
      : null,
  };
}

const MAX_CACHED_FINAL_COUNTS = 1000;

@Injectable()
export class CampaignsService {
  private readonly log = new Logger('Campaigns');
  /**
   * Counts of COMPLETED campaigns, whose ledger no longer changes: counting a million-row ledger takes about a
   * second, and a finished campaign is read far more often than it is sent.
   */
  private readonly finalCounts = new Map<string, CampaignCounts>();

  constructor(
    private readonly ds: DataSource,
    private readonly repo: CampaignsRepository,
    private readonly tenancy: TenancyService,
    private readonly audiences: AudiencesService,
    private readonly templates: TemplatesService,
    private readonly launcher: CampaignLauncher,
    private readonly dispatcher: CampaignDispatcher,
    private readonly clock: Clock,
    private readonly classifier: ClassificationThreads,
  ) {}

  /**
   * A DRAFT campaign. Its kind follows the declared purpose, but the template's content is classified now and a
   * transactional declaration with promotional content becomes COMMERCIAL (compliance.md §1 rule 3); the decision
   * and its reasons are kept on the campaign.
   */
  async create(spId: string, brandCode: string, dto: CreateCampaignDto): Promise<CampaignDto> {
    const brand = await this.tenancy.requireOwnedBrand(spId, brandCode);
    const list = await this.audiences.requireOwnedList(spId, dto.listId).catch(notFoundAsUndefined);
    const template = await this.templates.requireOwned(spId, dto.templateId).catch(notFoundAsUndefined);
    const problems = [
      ...(list && list.brandId === brand.id
        ? []
        : [{ field: 'listId', message: `no list with this id in brand ${brand.brandCode}` }]),
      ...(template && template.brandId === brand.id
        ? []
        : [{ field: 'templateId', message: `no template with this id in brand ${brand.brandCode}` }]),
    ];
    if (problems.length)
      throw ApiError.unprocessable(
        'UNKNOWN_REFERENCE',
        'The campaign names a list or template this brand does not have.',
        problems,
      );
    let sendAt: Date | null = null;
    if (dto.sendAt) {
      sendAt = new Date(dto.sendAt);
      if (Number.isNaN(sendAt.getTime()))
        throw ApiError.validation([{ field: 'sendAt', message: 'sendAt is not a valid instant' }]);
      if (sendAt.getTime() > this.clock.now().getTime() + MAX_SCHEDULE_AHEAD_MS) {
        throw ApiError.validation([{ field: 'sendAt', message: 'sendAt may be at most a year ahead' }]);
      }
    }
    const decision = await this.classifier.classify({
      channel: 'EMAIL',
      purpose: dto.purpose,
      subject: template!.subject,
      html: template!.html,
      text: template!.text ?? undefined,
    });
    const declaredKind = purposeKind(dto.purpose);
    const kind = decision.kind === 'COMMERCIAL' ? 'COMMERCIAL' : 'TRANSACTIONAL';
    const classification: ClassificationDto = {
      kind,
      declaredKind,
      escalated: declaredKind !== kind,
      reasons: decision.reasons,
      signals: decision.signals,
    };
    const id = await this.repo.insert({
      brandId: brand.id,
      listId: list!.id,
      templateId: template!.id,
      name: dto.name,
      purpose: dto.purpose,
      kind,
      classification,
      sendAt,
      ratePerSecond: dto.ratePerSecond ?? null,
    });
    this.log.log({ campaignId: id, brandId: brand.id, kind, escalated: classification.escalated }, 'campaign created');
    return this.get(spId, id);
  }

  async get(spId: string, id: string): Promise<CampaignDto> {
    return this.toDto(await this.requireOwned(spId, id));
  }

  async recipients(spId: string, id: string, q: RecipientsQueryDto): Promise<Page<CampaignRecipientDto>> {
    const c = await this.requireOwned(spId, id);
    const limit = q.limit ?? 100;
    const after = decodeCursor(q.after, (v): v is string => typeof v === 'string' && /^\d{1,19}$/.test(v));
    const rows = await this.repo.recipients(c, q.status ?? null, after, limit + 1);
    return toPage(rows, limit, toRecipientDto, (r) => r.id);
  }

  /**
   * Gates the whole audience and writes the ledger (or, with a sendAt still ahead, records the gate's forecast and
   * schedules the start), then answers with the counts by reason before anything is sent.
   */
  async launch(spId: string, id: string): Promise<CampaignDto> {
    const outcome = await this.ds.transaction(async (m) => {
      const c = await this.lockFor(m, spId, id, 'launch');
      const sendAt = c.sendAt ? new Date(c.sendAt) : null;
      if (sendAt && sendAt.getTime() > this.clock.now().getTime() + 1_000) {
        await this.repo.markScheduled(m, c.id, await this.launcher.forecast(m, c));
        return { scheduledFor: sendAt };
      }
      await this.launcher.start(m, c);
      return { scheduledFor: null };
    });
    if (outcome.scheduledFor) await this.launcher.scheduleStart(id, outcome.scheduledFor);
    else await this.launcher.dispatchAfterCommit(id);
    this.log.log({ campaignId: id, scheduled: !!outcome.scheduledFor }, 'campaign launched');
    return this.get(spId, id);
  }

  async pause(spId: string, id: string): Promise<CampaignDto> {
    await this.ds.transaction(async (m) => {
      const c = await this.lockFor(m, spId, id, 'pause');
      await this.repo.markPaused(m, c.id);
    });
    this.log.log({ campaignId: id }, 'campaign paused');
    return this.get(spId, id);
  }

  async resume(spId: string, id: string): Promise<CampaignDto> {
    await this.ds.transaction(async (m) => {
      const c = await this.lockFor(m, spId, id, 'resume');
      await this.repo.markResumed(m, c.id);
    });
    try {
      await this.dispatcher.resume(id);
    } catch (err) {
      this.log.warn(
        { campaignId: id, err: (err as Error).message },
        'could not queue chunks on resume; the sweep will',
      );
    }
    this.log.log({ campaignId: id }, 'campaign resumed');
    return this.get(spId, id);
  }

  async cancel(spId: string, id: string): Promise<CampaignDto> {
    await this.ds.transaction(async (m) => {
      const c = await this.lockFor(m, spId, id, 'cancel');
      await this.repo.markCancelled(m, c.id);
    });
    this.log.log({ campaignId: id }, 'campaign cancelled');
    return this.get(spId, id);
  }

  private async lockFor(
    m: Parameters<CampaignsRepository['findOwned']>[2],
    spId: string,
    id: string,
    action: CampaignAction,
  ): Promise<CampaignRow> {
    const c = await this.repo.findOwned(spId, id, m, true);
    if (!c) throw ApiError.notFound('Campaign');
    if (!canApply(action, c.status)) {
      throw ApiError.conflict(
        'INVALID_CAMPAIGN_STATE',
        `A ${c.status} campaign cannot ${action}; ${action} needs ${allowedFrom(action).join(' or ')}.`,
        {
          campaignStatus: c.status,
        },
      );
    }
    return c;
  }

  private async requireOwned(spId: string, id: string): Promise<CampaignRow> {
    const c = await this.repo.findOwned(spId, id);
    if (!c) throw ApiError.notFound('Campaign');
    return c;
  }

  private async countsOf(c: CampaignRow): Promise<CampaignCounts> {
    const cached = this.finalCounts.get(c.id);
    if (cached) return cached;
    const counts = summariseLedger(await this.repo.ledgerGroups(c));
    if (c.status === 'COMPLETED') {
      if (this.finalCounts.size >= MAX_CACHED_FINAL_COUNTS)
        this.finalCounts.delete(this.finalCounts.keys().next().value!);
      this.finalCounts.set(c.id, counts);
    }
    return counts;
  }

  private async toDto(c: CampaignRow): Promise<CampaignDto> {
    return {
      id: c.id,
      brandCode: c.brandCode,
      name: c.name,
      listId: c.listId,
      templateId: c.templateId,
      purpose: c.purpose,
      kind: c.kind,
      classification: c.classification,
      status: c.status,
      sendAt: iso(c.sendAt),
      ratePerSecond: c.ratePerSecond,
      counts: await this.countsOf(c),
      forecast: c.forecast,
      waiting:
        c.status === 'RUNNING' && c.waitingReason && c.waitingSince
          ? { reason: c.waitingReason, since: iso(c.waitingSince)! }
          : null,
      createdAt: iso(c.createdAt)!,
      launchedAt: iso(c.launchedAt),
      startedAt: iso(c.startedAt),
      pausedAt: iso(c.pausedAt),
      completedAt: iso(c.completedAt),
      cancelledAt: iso(c.cancelledAt),
    };
  }
}
