import { CreateConsentRegistry1764300100000 } from './1764300100000-CreateConsentRegistry';
import { CreateIysSync1764300500000 } from './1764300500000-CreateIysSync';
import { LeanerImportWrites1764301100000 } from './1764301100000-LeanerImportWrites';
import { UndatedMerchantRecords1765400000000 } from './1765400000000-UndatedMerchantRecords';

/** The consent library's schema; a host application runs these beside its own migrations. */
export const consentMigrations = [
  CreateConsentRegistry1764300100000,
  CreateIysSync1764300500000,
  LeanerImportWrites1764301100000,
  UndatedMerchantRecords1765400000000,
];
