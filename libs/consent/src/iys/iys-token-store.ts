/** What is kept per İYS API user, shared by every process that calls İYS as that user. */
export interface IysTokenRecord {
  accessToken: string | null;
  refreshToken: string | null;
  accessExpiresAt: Date | null;
  refreshExpiresAt: Date | null;
  /** Requests to the token endpoint in the last hour, by any process: the hourly limit counts them all. */
  recentRequests: Date[];
  /** After H084, no token request before this instant (a request inside the hour restarts İYS's count). */
  haltedUntil: Date | null;
}

export const EMPTY_TOKEN_RECORD: IysTokenRecord = {
  accessToken: null,
  refreshToken: null,
  accessExpiresAt: null,
  refreshExpiresAt: null,
  recentRequests: [],
  haltedUntil: null,
};

/**
 * The port behind token caching. It holds the tokens and the hourly request count, and a lease so that one process
 * at a time asks İYS for a token: ten workers starting together must cost one token request, not ten, when the
 * limit is ten an hour. The library's default keeps them in PostgreSQL (they also survive a restart); the
 * in-process adapter is for tests and single-process embedding.
 */
export abstract class IysTokenStore {
  abstract read(account: string): Promise<IysTokenRecord>;
  abstract write(account: string, patch: Partial<IysTokenRecord>): Promise<void>;
  /** Becomes the one process allowed to request a token for `account` until `until`; false while another holds it. */
  abstract lease(account: string, holder: string, until: Date, now: Date): Promise<boolean>;
  abstract release(account: string, holder: string): Promise<void>;
}

export class InProcessIysTokenStore extends IysTokenStore {
  private readonly records = new Map<string, IysTokenRecord>();
  private readonly leases = new Map<string, { holder: string; until: number }>();

  async read(account: string): Promise<IysTokenRecord> {
    const r = this.records.get(account) ?? EMPTY_TOKEN_RECORD;
    return { ...r, recentRequests: [...r.recentRequests] };
  }

  async write(account: string, patch: Partial<IysTokenRecord>): Promise<void> {
    this.records.set(account, { ...(this.records.get(account) ?? EMPTY_TOKEN_RECORD), ...patch });
  }

  async lease(account: string, holder: string, until: Date, now: Date): Promise<boolean> {
    const current = this.leases.get(account);
    if (current && current.holder !== holder && current.until > now.getTime()) return false;
    this.leases.set(account, { holder, until: until.getTime() });
    return true;
  }

  async release(account: string, holder: string): Promise<void> {
    if (this.leases.get(account)?.holder === holder) this.leases.delete(account);
  }
}
