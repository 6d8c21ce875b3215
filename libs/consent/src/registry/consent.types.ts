import type { ConsentStatus, IysType, RecipientType } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';

/** Evidence kept with a movement (compliance.md §4); unchangeable once recorded. */
export interface ConsentEvidence {
  capturedAt?: string;
  ip?: string;
  userAgent?: string;
  location?: string;
  consentText?: string;
  consentTextVersion?: string;
  reference?: string;
  /** Unsubscribes: the message the link came from. */
  messageId?: string;
}

/** The brand a movement belongs to, as the host application knows it. */
export interface ConsentBrand {
  id: string;
  /** The owner (service provider) of the brand, for suppression scope. */
  tenantId: string;
  iysCode: string;
  brandCode: string;
  /** PLATFORM: Izinli sends movements to İYS. CUSTOMER: the HS syncs İYS itself. */
  iysSync: 'PLATFORM' | 'CUSTOMER';
}

export type MovementOrigin = 'API' | 'IMPORT' | 'UNSUBSCRIBE' | 'IYS_PULL' | 'IYS_PUSH' | 'CUSTOMER';

/** A movement as a client submits it, before normalisation. */
export interface MovementInput {
  recipient: string;
  type: IysType;
  status: ConsentStatus;
  /** An HS_* source. Only a merchant's (TACIR) first record may leave it out (iys-api.md §7 rule 15). */
  source?: string | null;
  /**
   * ISO 8601 with an offset, or İYS's `YYYY-MM-DD HH:mm:ss` (Turkey time). Defaults to now, except on a TACIR
   * movement without a source: that one is recorded undated, as İYS allows for a merchant's first record.
   */
  consentDate?: string | Date | null;
  recipientType?: RecipientType;
  evidence?: ConsentEvidence;
}

export interface IysView {
  state: IysSyncState;
  transactionId?: string;
  creationDate?: string;
  errorCode?: string;
  reason?: string;
  deadline?: string;
}

export interface MovementView {
  status: ConsentStatus;
  /** Null only for a merchant's (TACIR) first record registered without one. */
  consentDate: string | null;
  /** Null only for a merchant's (TACIR) first record registered without one. */
  source: string | null;
  recordedAt: string;
  origin: MovementOrigin;
  recordedBy: string;
  stale: boolean;
  evidence?: ConsentEvidence;
  iys: IysView;
}

export interface ConsentView {
  brandCode: string;
  recipient: string;
  type: IysType;
  recipientType: RecipientType;
  status: ConsentStatus;
  /** Null while the movement in force is a merchant's (TACIR) first record registered without one. */
  consentDate: string | null;
  /** Null while the movement in force is a merchant's (TACIR) first record registered without one. */
  source: string | null;
  iys: IysView;
  history: MovementView[];
}
