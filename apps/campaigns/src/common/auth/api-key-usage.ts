import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '@izinli/database';

const FLUSH_EVERY_MS = 60_000;

/**
 * `api_keys.last_used_at`, written in batches: a write per request would put a row update on the hot path of
 * every authenticated call. Each process keeps the latest use of each key in memory and writes them all in one
 * statement once a minute, before a key list is read, and at shutdown. The time is therefore exact, but may show
 * up to a minute late in another process's list.
 */
@Injectable()
export class ApiKeyUsage implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger('ApiKeyUsage');
  private pending = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly ds: DataSource) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush().catch(() => undefined), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  touch(keyId: string): void {
    this.pending.set(keyId, Date.now());
  }

  /** Writes the uses recorded so far; on failure they are kept for the next attempt. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await sqlRows(
        this.ds,
        `UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.used_at)
         FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, used_at) WHERE k.id = u.id`,
        [[...batch.keys()], [...batch.values()].map((t) => new Date(t).toISOString())],
      );
    } catch (err) {
      for (const [id, at] of batch) if ((this.pending.get(id) ?? 0) < at) this.pending.set(id, at);
      this.log.warn({ err: (err as Error).message }, 'could not record API key use; will retry');
      throw err;
    }
  }
}
