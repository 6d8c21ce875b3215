import { EventEmitter } from 'events';
import type { PGlite } from '@electric-sql/pglite';

type Callback = (err: Error | null, result?: unknown) => void;

/** What TypeORM's postgres driver expects back from a query: node-postgres's result shape. */
interface PgLikeResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: unknown[];
}

/**
 * A node-postgres-shaped pool over one PGlite instance, handed to TypeORM as `driver.Pool`.
 *
 * PGlite is a single session. A pool that shared it between callers would let a request's statements land
 * inside another request's open transaction, so this pool lends its one connection to one caller at a time:
 * `connect` waits until the previous borrower releases it. The consequence, which the code base respects,
 * is that work inside a transaction must use that transaction's manager, never a second connection.
 */
export class EmbeddedPglitePool extends EventEmitter {
  private busy = false;
  private readonly waiters: (() => void)[] = [];
  private ended = false;

  constructor(private readonly db: PGlite) {
    super();
  }

  connect(
    callback?: (err: Error | null, client?: unknown, release?: (err?: unknown) => void) => void,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const grant = () => {
        if (this.ended) {
          const err = new Error('the embedded database is closed');
          callback?.(err);
          reject(err);
          return;
        }
        this.busy = true;
        let released = false;
        const client = this.makeClient(() => {
          if (released) return;
          released = true;
          this.busy = false;
          const next = this.waiters.shift();
          if (next) next();
        });
        callback?.(null, client, client.release);
        resolve(client);
      };
      if (!this.busy) grant();
      else this.waiters.push(grant);
    });
  }

  /** Pool-level query, as node-postgres offers: borrows the connection for one statement. */
  async query(text: string, params?: unknown[] | Callback, cb?: Callback): Promise<PgLikeResult> {
    const client = (await this.connect()) as ReturnType<EmbeddedPglitePool['makeClient']>;
    try {
      return await client.query(text, params, cb);
    } finally {
      client.release();
    }
  }

  end(callback?: (err?: Error | null) => void): Promise<void> {
    this.ended = true;
    for (const w of this.waiters.splice(0)) w();
    callback?.(null);
    return Promise.resolve();
  }

  private makeClient(release: () => void) {
    const db = this.db;
    const client = Object.assign(new EventEmitter(), {
      release,
      async query(text: string, params?: unknown[] | Callback, cb?: Callback): Promise<PgLikeResult> {
        let callback = cb;
        let values: unknown[] | undefined;
        if (typeof params === 'function') callback = params;
        else values = params;
        try {
          let result: PgLikeResult;
          if (values && values.length > 0) {
            const r = await db.query(text, values);
            result = toPgResult(text, r.rows, r.affectedRows, r.fields);
          } else {
            // Without parameters the text may hold several statements (migrations); answer with the last one,
            // as node-postgres does for a multi-statement simple query.
            const all = await db.exec(text);
            const last = all[all.length - 1];
            result = toPgResult(text, last?.rows ?? [], last?.affectedRows, last?.fields ?? []);
          }
          callback?.(null, result);
          return result;
        } catch (err) {
          if (callback) {
            callback(err as Error);
            return undefined as unknown as PgLikeResult;
          }
          throw err;
        }
      },
    });
    return client;
  }
}

function toPgResult(text: string, rows: unknown[], affected: number | undefined, fields: unknown[]): PgLikeResult {
  const command = (/^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(text)?.[1] ?? '').toUpperCase();
  return { rows, rowCount: affected ?? rows.length, command, fields };
}
