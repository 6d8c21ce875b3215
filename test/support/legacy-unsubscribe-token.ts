import { createHmac } from 'crypto';
import type { UnsubscribeClaims } from '../../apps/campaigns/src/unsubscribe/unsubscribe-token';

/**
 * A format-1 unsubscribe token, built here byte for byte as mail sent before format 2 carries it (readable JSON
 * payload, HMAC-SHA256 under the raw secret): the app no longer mints these, and must keep reading them.
 */
export function legacyUnsubscribeToken(
  secret: string,
  claims: UnsubscribeClaims,
  payloadArray: unknown[] = [
    1,
    claims.brandId,
    claims.recipient,
    claims.recipientType === 'TACIR' ? 'T' : 'B',
    claims.messageId,
  ],
): string {
  const payload = Buffer.from(JSON.stringify(payloadArray), 'utf8').toString('base64url');
  const signature = createHmac('sha256', secret).update(`izinli-unsubscribe.${payload}`).digest('base64url');
  return `${payload}.${signature}`;
}

/** Every way an address can show in a token: as text, or base64/base64url at any of the three byte alignments. */
export function addressTraces(address: string): string[] {
  const traces = [address];
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), Buffer.from(address, 'utf8')]).toString('base64');
    // Drop the characters that mix in the padding bytes or the next byte: what is left is always present.
    const core = b64.slice(shift === 0 ? 0 : Math.ceil((shift * 8) / 6) + 1, -4);
    traces.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return traces.filter((t) => t.length >= 8);
}
