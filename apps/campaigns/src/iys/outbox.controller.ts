import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { IysOutboxMonitor, OutboxItem } from '@izinli/consent';
import { CurrentServiceProviderId, ServiceProviderOnly } from '../common/auth/auth.decorators';
import { decodeCursor, toPage } from '../common/http/paging';
import { TenancyRepository } from '../tenancy/tenancy.repository';
import { TenancyService } from '../tenancy/tenancy.service';
import { OutboxItemDto, OutboxPageDto, OutboxQueryDto } from './iys.dto';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toItemDto(i: OutboxItem): OutboxItemDto {
  return {
    id: i.id,
    brandCode: i.brandCode,
    recipient: i.recipient,
    type: i.type,
    recipientType: i.recipientType,
    status: i.status,
    source: i.source,
    consentDate: iso(i.consentDate),
    state: i.state,
    reason: i.reason,
    errorCode: i.errorCode,
    mode: i.mode,
    attempts: i.attempts,
    transactionId: i.transactionId,
    creationDate: iso(i.creationDate),
    deadline: iso(i.deadline),
    atRisk: i.atRisk,
    overdue: i.overdue,
    createdAt: i.createdAt.toISOString(),
    firstSentAt: iso(i.firstSentAt),
    finishedAt: iso(i.finishedAt),
  };
}

/** The İYS outbox of the caller's brands: every outgoing movement with its state, deadline and risk. */
@ApiTags('iys')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller('v1/iys')
export class IysOutboxController {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly tenancyRepo: TenancyRepository,
    private readonly monitor: IysOutboxMonitor,
  ) {}

  @Get('outbox')
  @ApiOkResponse({ type: OutboxPageDto })
  async list(@CurrentServiceProviderId() spId: string, @Query() q: OutboxQueryDto): Promise<OutboxPageDto> {
    const brandIds = q.brandCode
      ? [(await this.tenancy.requireOwnedBrand(spId, q.brandCode)).id]
      : (await this.tenancyRepo.listBrands(spId, null, 100_000)).map((b) => b.id);
    const after = decodeCursor(q.after, (v): v is string => typeof v === 'string' && /^\d{1,18}$/.test(v));
    const limit = q.limit ?? 100;
    const rows = await this.monitor.list({
      brandIds,
      state: q.state,
      atRisk: q.atRisk,
      afterId: after,
      limit: limit + 1,
    });
    return toPage(rows, limit, toItemDto, (r) => r.id);
  }
}
