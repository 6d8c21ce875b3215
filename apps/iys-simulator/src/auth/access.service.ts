import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IysError } from '../core/iys-errors';
import { CONSENT_TYPES, type ConsentType } from '../core/iys-types';
import type { Authorisation, Brand, Integrator, ServiceProvider, Subscription } from '../state/state-model';
import { SimulatorState } from '../state/simulator-state';

// Who is calling, and what may they touch. Order of checks for a data call (undocumented in İYS; the order
// iys-api.md §7 suggests): token (401 H351) → path codes are integers (422 H190/H191) → the iysCode is the
// caller's or authorised to it (403 H353) → subscriptions (403 H524/H521/H520/H586) → the brand is the caller's
// or authorised (403 H353). The per-type check for integrators (H353) follows schema validation, since the type
// comes from the body.

export type Principal =
  | { kind: 'HS'; username: string; iysCode: number }
  | { kind: 'INTEGRATOR'; username: string; integratorCode: number; integrator: Integrator };

export interface BrandScope {
  principal: Principal;
  sp: ServiceProvider;
  brand: Brand;
  /** Types the caller may read and write on this brand. */
  types: ReadonlySet<ConsentType>;
  authorisation?: Authorisation;
}

const ALL_TYPES: ReadonlySet<ConsentType> = new Set(CONSENT_TYPES);
const BEARER = /^Bearer\s+(\S+)\s*$/i;

function denied(what: string, value: unknown): IysError {
  return IysError.of('H353', { message: `${what}, kullanıcı izinleriyle eşleştirilemiyor`, location: [what], value });
}

/** Parses a path code (iysCode H190, brandCode H191, others H190). */
export function parsePathCode(raw: string, name: string, code: 'H190' | 'H191' = 'H190'): number {
  if (!/^\d{1,15}$/.test(raw)) throw IysError.of(code, { location: [name], value: raw });
  return Number(raw);
}

@Injectable()
export class AccessService {
  constructor(@Inject(SimulatorState) private readonly state: SimulatorState) {}

  /** 401 H351 unless the request carries a live access token of an existing API user. */
  authenticate(req: Request, res?: Response): Principal {
    const match = BEARER.exec(req.headers.authorization ?? '');
    const session = match ? this.state.accessTokens.get(match[1]) : undefined;
    if (!session) throw IysError.of('H351');
    if (session.expiresMs <= this.state.nowMs()) {
      this.state.accessTokens.delete(match![1]);
      throw IysError.of('H351');
    }
    const user = this.state.users.get(session.username);
    if (!user) throw IysError.of('H351');
    if (res) res.locals.username = user.username;
    if (user.owner.kind === 'HS') return { kind: 'HS', username: user.username, iysCode: user.owner.iysCode };
    const integrator = this.state.integrators.get(user.owner.integratorCode);
    if (!integrator) throw IysError.of('H351');
    return { kind: 'INTEGRATOR', username: user.username, integratorCode: integrator.integratorCode, integrator };
  }

  /** The HS named by the path, if the caller may act for it; `subscriptionQuery` lets S1 through a PAUSED/EXPIRED subscription. */
  serviceProvider(
    principal: Principal,
    rawIysCode: string,
    options: { subscriptionQuery?: boolean } = {},
  ): ServiceProvider {
    const iysCode = parsePathCode(rawIysCode, 'iysCode', 'H190');
    const sp = this.state.serviceProviders.get(iysCode);
    const mayAct =
      principal.kind === 'HS'
        ? principal.iysCode === iysCode
        : [...principal.integrator.authorisations.values()].some((a) => a.iysCode === iysCode);
    if (!sp || !mayAct) throw denied('iysCode', iysCode);
    this.gateSubscription(sp.subscription, sp.iysCode, options.subscriptionQuery ?? false);
    if (principal.kind === 'INTEGRATOR')
      this.gateSubscription(
        principal.integrator.subscription,
        principal.integratorCode,
        options.subscriptionQuery ?? false,
      );
    return sp;
  }

  /** Brands of `sp` the caller may see: all of them for the HS, the authorised ones for an integrator. */
  visibleBrands(principal: Principal, sp: ServiceProvider): Brand[] {
    const brands = [...sp.brands.values()];
    if (principal.kind === 'HS') return brands;
    return brands.filter((b) => principal.integrator.authorisations.has(b.brandCode));
  }

  /** Scope of a `/sps/{iysCode}/brands/{brandCode}/…` call. `reconciliation` also requires agreementControl. */
  brand(
    principal: Principal,
    rawIysCode: string,
    rawBrandCode: string,
    options: { reconciliation?: boolean } = {},
  ): BrandScope {
    // Both codes are parsed before any lookup so a malformed brandCode is H191 whoever is calling.
    parsePathCode(rawIysCode, 'iysCode', 'H190');
    const brandCode = parsePathCode(rawBrandCode, 'brandCode', 'H191');
    const sp = this.serviceProvider(principal, rawIysCode);
    const brand = sp.brands.get(brandCode);
    if (!brand) throw denied('brandCode', brandCode);
    if (principal.kind === 'HS') return { principal, sp, brand, types: ALL_TYPES };
    const authorisation = principal.integrator.authorisations.get(brandCode);
    if (!authorisation || authorisation.iysCode !== sp.iysCode) throw denied('brandCode', brandCode);
    if (options.reconciliation && !authorisation.agreementControl) throw denied('brandCode', brandCode);
    return { principal, sp, brand, types: authorisation.types, authorisation };
  }

  /** Rule 16: an integrator touches only the types the HS authorised for it (403 H353). */
  requireType(scope: BrandScope, type: ConsentType, index?: number): void {
    if (!scope.types.has(type)) {
      throw IysError.of('H353', {
        message: 'type, kullanıcı izinleriyle eşleştirilemiyor',
        location: ['type'],
        value: type,
        index,
      });
    }
  }

  /** Integrator-only endpoints: an HS user gets 400 H522; another integrator's code is 403 H353. */
  integrator(
    principal: Principal,
    rawIntegratorCode: string,
    options: { subscriptionQuery?: boolean } = {},
  ): Integrator {
    if (principal.kind !== 'INTEGRATOR') throw IysError.of('H522');
    const code = parsePathCode(rawIntegratorCode, 'integratorCode', 'H190');
    if (code !== principal.integratorCode) throw denied('integratorCode', code);
    if (!options.subscriptionQuery) this.gateSubscription(principal.integrator.subscription, code, false);
    return principal.integrator;
  }

  private gateSubscription(subscription: Subscription | null, ownerCode: number, subscriptionQuery: boolean): void {
    if (!subscription) throw IysError.of('H524', { message: `${ownerCode} için ait abonelik bulunamadı.` });
    switch (subscription.status) {
      case 'CLOSED':
        throw IysError.of('H521');
      case 'PAUSED':
      case 'EXPIRED':
        if (!subscriptionQuery)
          throw IysError.of('H520', {
            message: `Abonelik durumu ${subscription.status} iken api kullanılamamaktadır.`,
          });
        return;
      case 'ACTIVE':
        if (!subscription.hasApi && !subscriptionQuery) throw IysError.of('H586');
        return;
    }
  }
}
