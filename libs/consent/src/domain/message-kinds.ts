import type { IysType } from './iys-enums';

/** The channel Izinli would use for a message. PUSH is not an İYS channel (compliance.md §1). */
export const CHANNELS = ['EMAIL', 'SMS', 'CALL', 'PUSH'] as const;
export type Channel = (typeof CHANNELS)[number];

/** What a message is in law: it decides whether prior consent is needed (compliance.md §1). */
export const MESSAGE_KINDS = ['COMMERCIAL', 'TRANSACTIONAL', 'EXEMPT'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Declared purposes that are commercial: they always need consent. */
export const COMMERCIAL_PURPOSES = ['PROMOTION', 'BRAND_AWARENESS', 'GREETING', 'SURVEY', 'NEWSLETTER'] as const;

/** Declared purposes that are transactional, unless the content says otherwise. */
export const TRANSACTIONAL_PURPOSES = [
  'SUBSCRIPTION',
  'PAYMENT',
  'DEBT_REMINDER',
  'INFO_UPDATE',
  'ORDER',
  'DELIVERY',
  'SERVICE_NOTICE',
  'LEGAL_NOTICE',
  'SECURITY',
] as const;

export type CommercialPurpose = (typeof COMMERCIAL_PURPOSES)[number];
export type TransactionalPurpose = (typeof TRANSACTIONAL_PURPOSES)[number];
/** The purposes the API accepts, exactly as compliance.md §1 names them. */
export type Purpose = CommercialPurpose | TransactionalPurpose;
export const PURPOSES: readonly Purpose[] = [...COMMERCIAL_PURPOSES, ...TRANSACTIONAL_PURPOSES];

/** Why the consent gate refused a recipient (compliance.md §2). Stored and shown to clients: never rename. */
export const BLOCK_REASONS = ['NO_CONSENT', 'REFUSED', 'NOT_REGISTERED', 'SUPPRESSED'] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

export function isPurpose(value: unknown): value is Purpose {
  return typeof value === 'string' && (PURPOSES as readonly string[]).includes(value);
}

export function isCommercialPurpose(value: unknown): value is CommercialPurpose {
  return typeof value === 'string' && (COMMERCIAL_PURPOSES as readonly string[]).includes(value);
}

export function isTransactionalPurpose(value: unknown): value is TransactionalPurpose {
  return typeof value === 'string' && (TRANSACTIONAL_PURPOSES as readonly string[]).includes(value);
}

/** The kind a declared purpose starts from, before the content is read. */
export function purposeKind(purpose: Purpose): 'COMMERCIAL' | 'TRANSACTIONAL' {
  return isCommercialPurpose(purpose) ? 'COMMERCIAL' : 'TRANSACTIONAL';
}

/** The İYS type that governs a channel, or null for PUSH, which İYS does not cover. */
export function channelToIysType(channel: Channel): IysType | null {
  switch (channel) {
    case 'EMAIL':
      return 'EPOSTA';
    case 'SMS':
      return 'MESAJ';
    case 'CALL':
      return 'ARAMA';
    case 'PUSH':
      return null;
  }
}
