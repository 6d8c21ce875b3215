// The İYS vocabulary (iys-api.md §6), shared by the rules, the state and the controllers.

export const CONSENT_TYPES = ['ARAMA', 'MESAJ', 'EPOSTA'] as const;
export type ConsentType = (typeof CONSENT_TYPES)[number];

export const CONSENT_STATUSES = ['ONAY', 'RET'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export const RECIPIENT_TYPES = ['BIREYSEL', 'TACIR'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

/** Sources an HS or an integrator may send (§6.2). Everything else, IYS_* included, is H119. */
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

/** Sources only İYS produces (§6.3). The test surface accepts any IYS_* value, as clients must (§13). */
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

/** The coarse source groups of the change feed and the reconciliation summary. */
export type SourceGroup = 'HS' | 'IYS';

export const SUBSCRIPTION_STATUSES = ['ACTIVE', 'PAUSED', 'EXPIRED', 'CLOSED'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export function isConsentType(v: unknown): v is ConsentType {
  return v === 'ARAMA' || v === 'MESAJ' || v === 'EPOSTA';
}

export function isConsentStatus(v: unknown): v is ConsentStatus {
  return v === 'ONAY' || v === 'RET';
}

export function isRecipientType(v: unknown): v is RecipientType {
  return v === 'BIREYSEL' || v === 'TACIR';
}

const HS_SOURCE_SET: ReadonlySet<string> = new Set(HS_SOURCES);
export function isHsSource(v: unknown): v is HsSource {
  return typeof v === 'string' && HS_SOURCE_SET.has(v);
}

export function isIysSource(v: unknown): v is string {
  return typeof v === 'string' && /^IYS_[A-Z0-9_]+$/.test(v);
}

export function sourceGroupOf(source: string | null): SourceGroup {
  return source !== null && source.startsWith('IYS_') ? 'IYS' : 'HS';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
