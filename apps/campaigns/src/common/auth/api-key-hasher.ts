import { createHash, randomBytes } from 'crypto';

/**
 * API keys are 32 random bytes, so a fast hash is enough to keep them safe at rest (there is nothing to
 * brute-force); only the hash and a short prefix for recognising a key are stored.
 */
export function generateApiKey(kind: 'sp' | 'op'): string {
  return `izk_${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function keyPrefix(key: string): string {
  return key.slice(0, 12);
}
