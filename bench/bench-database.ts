// A throw-away PostgreSQL database per benchmark run: created, migrated (the consent library's migrations unless told
// otherwise), and dropped at the end, so a run never sees another's rows and leaves nothing behind.
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { consentMigrations } from '@izinli/consent';
import { createDataSource, MigrationClass, runMigrations } from '@izinli/database';

/** The server the benchmarks run against: IZINLI_BENCH_DATABASE_URL, DATABASE_URL, or the local default. */
export function benchServerUrl(): string {
  return process.env.IZINLI_BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
}

export interface BenchDatabase {
  name: string;
  url: string;
  ds: DataSource;
  drop(): Promise<void>;
}

export async function createBenchDatabase(
  prefix: string,
  migrations: MigrationClass[] = consentMigrations,
): Promise<BenchDatabase> {
  const server = benchServerUrl();
  const name = `izinli_bench_${prefix}_${Date.now()}_${randomBytes(2).toString('hex')}`;
  const admin = new Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(server);
  u.pathname = `/${name}`;
  const url = u.toString();
  const ds = await createDataSource({ url, migrations, poolSize: 10 });
  await ds.initialize();
  await runMigrations(ds);
  return {
    name,
    url,
    ds,
    drop: async () => {
      if (ds.isInitialized) await ds.destroy();
      const c = new Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Server settings worth printing beside a figure: the same SQL runs very differently on a tiny shared_buffers. */
export async function serverSettings(ds: DataSource): Promise<Record<string, string>> {
  const rows: { name: string; setting: string; unit: string | null }[] = await ds.query(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('server_version', 'shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'synchronous_commit', 'fsync')`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
}

/**
 * CPU seconds spent by the server's backends on one database, sampled from /proc while a benchmark runs (a backend
 * that ends between two samples loses at most its last second). Wall-clock figures on a shared machine swing with
 * other people's work; CPU seconds say what the work itself costs. Null when the server is not on this machine.
 */
export function trackServerCpu(database: string, everyMs = 500): { stop(): Promise<number | null> } {
  const ticks = 100; // USER_HZ on Linux
  const seen = new Map<number, number>();
  const client = new Client({ connectionString: benchServerUrl() });
  let readable = true;
  const sample = async () => {
    const rows = (
      await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [database])
    ).rows;
    for (const { pid } of rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        // utime and stime are fields 14 and 15 of the file; counted from the state field (3) here.
        seen.set(pid, Math.max(seen.get(pid) ?? 0, (Number(fields[11]) + Number(fields[12])) / ticks));
      } catch {
        readable = false;
      }
    }
  };
  const ready = client.connect();
  const timer = setInterval(() => void ready.then(sample).catch(() => undefined), everyMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await ready.then(sample).catch(() => undefined);
      await client.end().catch(() => undefined);
      return readable && seen.size ? [...seen.values()].reduce((a, b) => a + b, 0) : null;
    },
  };
}
