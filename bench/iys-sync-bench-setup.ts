// Shared set-up of the İYS sync benchmarks: a fresh PostgreSQL database, the İYS simulator with its default limits in
// a child process of its own (so that its clock and its per-second counting are not disturbed by the load generator's
// event loop, as a real İYS would not be), and the real Izinli app talking to it through IYS_URL.
import { fork, ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '@izinli/config';
import { ConsentBrand, ConsentRegistry, IYS_SYNC_SETTINGS, IysSyncSettings } from '@izinli/consent';
import { sqlOne } from '@izinli/database';
import { createIzinliApp, IzinliApp } from '../apps/campaigns/src/bootstrap';

export interface SyncBench {
  app: IzinliApp;
  ds: DataSource;
  registry: ConsentRegistry;
  brand: ConsentBrand;
  simUrl: string;
  sim(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Run by the child: a simulator with the default knobs (rate limits on), reporting its URL to the parent. */
export async function serveSimulator(): Promise<void> {
  const { startIysSimulator } = await import('@izinli/iys-simulator');
  const simulator = await startIysSimulator({ port: 0, config: { requestLogLimit: 50_000 } });
  process.send?.({ url: simulator.url });
  process.on('disconnect', () => void simulator.close().then(() => process.exit(0)));
}

export async function startSyncBench(file: string): Promise<SyncBench> {
  const child: ChildProcess = fork(file, ['--serve'], { execArgv: ['-r', '@swc-node/register'], stdio: 'inherit' });
  const simUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  const baseUrl =
    process.env.BENCH_DATABASE_URL ?? process.env.IZINLI_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `izinli_bench_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.pathname = `/${dbName}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'izinli-bench-'));
  const redis = process.env.BENCH_REDIS_URL;
  const config = loadAppConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: `bench-admin-${randomBytes(16).toString('hex')}`,
    LOG_LEVEL: 'silent',
    UNSUBSCRIBE_SECRET: randomBytes(32).toString('hex'),
    DATABASE_URL: u.toString(),
    IYS_URL: simUrl,
    IYS_USERNAME: 'integrator',
    IYS_PASSWORD: 'integrator-secret',
    IYS_INTEGRATOR_CODE: '900001',
    ...(redis ? { REDIS_URL: redis } : {}),
  });
  const app = await createIzinliApp(config, { noListen: true, queuePrefix: `bench${randomBytes(3).toString('hex')}` });
  // IYS_URL makes the app poll batch results the real İYS's way (after 300 s); this simulator processes a batch
  // within its batchDelaySeconds (2 s), so results are read as soon as they can exist.
  Object.assign(app.app.get<IysSyncSettings>(IYS_SYNC_SETTINGS), { batchFirstPollMs: 2_200, batchPollEveryMs: 500 });
  const ds = app.app.get(DataSource);
  const sp = await sqlOne<{ id: string }>(
    ds,
    `INSERT INTO service_providers (name, iys_code) VALUES ('Bench', '100001') RETURNING id`,
  );
  const b = await sqlOne<{ id: string }>(
    ds,
    `INSERT INTO brands (service_provider_id, name, brand_code, from_email, from_name) VALUES ($1, 'Bench', '100001', 'b@bench.com.tr', 'Bench') RETURNING id`,
    [sp!.id],
  );
  const brand: ConsentBrand = {
    id: b!.id,
    tenantId: sp!.id,
    iysCode: '100001',
    brandCode: '100001',
    iysSync: 'PLATFORM',
  };
  return {
    app,
    ds,
    registry: app.app.get(ConsentRegistry),
    brand,
    simUrl,
    sim: (path, init) => fetch(simUrl + path, { headers: { 'content-type': 'application/json' }, ...init }),
    close: async () => {
      await app.close();
      child.disconnect();
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until no outgoing row is PENDING (or the time is up); answers how many still are. */
export async function settle(ds: DataSource, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = (await sqlOne<{ n: number }>(ds, `SELECT count(*)::int AS n FROM iys_outbox WHERE state = 'PENDING'`))!.n;
    if (n === 0 || Date.now() > until) return n;
    await sleep(250);
  }
}

/**
 * Gives every recipient an accepted ONAY first, so that the RETs measured afterwards are real withdrawals (a RET for a
 * key İYS never saw is not sent at all). Dated a minute back, so each RET's consentDate is later.
 */
export async function seedApprovals(bench: SyncBench, recipients: string[]): Promise<void> {
  const consentDate = new Date(Date.now() - 60_000);
  for (let i = 0; i < recipients.length; i += 100) {
    await Promise.all(
      recipients
        .slice(i, i + 100)
        .map((recipient) =>
          bench.registry.record(
            bench.brand,
            { recipient, type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB', consentDate },
            { origin: 'API', recordedBy: 'bench' },
          ),
        ),
    );
  }
  const left = await settle(bench.ds, 120_000);
  if (left > 0) throw new Error(`${left} approvals were still pending after two minutes`);
  // Past the spacing of one key's movements, so no RET waits on its ONAY's second.
  await sleep(1_500);
}
