// The İYS enumerations, spelled exactly as İYS spells them on the wire (iys-api.md §6). These strings are
// stored in the database and sent to İYS: never rename or translate them.

/** İYS channel of a consent: e-mail, SMS or voice call (iys-api.md §6.1). */
export const IYS_TYPES = ['EPOSTA', 'MESAJ', 'ARAMA'] as const;
export type IysType = (typeof IYS_TYPES)[number];

/** ONAY: the recipient approves commercial messages; RET: refused or withdrawn. */
export const CONSENT_STATUSES = ['ONAY', 'RET'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** BIREYSEL is the default; TACIR (merchant or tradesperson) needs no prior consent but may refuse. */
export const RECIPIENT_TYPES = ['BIREYSEL', 'TACIR'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

/**
 * Sources a service provider or its integrator may send (iys-api.md §6.2). `HS_2015` requires the consentDate
 * `2015-05-01 00:00:00`; `HS_KARAR` is for RET only and never a key's first movement.
 */
export const HS_SOURCES = [
  'HS_2015',
  'HS_KARAR',
  'HS_FIZIKSEL_ORTAM',
  'HS_ISLAK_IMZA',
  'HS_ETKINLIK',
  'HS_ATM',
  'HS_EORTAM',
  'HS_WEB',
  'HS_MOBIL',
  'HS_MESAJ',
  'HS_EPOSTA',
  'HS_CAGRI_MERKEZI',
  'HS_SOSYAL_MEDYA',
] as const;
export type HsSource = (typeof HS_SOURCES)[number];

/**
 * Sources only İYS produces, when the recipient acted through İYS itself or a carrier reported a closed line
 * (iys-api.md §6.3). They arrive through pull, push and history; a service provider never sends them.
 */
export const IYS_SOURCES = [
  'IYS_KISAMESAJ',
  'IYS_CM',
  'IYS_WEB',
  'IYS_WEB_YENI',
  'IYS_MOBIL',
  'IYS_EPOSTA',
  'IYS_AHS_HAT_KAPATMA',
  'IYS_FRAME_EPOSTA',
  'IYS_FRAME_SMS',
] as const;
export type IysSource = (typeof IYS_SOURCES)[number];

export type ConsentSource = HsSource | IysSource;
export const CONSENT_SOURCES: readonly ConsentSource[] = [...HS_SOURCES, ...IYS_SOURCES];

export function isIysType(value: unknown): value is IysType {
  return typeof value === 'string' && (IYS_TYPES as readonly string[]).includes(value);
}

export function isConsentStatus(value: unknown): value is ConsentStatus {
  return typeof value === 'string' && (CONSENT_STATUSES as readonly string[]).includes(value);
}

export function isRecipientType(value: unknown): value is RecipientType {
  return typeof value === 'string' && (RECIPIENT_TYPES as readonly string[]).includes(value);
}

/** True for the HS_* values a service provider may send to İYS. */
export function isHsSource(value: unknown): value is HsSource {
  return typeof value === 'string' && (HS_SOURCES as readonly string[]).includes(value);
}

/** True for the IYS_* values named in iys-api.md §6.3. */
export function isIysSource(value: unknown): value is IysSource {
  return typeof value === 'string' && (IYS_SOURCES as readonly string[]).includes(value);
}

/**
 * True for any value that marks an İYS-side movement, including names İYS has not documented (older lists
 * carry `IYS_3338` and `IYS_KISA_LINK`). iys-api.md §6.3 asks clients not to fail on unknown IYS_* values,
 * so code reading İYS's feeds should branch on this rather than on `isIysSource`.
 */
export function isIysSideSource(value: unknown): boolean {
  return typeof value === 'string' && /^IYS_[A-Z0-9_]+$/.test(value);
}
