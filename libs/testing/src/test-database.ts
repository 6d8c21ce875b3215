import { createHash, randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, MigrationClass, runMigrations } from '@izinli/database';

/** The database URL of the integration layer; unset in `npm test`, which uses PGlite. */
export function testDatabaseUrl(): string | undefined {
  return process.env.IZINLI_TEST_DATABASE_URL || undefined;
}

export function testRedisUrl(): string | undefined {
  return process.env.IZINLI_TEST_REDIS_URL || undefined;
}

export interface TestDatabase {
  /** postgres://… of a fresh database (server mode) or undefined (embedded mode). */
  url?: string;
  /** Embedded mode: a PGlite already migrated, loaded from a cached snapshot. */
  pglite?: PGlite;
  /** A data source on it, migrated and initialised. */
  dataSource: DataSource;
  close(): Promise<void>;
}

const CACHE_DIR = join(__dirname, '..', '..', '..', '.test-cache');

/**
 * A fresh, migrated database for one test file. Embedded: PGlite loaded from a snapshot taken once after the
 * migrations ran (creating a PGlite from nothing costs seconds; loading a snapshot, about one). Server: a new
 * database named for this suite, dropped at close, so suites never see each other's rows.
 */
export async function createTestDatabase(migrations: MigrationClass[]): Promise<TestDatabase> {
  const serverUrl = testDatabaseUrl();
  if (serverUrl) return createServerDatabase(serverUrl, migrations);
  const pglite = await loadMigratedPglite(migrations);
  const dataSource = await createDataSource({ pglite, migrations });
  await dataSource.initialize();
  return {
    pglite,
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

/**
 * Takes the migrated snapshot now (jest's global setup calls this once), so that parallel suites never race to
 * build it and none pays for it inside its own time limit.
 */
export async function warmTestDatabaseSnapshot(migrations: MigrationClass[]): Promise<void> {
  if (testDatabaseUrl()) return;
  const db = await loadMigratedPglite(migrations);
  await db.close();
}

async function loadMigratedPglite(migrations: MigrationClass[]): Promise<PGlite> {
  const key = createHash('sha256')
    .update(
      migrations
        .map((m) => m.name)
        .sort()
        .join(','),
    )
    .update(readFileSync(join(CACHE_DIR, '..', 'node_modules', '@electric-sql', 'pglite', 'package.json')))
    .digest('hex')
    .slice(0, 16);
  const file = join(CACHE_DIR, `pglite-${key}.tar.gz`);
  if (!existsSync(file)) {
    const fresh = await PGlite.create();
    const ds = await createDataSource({ pglite: fresh, migrations });
    await ds.initialize();
    await runMigrations(ds);
    await ds.destroy();
    const dump = await fresh.dumpDataDir('gzip');
    await fresh.close();
    mkdirSync(CACHE_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
  }
  const blob = new Blob([readFileSync(file)]);
  return PGlite.create({ loadDataDir: blob });
}

async function createServerDatabase(baseUrl: string, migrations: MigrationClass[]): Promise<TestDatabase> {
  const name = `izinli_t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const dataSource = await createDataSource({ url, migrations, poolSize: 5 });
  await dataSource.initialize();
  await runMigrations(dataSource);
  return {
    url,
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
