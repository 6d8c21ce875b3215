import { mkdirSync } from 'fs';
import { PGlite } from '@electric-sql/pglite';
import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { EmbeddedPglitePool } from './embedded-pglite-pool';

export type MigrationClass = new () => {
  name?: string;
  up(q: unknown): Promise<unknown>;
  down(q: unknown): Promise<unknown>;
};

export interface DatabaseOptions {
  /** postgres://… for a PostgreSQL server; unset for the embedded database. */
  url?: string;
  /** Embedded mode: where PGlite keeps its files. Unset (and no `pglite`): in memory. */
  dataDir?: string;
  /** Embedded mode: an already open PGlite instance (tests load one from a migrated snapshot). */
  pglite?: PGlite;
  migrations: MigrationClass[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: MixedList<Function | string | EntitySchema>;
  /** Pool size for the server mode. */
  poolSize?: number;
  logging?: boolean;
}

export type DatabaseMode = 'postgres' | 'embedded';

export function databaseMode(options: Pick<DatabaseOptions, 'url'>): DatabaseMode {
  return options.url ? 'postgres' : 'embedded';
}

/**
 * One factory for both modes. The schema comes only from migrations (never `synchronize`), and the same
 * migration classes run against PGlite and against a PostgreSQL server.
 */
export async function createDataSource(options: DatabaseOptions): Promise<DataSource> {
  const common = {
    type: 'postgres' as const,
    entities: options.entities ?? [],
    migrations: sortMigrations(options.migrations),
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: options.logging ?? false,
  };
  let dsOptions: DataSourceOptions;
  if (options.url) {
    dsOptions = {
      ...common,
      url: options.url,
      extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 10_000 },
    };
  } else {
    let db = options.pglite;
    if (!db) {
      // Owner-only: the database holds every address and consent. PGlite unpacks its first files world-writable
      // inside; the app takes those bits off after the start (restrictToOwner in @izinli/config).
      if (options.dataDir) mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
    }
    const pool = new EmbeddedPglitePool(db);
    const ownsDb = !options.pglite;
    // TypeORM builds its pool with `new driver.Pool(options)`; hand it the one we made.
    const driver = {
      Pool: function PoolFactory() {
        return pool;
      },
    };
    dsOptions = { ...common, driver, extra: { ownsDb } } as DataSourceOptions;
    const ds = new DataSource(dsOptions);
    const destroy = ds.destroy.bind(ds);
    ds.destroy = async () => {
      await destroy();
      if (ownsDb) await db!.close();
    };
    return ds;
  }
  return new DataSource(dsOptions);
}

function sortMigrations(list: MigrationClass[]): MigrationClass[] {
  const stamp = (m: MigrationClass) => Number(/(\d{13})/.exec(m.name)?.[1] ?? 0);
  return [...list].sort((a, b) => stamp(a) - stamp(b));
}

/**
 * Brings the schema up to date. With a PostgreSQL server several processes may start at once, so the
 * migrations run under an advisory lock; the embedded database has a single process by construction.
 */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const isEmbedded = !(ds.options as { url?: string }).url;
  if (isEmbedded) {
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  }
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7261001)');
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7261001)').catch(() => undefined);
    await runner.release();
  }
}
