import type { ConsentBrand } from '../registry/consent.types';

/**
 * The brands the host knows, as the sync engine needs them: which to pull from İYS, and which brand a pushed
 * movement belongs to. The library has no brands table of its own; the host binds this port.
 */
export abstract class IysBrandDirectory {
  /** Brands Izinli syncs with İYS itself (PLATFORM mode). */
  abstract syncedBrands(): Promise<ConsentBrand[]>;
  abstract byBrandCode(brandCode: string): Promise<ConsentBrand | undefined>;
}

/** The default when the host binds no directory: no brand is pulled and every push is ignored. */
export class EmptyIysBrandDirectory extends IysBrandDirectory {
  async syncedBrands(): Promise<ConsentBrand[]> {
    return [];
  }
  async byBrandCode(): Promise<ConsentBrand | undefined> {
    return undefined;
  }
}
