import type { ConsentBrand } from '@izinli/consent';
import type { BrandRow } from '../tenancy/tenancy.repository';

/** The consent library's view of a brand of the app. */
export function toConsentBrand(b: BrandRow): ConsentBrand {
  return { id: b.id, tenantId: b.serviceProviderId, iysCode: b.iysCode, brandCode: b.brandCode, iysSync: b.iysSync };
}
