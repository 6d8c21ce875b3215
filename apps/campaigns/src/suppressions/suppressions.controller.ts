import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { InvalidSuppressionAddressError, normalizeEmail, SuppressionEntry, SuppressionList } from '@izinli/consent';
import { CurrentPrincipal, OperatorOrServiceProvider } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiError } from '../common/http/api-error';
import { decodeCursor, encodeCursor } from '../common/http/paging';
import { AddSuppressionDto, SuppressionDto, SuppressionPageDto, SuppressionQueryDto } from './suppressions.dto';

function toDto(e: SuppressionEntry, forOperator: boolean): SuppressionDto {
  return {
    email: e.email,
    scope: e.tenantId === null ? 'PLATFORM' : 'TENANT',
    suppressed: true,
    id: e.id,
    reason: e.reason,
    origin: e.origin,
    note: e.note,
    createdAt: new Date(e.createdAt).toISOString(),
    ...(forOperator ? { serviceProviderId: e.tenantId } : {}),
  };
}

/** All a tenant may learn of a platform-wide entry (design.md "Suppression"). */
function platformMarker(email: string): SuppressionDto {
  return { email, scope: 'PLATFORM', suppressed: true };
}

/** The caller's scope: a service provider's own entries, or (operator) the platform-wide ones. */
function tenantOf(p: Principal): string | null {
  return p.kind === 'service-provider' ? p.serviceProviderId : null;
}

function invalidEmail(message: string): ApiError {
  return ApiError.unprocessable('INVALID_EMAIL', message, [{ field: 'email', message, code: 'INVALID_EMAIL' }]);
}

/** A well-formed address, normalised as stored, or 422 INVALID_EMAIL. */
function requireEmail(input: string): string {
  const r = normalizeEmail(input);
  if (!r.ok) throw invalidEmail(r.message);
  return r.value;
}

/**
 * Suppression list (design.md "Suppression"): addresses that get no mail at all, whatever the consent. A service
 * provider's entries cover its own brands; the operator's cover every tenant. Hard bounces from Izinli's own SMTP
 * are added platform-wide by the delivery workers. Enforcement is platform-wide, visibility is not: a tenant lists
 * only its own entries and learns of a platform-wide one only as `suppressed: true` for an address it names. See
 * apps/campaigns/UNSUBSCRIBE.md.
 */
@ApiTags('suppressions')
@ApiBearerAuth()
@OperatorOrServiceProvider()
@Controller('v1/suppressions')
export class SuppressionsController {
  constructor(private readonly suppressions: SuppressionList) {}

  /** 201 with the new entry; 200 with the entry already in force in this scope (nothing changed). */
  @Post()
  @ApiCreatedResponse({
    type: SuppressionDto,
    description: 'Added. An address already suppressed in the same scope answers 200 with the existing entry.',
  })
  async add(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: AddSuppressionDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SuppressionDto> {
    const tenantId = tenantOf(principal);
    const { created, entry } = await this.suppressions
      .add(dto.email, tenantId, dto.reason, tenantId ? 'API' : 'OPERATOR', dto.note)
      .catch((err: unknown) => {
        if (err instanceof InvalidSuppressionAddressError) throw invalidEmail(err.message);
        throw err;
      });
    res.status(created ? 201 : 200);
    return toDto(entry, tenantId === null);
  }

  /**
   * The operator: every entry, of every scope. A service provider: its own entries only; with `?email=`, also
   * `{ email, scope: "PLATFORM", suppressed: true }` when a platform-wide entry covers that address (on the first
   * page; an address has at most one entry per scope, so that answer is one page).
   */
  @Get()
  @ApiOkResponse({ type: SuppressionPageDto })
  async list(@CurrentPrincipal() principal: Principal, @Query() q: SuppressionQueryDto): Promise<SuppressionPageDto> {
    const email = q.email === undefined ? undefined : requireEmail(q.email);
    const after = decodeCursor(q.after, (v): v is string => typeof v === 'string' && /^\d{1,18}$/.test(v));
    const tenantId = tenantOf(principal);
    const page = await this.suppressions.list({
      tenantId,
      everyScope: tenantId === null,
      email,
      afterId: after,
      limit: q.limit ?? 100,
    });
    const items = page.items.map((e) => toDto(e, tenantId === null));
    if (tenantId !== null && email !== undefined && after === null) {
      if (await this.suppressions.coversPlatformWide(email)) items.push(platformMarker(email));
    }
    return { items, next: page.nextAfterId ? encodeCursor(page.nextAfterId) : null };
  }

  /**
   * Removes the entry of the caller's scope. A service provider cannot lift a platform-wide entry: 403
   * PLATFORM_SUPPRESSION when only such an entry covers the address (the operator decides), 404 when none does.
   */
  @Delete(':email')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed.' })
  async remove(@CurrentPrincipal() principal: Principal, @Param('email') input: string): Promise<void> {
    const email = requireEmail(input);
    const tenantId = tenantOf(principal);
    if (await this.suppressions.remove(email, tenantId)) return;
    if (tenantId !== null) {
      if (await this.suppressions.coversPlatformWide(email)) {
        throw new ApiError(
          403,
          'PLATFORM_SUPPRESSION',
          'This address is suppressed platform-wide (a hard bounce or the operator); only the operator can remove it.',
        );
      }
    }
    throw ApiError.notFound('Suppression');
  }
}
