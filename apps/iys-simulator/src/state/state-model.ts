import type { ConsentStatus, ConsentType, RecipientType, SourceGroup, SubscriptionStatus } from '../core/iys-types';
import type { FeedEntry } from '../changes/pull-cursor';

// The in-memory model of one simulated İYS. Nothing here is shared between simulator instances.

/** One stored movement: what İYS keeps per write, and what pull, push, history and the daily file show. */
export interface Movement extends FeedEntry {
  iysCode: number;
  brandCode: number;
  recipient: string;
  recipientType: RecipientType;
  type: ConsentType;
  status: ConsentStatus;
  /** Null only for a TACIR record first stored without a source. */
  source: string | null;
  consentDate: string | null;
  consentMs: number | null;
  creationDate: string;
  group: SourceGroup;
  /** The key's status before this movement (null for the first); feeds the reconciliation summary. */
  previousStatus: ConsentStatus | null;
  retailerCode?: number;
  retailerAccess?: number[];
  citizenName?: string;
  /** Set when an async batch stored it; v2 batch results point back to it. */
  origin?: { requestId: string; subRequestId: string };
}

/** A consent key (brandCode, recipientType, type, recipient) and its movements, oldest first. */
export interface ConsentRecord {
  iysCode: number;
  brandCode: number;
  recipient: string;
  recipientType: RecipientType;
  type: ConsentType;
  movements: Movement[];
  current: Movement;
  retailerCode?: number;
  retailerAccess?: number[];
}

export interface Retailer {
  retailerCode: number;
  title: string;
}

export const PUSH_CREATED = 'Bağlantı Oluşturuldu';
export const PUSH_FAILED = 'Bağlantı Oluşturulamadı';

export interface PushConnection {
  url: string;
  type: ConsentType;
  username: string;
  password: string;
  status: typeof PUSH_CREATED | typeof PUSH_FAILED;
  registerTime: string;
}

export interface Brand {
  iysCode: number;
  brandCode: number;
  name: string;
  master: boolean;
  retailers: Map<number, Retailer>;
  /** Count of keys currently ONAY / RET (B1 stats). */
  stats: { approval: number; rejection: number };
  /** Movements by source group, sorted by (creationMs, seq): the change feed reads these. */
  feed: Record<SourceGroup, Movement[]>;
  pushConnections: PushConnection[];
  /** Report dates the HS confirmed with M3. */
  agreements: Set<string>;
}

export interface Subscription {
  subscriptionId: string;
  startDate: string;
  expirationDate: string;
  subscriptionPackageName: string;
  status: SubscriptionStatus;
  consentLimit: number;
  consentLimitExceed: boolean;
  /** False models a package without API access (H586). */
  hasApi: boolean;
}

export interface ServiceProvider {
  iysCode: number;
  title: string;
  brands: Map<number, Brand>;
  subscription: Subscription | null;
  /** Distinct consent keys stored across the HS's brands (S1 usedConsentLimit, H525). */
  usedConsentLimit: number;
}

export interface Authorisation {
  iysCode: number;
  brandCode: number;
  types: Set<ConsentType>;
  agreementControl: boolean;
  viaControl: boolean;
}

export interface Integrator {
  integratorCode: number;
  title: string;
  /** By brandCode. */
  authorisations: Map<number, Authorisation>;
  subscription: Subscription | null;
}

export type UserOwner = { kind: 'HS'; iysCode: number } | { kind: 'INTEGRATOR'; integratorCode: number };

export interface ApiUser {
  username: string;
  password: string;
  /** İYS refuses tokens to web admins ("Beklenmeyen kullanıcı rolü: admin."). */
  role: 'API_USER' | 'admin';
  owner: UserOwner;
}

export interface TokenSession {
  username: string;
  expiresMs: number;
}

export interface BatchItem {
  index: number;
  subRequestId: string;
  command: import('../consents/consent-rules').ConsentCommand;
}

export type BatchItemResult =
  | {
      index: number;
      subRequestId: string;
      status: 'success';
      transactionId: string;
      creationDate: string;
      original?: { requestId: string; subRequestId: string };
    }
  | { index: number; subRequestId: string; status: 'failure'; error: { code: string; message: string } };

export interface BatchRequest {
  requestId: string;
  iysCode: number;
  brandCode: number;
  version: 1 | 2;
  acceptedMs: number;
  dueMs: number;
  items: BatchItem[];
  results: BatchItemResult[] | null;
}
