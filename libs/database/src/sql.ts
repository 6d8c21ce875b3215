import { DataSource, EntityManager, QueryResult, QueryRunner } from 'typeorm';

/** Anything a statement can run on: the data source, a transaction's manager, or a query runner. */
export type SqlExecutor = DataSource | EntityManager | QueryRunner;

function isQueryRunner(ex: SqlExecutor): ex is QueryRunner {
  return typeof (ex as QueryRunner).release === 'function' && 'isReleased' in ex;
}

// The structured result gives records and the affected count the same way on PostgreSQL and on PGlite.
async function structured(ex: SqlExecutor, sql: string, params: unknown[]): Promise<QueryResult> {
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
export async function sqlRows<T = Record<string, unknown>>(ex: SqlExecutor, sql: string, params: unknown[] = []): Promise<T[]> {
  return ((await structured(ex, sql, params)).records ?? []) as T[];
}

export async function sqlOne<T = Record<string, unknown>>(ex: SqlExecutor, sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await sqlRows<T>(ex, sql, params))[0];
}

/** Runs a statement and answers how many rows it touched. */
export async function sqlExec(ex: SqlExecutor, sql: string, params: unknown[] = []): Promise<number> {
  return (await structured(ex, sql, params)).affected ?? 0;
}
