import { DataSource, EntityManager, QueryResult, QueryRunner } from 'typeorm';
import { EmbeddedPglitePool } from './embedded-pglite-pool';

/** Anything a statement can run on: the data source, a transaction's manager, or a query runner. */
export type SqlExecutor = DataSource | EntityManager | QueryRunner;

/**
 * A statement run often enough to be worth preparing: on a PostgreSQL server each pooled connection parses and
 * plans it once and then only binds and executes it (a long statement such as the consent gate costs more to parse
 * and plan than to run). The name must be unique per text; `namedStatement` keeps a registry to catch reuse.
 * Embedded PGlite has no pool of connections to keep statements on and runs the text as usual.
 */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

const statementNames = new Map<string, string>();

export function namedStatement(name: string, text: string): NamedStatement {
  const known = statementNames.get(name);
  if (known !== undefined && known !== text) throw new Error(`statement name ${name} is already used for another text`);
  statementNames.set(name, text);
  return { name, text };
}

/** The node-postgres pool behind a DataSource, when it has one (not embedded PGlite). */
interface PgPoolLike {
  query(config: {
    name: string;
    text: string;
    values: unknown[];
  }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

const pgPools = new WeakMap<DataSource, PgPoolLike | null>();

function pgPool(ds: DataSource): PgPoolLike | null {
  let pool = pgPools.get(ds);
  if (pool === undefined) {
    const master = (ds.driver as { master?: unknown }).master as { query?: unknown } | undefined;
    // The embedded pool takes text only; node-postgres's Pool takes a named query config.
    pool =
      master && typeof master.query === 'function' && !(master instanceof EmbeddedPglitePool)
        ? (master as PgPoolLike)
        : null;
    pgPools.set(ds, pool);
  }
  return pool;
}

function isQueryRunner(ex: SqlExecutor): ex is QueryRunner {
  return typeof (ex as QueryRunner).release === 'function' && 'isReleased' in ex;
}

// The structured result gives records and the affected count the same way on PostgreSQL and on PGlite.
async function structured(
  ex: SqlExecutor,
  statement: string | NamedStatement,
  params: unknown[],
): Promise<QueryResult> {
  if (typeof statement !== 'string') {
    const pool = ex instanceof DataSource && ex.isInitialized ? pgPool(ex) : null;
    if (pool) {
      const raw = await pool.query({ name: statement.name, text: statement.text, values: params });
      const result = new QueryResult();
      result.records = raw.rows;
      result.affected = raw.rowCount ?? 0;
      return result;
    }
    return structured(ex, statement.text, params);
  }
  const sql = statement;
  if (ex instanceof DataSource) {
    const qr = ex.createQueryRunner();
    try {
      return await qr.query(sql, params, true);
    } finally {
      await qr.release();
    }
  }
  if (isQueryRunner(ex)) return ex.query(sql, params, true);
  if (ex.queryRunner) return ex.queryRunner.query(sql, params, true);
  return structured(ex.connection, sql, params);
}

/** Rows of a statement. Cast counts and sums in SQL (`::int`) so both drivers answer numbers. */
export async function sqlRows<T = Record<string, unknown>>(
  ex: SqlExecutor,
  sql: string | NamedStatement,
  params: unknown[] = [],
): Promise<T[]> {
  return ((await structured(ex, sql, params)).records ?? []) as T[];
}

export async function sqlOne<T = Record<string, unknown>>(
  ex: SqlExecutor,
  sql: string | NamedStatement,
  params: unknown[] = [],
): Promise<T | undefined> {
  return (await sqlRows<T>(ex, sql, params))[0];
}

/** Runs a statement and answers how many rows it touched. */
export async function sqlExec(ex: SqlExecutor, sql: string | NamedStatement, params: unknown[] = []): Promise<number> {
  return (await structured(ex, sql, params)).affected ?? 0;
}

const NEEDS_ESCAPE = /[\\"]/;

/**
 * A PostgreSQL array literal of texts (NULL for null), to send as one parameter cast to `text[]`. node-postgres
 * builds the same literal from an array, with two regular-expression replacements per element; this one escapes
 * only elements that hold a quote or a backslash, which matters for statements that carry thousands of values.
 */
export function textArrayLiteral(values: readonly (string | null | undefined)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else out += '"' + (NEEDS_ESCAPE.test(v) ? v.replace(/[\\"]/g, '\\$&') : v) + '"';
  }
  return out + '}';
}

/** A PostgreSQL array literal of numbers or booleans, to send as one parameter cast to `int[]`, `float8[]` or `boolean[]`. */
export function scalarArrayLiteral(values: readonly (number | boolean)[]): string {
  for (const v of values) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
  }
  return '{' + values.join(',') + '}';
}
