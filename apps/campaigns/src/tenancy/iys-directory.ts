import type { BrandRow, ServiceProviderRow } from './tenancy.repository';

/**
 * Told about every service provider and brand created in Izinli. With the in-process İYS simulator
 * (no IYS_URL) the app binds an implementation that registers them there, so a newcomer's first consent
 * and first unsubscribe travel the whole path; with a real İYS nothing is needed and the default does nothing,
 * because İYS learns of HSs and brands through its own onboarding, not through an integrator.
 */
export abstract class IysDirectory {
  abstract serviceProviderCreated(sp: ServiceProviderRow): Promise<void>;
  abstract brandCreated(sp: ServiceProviderRow, brand: BrandRow): Promise<void>;
}

export class RealIysDirectory extends IysDirectory {
  async serviceProviderCreated(): Promise<void> {}
  async brandCreated(): Promise<void> {}
}
