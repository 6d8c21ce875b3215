import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  KeyObject,
  randomFillSync,
  timingSafeEqual,
} from 'crypto';
import type { RecipientType } from '@izinli/consent';

/** What an unsubscribe link names (design.md "Unsubscribe (public)"): the brand, the recipient and the message. */
export interface UnsubscribeClaims {
  brandId: string;
  recipient: string;
  recipientType: RecipientType;
  /** The Message-ID of the mail the link came from, without angle brackets. */
  messageId: string;
}

/** Claims read back from a token; `issuedAt` is absent for a legacy (format 1) token, which did not carry it. */
export interface VerifiedUnsubscribeClaims extends UnsubscribeClaims {
  issuedAt?: Date;
}

export const UNSUBSCRIBE_SECRET = Symbol('UNSUBSCRIBE_SECRET');
/** Secrets rotated out of signing that still verify links already in mailboxes (UNSUBSCRIBE_SECRET_PREVIOUS). */
export const UNSUBSCRIBE_PREVIOUS_SECRETS = Symbol('UNSUBSCRIBE_PREVIOUS_SECRETS');

// Links live in mailboxes for years, but a token far longer than any real one is refused before any work.
const MAX_TOKEN_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

// Format 1 (legacy, verify only): `<base64url JSON array>.<base64url HMAC-SHA256>`, the address readable.
const FORMAT_LEGACY = 1;
// Format 2: base64url(version ‖ nonce ‖ AES-256-GCM(payload) ‖ tag), the version byte authenticated as AAD.
const FORMAT_SEALED = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
// brand UUID (16) ‖ recipient type (1) ‖ issued-at, Unix seconds (4) ‖ recipient length (2); then the recipient
// and the Message-ID, both UTF-8, the Message-ID taking the rest.
const FIXED_BYTES = 16 + 1 + 4 + 2;
const MAX_FIELD_BYTES = 0xffff;
// Its own HKDF label: the same secret also derives the key sealing İYS tokens ('iys-token-store v1').
const KEY_INFO = 'unsubscribe-token v2';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The keys one secret gives: the AES key of sealed tokens and the HMAC key of legacy ones. */
interface TokenKeys {
  seal: KeyObject;
  legacyMac: KeyObject;
}

function keysOf(secret: string): TokenKeys {
  if (!secret) throw new Error('an unsubscribe token secret must not be empty');
  return {
    seal: createSecretKey(Buffer.from(hkdfSync('sha256', secret, 'izinli', KEY_INFO, 32))),
    legacyMac: createSecretKey(Buffer.from(secret, 'utf8')),
  };
}

const VERSION_AAD = Buffer.from([FORMAT_SEALED]);

// Nonces come from a pool refilled a few hundred at a time: one call into the random generator per token costs
// about as much as the rest of minting it, and a campaign mints one token per message.
const NONCE_POOL_BYTES = NONCE_BYTES * 512;
let noncePool = Buffer.alloc(0);
let noncePoolOffset = NONCE_POOL_BYTES;

function nextNonce(): Buffer {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    // A fresh buffer each time: nonces already handed out stay as they were.
    noncePool = randomFillSync(Buffer.allocUnsafe(NONCE_POOL_BYTES));
    noncePoolOffset = 0;
  }
  const nonce = noncePool.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

// A campaign's messages name one brand: its 16 bytes are parsed once, not per token.
const brandBytes = new Map<string, Buffer>();
const BRAND_CACHE_SIZE = 1024;

function brandIdBytes(brandId: string): Buffer {
  let bytes = brandBytes.get(brandId);
  if (!bytes) {
    if (!UUID.test(brandId)) throw new Error('an unsubscribe token names a brand UUID');
    bytes = Buffer.from(brandId.replace(/-/g, ''), 'hex');
    if (brandBytes.size >= BRAND_CACHE_SIZE) brandBytes.clear();
    brandBytes.set(brandId, bytes);
  }
  return bytes;
}

/**
 * Seals claims into an opaque, URL-safe token: AES-256-GCM under a key derived (HKDF-SHA256) from the secret, with
 * a random 96-bit nonce. Whoever holds the link learns nothing from it (not the address, not the ids), and cannot
 * change a bit of it without the secret.
 */
function sealToken(keys: TokenKeys, claims: UnsubscribeClaims, issuedAt: Date): string {
  const recipientLength = Buffer.byteLength(claims.recipient, 'utf8');
  const messageIdLength = Buffer.byteLength(claims.messageId, 'utf8');
  if (recipientLength > MAX_FIELD_BYTES || messageIdLength > MAX_FIELD_BYTES)
    throw new Error('an unsubscribe token field is too long');
  const plainLength = FIXED_BYTES + recipientLength + messageIdLength;
  const plain = Buffer.allocUnsafe(plainLength);
  brandIdBytes(claims.brandId).copy(plain, 0);
  plain.writeUInt8(claims.recipientType === 'TACIR' ? 1 : 0, 16);
  plain.writeUInt32BE(Math.max(0, Math.min(0xffffffff, Math.floor(issuedAt.getTime() / 1000))), 17);
  plain.writeUInt16BE(recipientLength, 21);
  plain.write(claims.recipient, FIXED_BYTES, 'utf8');
  plain.write(claims.messageId, FIXED_BYTES + recipientLength, 'utf8');

  const nonce = nextNonce();
  const cipher = createCipheriv('aes-256-gcm', keys.seal, nonce);
  cipher.setAAD(VERSION_AAD);
  const body = cipher.update(plain);
  // GCM is a stream mode: final() adds nothing, and the ciphertext is exactly as long as the payload.
  cipher.final();
  return Buffer.concat(
    [VERSION_AAD, nonce, body, cipher.getAuthTag()],
    1 + NONCE_BYTES + plainLength + TAG_BYTES,
  ).toString('base64url');
}

function openToken(keys: TokenKeys, raw: Buffer): VerifiedUnsubscribeClaims | null {
  const bodyLength = raw.length - 1 - NONCE_BYTES - TAG_BYTES;
  if (raw[0] !== FORMAT_SEALED || bodyLength < FIXED_BYTES) return null;
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.seal, raw.subarray(1, 1 + NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(VERSION_AAD);
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    plain = decipher.update(raw.subarray(1 + NONCE_BYTES, raw.length - TAG_BYTES));
    decipher.final();
  } catch {
    return null;
  }
  const type = plain.readUInt8(16);
  const recipientLength = plain.readUInt16BE(21);
  if (type > 1 || FIXED_BYTES + recipientLength > plain.length) return null;
  const hex = plain.toString('hex', 0, 16);
  return {
    brandId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    recipient: plain.toString('utf8', FIXED_BYTES, FIXED_BYTES + recipientLength),
    recipientType: type === 1 ? 'TACIR' : 'BIREYSEL',
    messageId: plain.toString('utf8', FIXED_BYTES + recipientLength),
    issuedAt: new Date(plain.readUInt32BE(17) * 1000),
  };
}

function legacyMac(key: KeyObject, payload: string): Buffer {
  return createHmac('sha256', key).update(`izinli-unsubscribe.${payload}`).digest();
}

/** A format-1 token (readable payload, HMAC): still accepted for links in mail sent before format 2. */
function openLegacyToken(keys: TokenKeys, payload: string, signature: string): VerifiedUnsubscribeClaims | null {
  const given = Buffer.from(signature, 'base64url');
  const expected = legacyMac(keys.legacyMac, payload);
  // Compare in constant time; the length check first because timingSafeEqual refuses unequal lengths.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== FORMAT_LEGACY) return null;
  const [, brandId, recipient, type, messageId] = parsed as unknown[];
  if (typeof brandId !== 'string' || typeof recipient !== 'string' || typeof messageId !== 'string') return null;
  if (type !== 'B' && type !== 'T') return null;
  return { brandId, recipient, recipientType: type === 'T' ? 'TACIR' : 'BIREYSEL', messageId };
}

function verifyWith(keyring: readonly TokenKeys[], token: unknown): VerifiedUnsubscribeClaims | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf('.');
  if (dot === -1) {
    if (!BASE64URL.test(token)) return null;
    const raw = Buffer.from(token, 'base64url');
    for (const keys of keyring) {
      const claims = openToken(keys, raw);
      if (claims) return claims;
    }
    return null;
  }
  if (dot === 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) return null;
  for (const keys of keyring) {
    const claims = openLegacyToken(keys, payload, signature);
    if (claims) return claims;
  }
  return null;
}

/** An opaque token for these claims under this secret (what every new mail carries). */
export function signUnsubscribeToken(secret: string, claims: UnsubscribeClaims, issuedAt = new Date()): string {
  return sealToken(keysOf(secret), claims, issuedAt);
}

/** The claims of a token this secret made (either format), or null for anything tampered, truncated or unknown. */
export function verifyUnsubscribeToken(secret: string, token: unknown): VerifiedUnsubscribeClaims | null {
  return verifyWith([keysOf(secret)], token);
}

/**
 * The token functions bound to this installation's secrets: new links are sealed under UNSUBSCRIBE_SECRET (or the
 * generated one); links are read under it and under each of UNSUBSCRIBE_SECRET_PREVIOUS, newest first, so a
 * rotation leaves the links already in mailboxes working until their secret is dropped from that list.
 */
@Injectable()
export class UnsubscribeTokens {
  // Derived once: every message of a campaign carries a token, and deriving or importing a key per token is
  // measurable.
  private readonly keyring: readonly TokenKeys[];

  constructor(
    @Inject(UNSUBSCRIBE_SECRET) secret: string,
    @Optional() @Inject(UNSUBSCRIBE_PREVIOUS_SECRETS) previous: readonly string[] = [],
  ) {
    this.keyring = [secret, ...(previous ?? []).filter((s) => s !== secret)].map(keysOf);
  }

  sign(claims: UnsubscribeClaims, issuedAt = new Date()): string {
    return sealToken(this.keyring[0], claims, issuedAt);
  }

  verify(token: unknown): VerifiedUnsubscribeClaims | null {
    return verifyWith(this.keyring, token);
  }
}
