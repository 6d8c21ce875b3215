import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  ConsentGate,
  ConsentRegistry,
  InvalidMovementError,
  isIysType,
  normalizeRecipient,
  type ConsentView,
} from '@izinli/consent';
import { CurrentServiceProviderId, ServiceProviderOnly } from '../common/auth/auth.decorators';
import { ApiError } from '../common/http/api-error';
import { TenancyService } from '../tenancy/tenancy.service';
import { toConsentBrand } from './brand-scope';
import { CheckConsentsDto, ConsentKeyQueryDto, RecordConsentDto } from './consents.dto';

export function movementError(err: unknown): never {
  if (err instanceof InvalidMovementError) {
    throw ApiError.unprocessable(
      err.problems[0].code,
      err.problems.map((p) => p.message).join('; '),
      err.problems.map((p) => ({ field: p.field, message: p.message, code: p.code })),
    );
  }
  throw err;
}

@ApiTags('consents')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller('v1/brands/:brandCode/consents')
export class ConsentsController {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly registry: ConsentRegistry,
    private readonly gate: ConsentGate,
  ) {}

  /** Records a movement with its evidence; 409 STALE_CONSENT when older than the current one (kept in history). */
  @Post()
  async record(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Body() dto: RecordConsentDto,
  ): Promise<ConsentView> {
    const brand = toConsentBrand(await this.tenancy.requireOwnedBrand(spId, brandCode));
    const result = await this.registry
      .record(brand, dto, { origin: 'API', recordedBy: `service-provider:${spId}` })
      .catch(movementError);
    if (result.stale) {
      throw ApiError.conflict(
        'STALE_CONSENT',
        'A movement with a later consentDate is already held; this one was kept in the history only.',
        {
          consent: result.consent,
        },
      );
    }
    return result.consent;
  }

  @Get(':type/:recipient')
  async get(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Param('type') type: string,
    @Param('recipient') recipient: string,
    @Query() q: ConsentKeyQueryDto,
  ): Promise<ConsentView> {
    const brand = await this.tenancy.requireOwnedBrand(spId, brandCode);
    if (!isIysType(type))
      throw ApiError.validation([{ field: 'type', message: 'type must be one of EPOSTA, MESAJ, ARAMA' }]);
    const view = await this.registry.get(brand, type, recipient, q.recipientType ?? 'BIREYSEL');
    if (!view) throw ApiError.notFound('Consent');
    return view;
  }

  /** The gate for up to 10,000 recipients in one statement. Malformed addresses are answered, not fatal. */
  @Post('check')
  @HttpCode(200)
  async check(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Body() dto: CheckConsentsDto,
  ) {
    const brand = toConsentBrand(await this.tenancy.requireOwnedBrand(spId, brandCode));
    const normalised = dto.recipients.map((r) => normalizeRecipient(dto.type, r));
    const valid = normalised.flatMap((n) => (n.ok ? [n.value] : []));
    const decided = await this.gate.check(
      { brandId: brand.id, tenantId: brand.tenantId },
      {
        type: dto.type,
        kind: dto.kind ?? 'COMMERCIAL',
        recipients: valid,
        recipientType: dto.recipientType ?? 'BIREYSEL',
      },
    );
    let i = 0;
    return {
      results: dto.recipients.map((input, idx) => {
        const n = normalised[idx];
        if (!n.ok) return { recipient: input, allowed: false, reason: n.code, detail: n.message };
        const d = decided[i++];
        return {
          recipient: d.recipient,
          allowed: d.allowed,
          reason: d.reason,
          ...(d.movement
            ? {
                movement: {
                  consentDate: d.movement.consentDate?.toISOString() ?? null,
                  source: d.movement.source,
                  transactionId: d.movement.iysTransactionId ?? undefined,
                },
              }
            : {}),
        };
      }),
    };
  }
}
