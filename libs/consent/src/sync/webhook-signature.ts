import { createHmac, randomBytes, timingSafeEqual } from 'crypto';

/** The header that carries a webhook's signature (design.md, "Suppression, İYS outbox, webhooks"). */
export const WEBHOOK_SIGNATURE_HEADER = 'Izinli-Signature';
/** Receivers refuse a signature whose timestamp is further than this from their clock: a replayed delivery. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** A new signing secret: 32 random bytes, prefixed so that one found in a log or a file says what it is. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the brand's secret. */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmac(secret, timestampSeconds, body)}`;
}

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'MALFORMED' | 'TIMESTAMP_OUT_OF_TOLERANCE' | 'SIGNATURE_MISMATCH' };

/**
 * The receiver's side, and the recipe a brand's own endpoint follows: read `t` and every `v1` from the header,
 * refuse a timestamp more than `toleranceSeconds` away from now, recompute the HMAC over the raw body bytes as
 * received (not a re-serialised JSON) and compare in constant time. Several `v1` values may appear while a secret
 * is being replaced; one match is enough.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  rawBody: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
  toleranceSeconds: number = WEBHOOK_TOLERANCE_SECONDS,
): WebhookVerification {
  if (!header) return { ok: false, reason: 'MALFORMED' };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) signatures.push(v);
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, reason: 'MALFORMED' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'TIMESTAMP_OUT_OF_TOLERANCE' };
  const expected = Buffer.from(hmac(secret, timestamp, rawBody), 'hex');
  const match = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match ? { ok: true, timestamp } : { ok: false, reason: 'SIGNATURE_MISMATCH' };
}

function hmac(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}
