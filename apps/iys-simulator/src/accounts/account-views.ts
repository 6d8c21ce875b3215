import { CONSENT_TYPES } from '../core/iys-types';
import type { Authorisation, Brand, ServiceProvider, Subscription } from '../state/state-model';

// Shapes of the brand, integrator and subscription endpoints (B1–B3, S1, S2; iys-api.md §5.9).

export function brandView(brand: Brand): Record<string, unknown> {
  const { approval, rejection } = brand.stats;
  return {
    brandCode: brand.brandCode,
    name: brand.name,
    master: brand.master,
    stats: {
      consents: { approval, rejection, total: approval + rejection },
      retailers: { total: brand.retailers.size },
    },
  };
}

/** One authorised brand in an integrator listing; a type the HS did not authorise is simply absent. */
export function integratorBrandView(a: Authorisation, brand: Brand, sp: ServiceProvider): Record<string, unknown> {
  const view: Record<string, unknown> = {
    brandCode: brand.brandCode,
    name: brand.name,
    master: brand.master,
    title: sp.title,
    iysCode: sp.iysCode,
    agreementControl: a.agreementControl,
  };
  for (const type of CONSENT_TYPES) if (a.types.has(type)) view[type] = 'write';
  view.viaControl = a.viaControl;
  return view;
}

/** S1 / S2. Integrators never see the consent quota fields. */
export function subscriptionView(s: Subscription, usedConsentLimit: number | null): Record<string, unknown> {
  const view: Record<string, unknown> = {
    subscriptionId: s.subscriptionId,
    startDate: s.startDate,
    expirationDate: s.expirationDate,
    subscriptionPackageName: s.subscriptionPackageName,
    status: s.status,
  };
  if (usedConsentLimit !== null) {
    view.consentLimit = s.consentLimit;
    view.consentLimitExceed = s.consentLimitExceed;
    view.usedConsentLimit = usedConsentLimit;
  }
  return view;
}
