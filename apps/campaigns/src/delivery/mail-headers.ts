import type { MessageKind } from '@izinli/consent';

/** What the headers of one campaign message are built from. */
export interface HeaderInput {
  campaignId: string;
  ledgerId: string;
  kind: Extract<MessageKind, 'COMMERCIAL' | 'TRANSACTIONAL'>;
  brandCode: string;
  fromEmail: string;
  listId: string;
  listName: string;
  /** The service provider's İYS code: the sender named in Feedback-ID. */
  senderId: string;
  /** Absolute unsubscribe URL; required for commercial mail. */
  unsubscribeUrl: string | null;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = at === -1 ? '' : address.slice(at + 1).toLowerCase();
  return /^[a-z0-9.-]+$/.test(domain) ? domain : 'izinli.invalid';
}

/**
 * `<c{campaignId}.r{ledgerId}@{from domain}>`: the same message always carries the same id, so a send repeated
 * after a crash is recognisably the same mail to a receiver that de-duplicates.
 */
export function campaignMessageId(campaignId: string, ledgerId: string, fromEmail: string): string {
  return `<c${campaignId}.r${ledgerId}@${domainOf(fromEmail)}>`;
}

const TO_ASCII: Record<string, string> = {
  ı: 'i',
  İ: 'I',
  ş: 's',
  Ş: 'S',
  ğ: 'g',
  Ğ: 'G',
  ü: 'u',
  Ü: 'U',
  ö: 'o',
  Ö: 'O',
  ç: 'c',
  Ç: 'C',
};

/**
 * A list name as the phrase of List-Id: ASCII letters, digits, spaces and dashes only (Turkish letters spelled
 * without their marks). Words of those characters need no quoting, and a header with no quote and no 8-bit
 * character is left as it is by the mailer instead of being wrapped, identifier and all, in an encoded-word that
 * filters could no longer read.
 */
function phrase(s: string): string {
  return s
    .replace(/[ıİşŞğĞüÜöÖçÇ]/g, (ch) => TO_ASCII[ch])
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9 _-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100)
    .trim();
}

/** RFC 2919: one identifier per brand and list, stable across campaigns, so receivers can filter and report by list. */
export function listIdHeader(listId: string, listName: string, brandCode: string): string {
  const id = `${listId.toLowerCase()}.${brandCode}.izinli`;
  const name = phrase(listName);
  return name ? `${name} <${id}>` : `<${id}>`;
}

/** Gmail's Feedback-ID: campaign, brand, kind (the stream) and sender, so complaint rates can be told apart. */
export function feedbackId(campaignId: string, brandCode: string, kind: HeaderInput['kind'], senderId: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '');
  return `${clean(campaignId)}:${clean(brandCode)}:${kind.toLowerCase()}:${clean(senderId)}`;
}

/** The headers every message of one campaign shares (List-Id, Feedback-ID): built once per campaign, not per message. */
export function sharedCampaignHeaders(h: Omit<HeaderInput, 'ledgerId' | 'unsubscribeUrl'>): Record<string, string> {
  return {
    'List-Id': listIdHeader(h.listId, h.listName, h.brandCode),
    'Feedback-ID': feedbackId(h.campaignId, h.brandCode, h.kind, h.senderId),
  };
}

/**
 * The headers of one message from its campaign's shared ones. Commercial mail carries the one-click unsubscribe
 * pair (RFC 2369, RFC 8058, compliance.md §6); transactional mail carries none, so the two streams stay apart.
 * Always a fresh object: the shared one is never handed out to be changed.
 */
export function messageHeaders(
  kind: HeaderInput['kind'],
  shared: Readonly<Record<string, string>>,
  unsubscribeUrl: string | null,
): Record<string, string> {
  if (kind !== 'COMMERCIAL') return { ...shared };
  if (!unsubscribeUrl) throw new Error('commercial mail needs an unsubscribe URL');
  return {
    ...shared,
    'List-Unsubscribe': `<${unsubscribeUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** The headers of a campaign message (see messageHeaders). */
export function campaignHeaders(h: HeaderInput): Record<string, string> {
  return messageHeaders(h.kind, sharedCampaignHeaders(h), h.unsubscribeUrl);
}
