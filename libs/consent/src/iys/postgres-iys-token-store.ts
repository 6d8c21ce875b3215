import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlExec, sqlOne } from '@izinli/database';
import { EMPTY_TOKEN_RECORD, IysTokenRecord, IysTokenStore } from './iys-token-store';

interface TokenRow {
  access_token: string | null;
  refresh_token: string | null;
  access_expires_at: Date | null;
  refresh_expires_at: Date | null;
  recent_requests: (Date | string)[] | null;
  halted_until: Date | null;
}

const COLUMNS: Record<keyof IysTokenRecord, string> = {
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
  accessExpiresAt: 'access_expires_at',
  refreshExpiresAt: 'refresh_expires_at',
  recentRequests: 'recent_requests',
  haltedUntil: 'halted_until',
};

/**
 * Tokens and the hourly request count in `iys_tokens`, one row per İYS API user, shared by every process on the
 * database and kept across restarts (a restart must not cost a token request when the hour allows ten). The lease
 * is a row column rather than an advisory lock held across the HTTP call: nothing keeps a transaction (or, on the
 * embedded database, its only session) open while İYS answers, and a crashed holder's lease simply runs out.
 */
@Injectable()
export class PostgresIysTokenStore extends IysTokenStore {
  constructor(private readonly ds: DataSource) {
    super();
  }

  async read(account: string): Promise<IysTokenRecord> {
    const row = await sqlOne<TokenRow>(this.ds, `SELECT * FROM iys_tokens WHERE account = $1`, [account]);
    if (!row) return { ...EMPTY_TOKEN_RECORD, recentRequests: [] };
    return {
      accessToken: row.access_token,
      refreshToken: row.refresh_token,
      accessExpiresAt: row.access_expires_at ? new Date(row.access_expires_at) : null,
      refreshExpiresAt: row.refresh_expires_at ? new Date(row.refresh_expires_at) : null,
      recentRequests: (row.recent_requests ?? []).map((d) => new Date(d)),
      haltedUntil: row.halted_until ? new Date(row.halted_until) : null,
    };
  }

  async write(account: string, patch: Partial<IysTokenRecord>): Promise<void> {
    const entries = Object.entries(patch) as [keyof IysTokenRecord, IysTokenRecord[keyof IysTokenRecord]][];
    if (entries.length === 0) return;
    await this.ensureRow(account);
    const sets = entries.map(([k], i) => `${COLUMNS[k]} = $${i + 2}${k === 'recentRequests' ? '::timestamptz[]' : ''}`);
    const values = entries.map(([k, v]) =>
      k === 'recentRequests' ? (v as Date[]).map((d) => d.toISOString()) : v instanceof Date ? v.toISOString() : v,
    );
    await sqlExec(this.ds, `UPDATE iys_tokens SET ${sets.join(', ')}, updated_at = now() WHERE account = $1`, [
      account,
      ...values,
    ]);
  }

  async lease(account: string, holder: string, until: Date, now: Date): Promise<boolean> {
    await this.ensureRow(account);
    const n = await sqlExec(
      this.ds,
      `UPDATE iys_tokens SET lease_holder = $2, lease_until = $3
        WHERE account = $1 AND (lease_holder IS NULL OR lease_holder = $2 OR lease_until < $4)`,
      [account, holder, until.toISOString(), now.toISOString()],
    );
    return n > 0;
  }

  async release(account: string, holder: string): Promise<void> {
    await sqlExec(
      this.ds,
      `UPDATE iys_tokens SET lease_holder = NULL, lease_until = NULL WHERE account = $1 AND lease_holder = $2`,
      [account, holder],
    );
  }

  private async ensureRow(account: string): Promise<void> {
    await sqlExec(this.ds, `INSERT INTO iys_tokens (account) VALUES ($1) ON CONFLICT (account) DO NOTHING`, [account]);
  }
}
