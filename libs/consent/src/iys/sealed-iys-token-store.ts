import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'crypto';
import { Logger } from '@nestjs/common';
import { IysTokenRecord, IysTokenStore } from './iys-token-store';

/** The sealed form's prefix: the format's version, so a later format can tell its values from these. */
const PREFIX = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
type SealedField = 'accessToken' | 'refreshToken';
const SEALED_FIELDS: readonly SealedField[] = ['accessToken', 'refreshToken'];

/**
 * Keeps İYS's access and refresh tokens sealed in whatever store it wraps: AES-256-GCM under a key derived (HKDF)
 * from a secret the store never sees. A copy of the database (a backup, a replica, a read-only account) then holds
 * no token that could call İYS on the integrator's behalf.
 *
 * Each sealed value is bound to its API user and field: a value copied to another row or column does not open.
 * A value that does not open (another secret, tampering, a token stored in clear before sealing existed) reads as
 * no token, and the provider asks İYS for a fresh one: one token request, within the hourly budget.
 *
 * Every process sharing the store must share the secret. One that cannot open what another sealed would replace
 * the token, and the other would replace it back, each time spending one of the hour's few token requests: the
 * first value a process cannot open is logged as a warning naming the cause.
 *
 * The expiry dates, the hourly request count and the lease stay readable: they are no credential, and the
 * processes coordinate through them.
 */
export class SealedIysTokenStore extends IysTokenStore {
  private readonly key: Buffer;
  private readonly log = new Logger('IysTokens');
  private warned = false;

  constructor(
    private readonly inner: IysTokenStore,
    secret: string,
  ) {
    super();
    if (!secret) throw new Error('SealedIysTokenStore needs a non-empty secret');
    this.key = Buffer.from(hkdfSync('sha256', secret, 'izinli', 'iys-token-store v1', 32));
  }

  async read(account: string): Promise<IysTokenRecord> {
    const record = await this.inner.read(account);
    return {
      ...record,
      accessToken: this.open(account, 'accessToken', record.accessToken),
      refreshToken: this.open(account, 'refreshToken', record.refreshToken),
    };
  }

  async write(account: string, patch: Partial<IysTokenRecord>): Promise<void> {
    const sealed: Partial<IysTokenRecord> = { ...patch };
    for (const field of SEALED_FIELDS) {
      const value = patch[field];
      if (typeof value === 'string') sealed[field] = this.seal(account, field, value);
    }
    await this.inner.write(account, sealed);
  }

  lease(account: string, holder: string, until: Date, now: Date): Promise<boolean> {
    return this.inner.lease(account, holder, until, now);
  }

  release(account: string, holder: string): Promise<void> {
    return this.inner.release(account, holder);
  }

  private seal(account: string, field: SealedField, value: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(binding(account, field));
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  private open(account: string, field: SealedField, stored: string | null): string | null {
    if (stored === null || !stored.startsWith(PREFIX)) return null;
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(binding(account, field));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      if (!this.warned) {
        this.warned = true;
        this.log.warn(
          `a stored İYS ${field === 'accessToken' ? 'access' : 'refresh'} token does not open with this process's secret (another secret, or tampering): a new token will be requested; every process must share the same secret`,
        );
      }
      return null;
    }
  }
}

function binding(account: string, field: SealedField): Buffer {
  return Buffer.from(`${field}\u0000${account}`, 'utf8');
}
