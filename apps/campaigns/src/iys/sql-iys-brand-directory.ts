import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConsentBrand, IysBrandDirectory } from '@izinli/consent';
import { sqlOne, sqlRows } from '@izinli/database';

const COLUMNS = `b.id, b.service_provider_id AS "tenantId", sp.iys_code AS "iysCode", b.brand_code AS "brandCode", b.iys_sync AS "iysSync"`;

/** The app's brands, as the sync engine sees them. */
@Injectable()
export class SqlIysBrandDirectory extends IysBrandDirectory {
  constructor(private readonly ds: DataSource) {
    super();
  }

  syncedBrands(): Promise<ConsentBrand[]> {
    return sqlRows<ConsentBrand>(
      this.ds,
      `SELECT ${COLUMNS} FROM brands b JOIN service_providers sp ON sp.id = b.service_provider_id WHERE b.iys_sync = 'PLATFORM' ORDER BY b.brand_code`,
    );
  }

  byBrandCode(brandCode: string): Promise<ConsentBrand | undefined> {
    if (!/^\d{1,12}$/.test(brandCode)) return Promise.resolve(undefined);
    return sqlOne<ConsentBrand>(
      this.ds,
      `SELECT ${COLUMNS} FROM brands b JOIN service_providers sp ON sp.id = b.service_provider_id WHERE b.brand_code = $1`,
      [brandCode],
    );
  }
}
