import { Inject, Injectable } from '@nestjs/common';
import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from 'crypto';
import type { RecipientType } from '@izinli/consent';

/** What an unsubscribe link names (design.md "Unsubscribe"): the brand, the recipient and the message. */
export interface UnsubscribeClaims {
  brandId: string;
  recipient: string;
  recipientType: RecipientType;
  /** The Message-ID of the mail the link came from, without angle brackets. */
  messageId: string;
}

export const UNSUBSCRIBE_SECRET = Symbol('UNSUBSCRIBE_SECRET');

// The first element of the signed array: a later format gets a new number, and old links keep verifying.
const FORMAT_V1 = 1;
// Links live in mailboxes for years, but a token far longer than any real one is refused before any work.
const MAX_TOKEN_LENGTH = 2048;

function mac(secret: string | KeyObject, payload: string): Buffer {
  return createHmac('sha256', secret).update(`izinli-unsubscribe.${payload}`).digest();
}

/**
 * Signs claims as `<payload>.<signature>`, both base64url: the payload is a compact JSON array, the signature an
 * HMAC-SHA256 of it under the unsubscribe secret. The claims are readable by whoever holds the link (they are
 * the recipient's own address and ids), but cannot be changed without the secret.
 */
export function signUnsubscribeToken(secret: string | KeyObject, claims: UnsubscribeClaims): string {
  const payload = Buffer.from(
    JSON.stringify([
      FORMAT_V1,
      claims.brandId,
      claims.recipient,
      claims.recipientType === 'TACIR' ? 'T' : 'B',
      claims.messageId,
    ]),
    'utf8',
  ).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The claims of a token this secret signed, or null for anything tampered, truncated or unknown. */
export function verifyUnsubscribeToken(secret: string | KeyObject, token: unknown): UnsubscribeClaims | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(signature)) return null;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, payload);
  // Compare in constant time; the length check first because timingSafeEqual refuses unequal lengths.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== FORMAT_V1) return null;
  const [, brandId, recipient, type, messageId] = parsed as unknown[];
  if (typeof brandId !== 'string' || typeof recipient !== 'string' || typeof messageId !== 'string') return null;
  if (type !== 'B' && type !== 'T') return null;
  return { brandId, recipient, recipientType: type === 'T' ? 'TACIR' : 'BIREYSEL', messageId };
}

/** The token functions bound to this installation's secret (UNSUBSCRIBE_SECRET, or the generated one). */
@Injectable()
export class UnsubscribeTokens {
  // Imported once: every message of a campaign is signed, and importing a raw key per signature is measurable.
  private readonly key: KeyObject;

  constructor(@Inject(UNSUBSCRIBE_SECRET) secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(claims: UnsubscribeClaims): string {
    return signUnsubscribeToken(this.key, claims);
  }

  verify(token: unknown): UnsubscribeClaims | null {
    return verifyUnsubscribeToken(this.key, token);
  }
}
