import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccessService, parsePathCode } from '../auth/access.service';
import { IysError } from '../core/iys-errors';
import { validatePage } from '../consents/query-rules';
import { SimulatorState } from '../state/simulator-state';
import type { Integrator } from '../state/state-model';
import { brandView, integratorBrandView, subscriptionView } from './account-views';

/** Brands (B1), integrator listings (B2, B3) and subscriptions (S1, S2). */
@Controller()
export class AccountsController {
  constructor(
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(SimulatorState) private readonly state: SimulatorState,
  ) {}

  @Get('sps/:iysCode/brands')
  brands(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Param('iysCode') iysCode: string): unknown {
    const principal = this.access.authenticate(req, res);
    const sp = this.access.serviceProvider(principal, iysCode);
    return this.access.visibleBrands(principal, sp).map(brandView);
  }

  @Get('integrator/:integratorCode/sps')
  authorisedBrands(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param('integratorCode') code: string,
    @Query() q: Record<string, unknown>,
  ): unknown {
    const integrator = this.access.integrator(this.access.authenticate(req, res), code);
    const page = validatePage(q.offset, q.limit);
    if (!page.ok) throw new IysError(page.status, page.errors);
    return this.listing(integrator, null, page.value.offset, page.value.limit);
  }

  @Get('integrator/:integratorCode/sps/:iysCode')
  authorisedBrandsOf(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param('integratorCode') code: string,
    @Param('iysCode') rawIysCode: string,
    @Query() q: Record<string, unknown>,
  ): unknown {
    const integrator = this.access.integrator(this.access.authenticate(req, res), code);
    const iysCode = parsePathCode(rawIysCode, 'iysCode', 'H190');
    if (![...integrator.authorisations.values()].some((a) => a.iysCode === iysCode)) {
      throw IysError.of('H353', { location: ['iysCode'], value: iysCode });
    }
    const page = validatePage(q.offset, q.limit);
    if (!page.ok) throw new IysError(page.status, page.errors);
    return this.listing(integrator, iysCode, page.value.offset, page.value.limit);
  }

  @Get('sps/:iysCode/subscription')
  subscription(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param('iysCode') iysCode: string,
  ): unknown {
    const principal = this.access.authenticate(req, res);
    const sp = this.access.serviceProvider(principal, iysCode, { subscriptionQuery: true });
    return subscriptionView(sp.subscription!, principal.kind === 'HS' ? sp.usedConsentLimit : null);
  }

  @Get('integrator/:integratorCode/subscription')
  integratorSubscription(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Param('integratorCode') code: string,
  ): unknown {
    const integrator = this.access.integrator(this.access.authenticate(req, res), code, { subscriptionQuery: true });
    if (!integrator.subscription) throw IysError.of('H437');
    return subscriptionView(integrator.subscription, null);
  }

  private listing(integrator: Integrator, iysCode: number | null, offset: number, limit: number): unknown {
    const all = [...integrator.authorisations.values()]
      .filter((a) => iysCode === null || a.iysCode === iysCode)
      .sort((a, b) => a.iysCode - b.iysCode || a.brandCode - b.brandCode)
      .flatMap((a) => {
        const brand = this.state.brands.get(a.brandCode);
        const sp = this.state.serviceProviders.get(a.iysCode);
        return brand && sp ? [integratorBrandView(a, brand, sp)] : [];
      });
    const list = all.slice(offset, offset + limit);
    return { pagination: { offset, pageSize: list.length, totalCount: all.length }, list };
  }
}
