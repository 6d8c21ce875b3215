import { CreateTenancy1764300000000 } from './1764300000000-CreateTenancy';
import { CreateCampaigns1764300200000 } from './1764300200000-CreateCampaigns';
import { CreateWebhookDeliveries1764300600000 } from './1764300600000-CreateWebhookDeliveries';
import { CreateMessages1764301000000 } from './1764301000000-CreateMessages';
import { CreateUnsubscribes1765200000000 } from './1765200000000-CreateUnsubscribes';
import { ApiKeyRotation1765300000000 } from './1765300000000-ApiKeyRotation';
import { CampaignWaiting1765500000000 } from './1765500000000-CampaignWaiting';

/** The app's migrations; the libraries' own lists are added beside them in the app module. */
export const appMigrations = [
  CreateTenancy1764300000000,
  CreateCampaigns1764300200000,
  CreateWebhookDeliveries1764300600000,
  CreateMessages1764301000000,
  CreateUnsubscribes1765200000000,
  ApiKeyRotation1765300000000,
  CampaignWaiting1765500000000,
];
