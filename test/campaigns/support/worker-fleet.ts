import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import Redis from 'ioredis';
import { tmpdir } from 'os';
import { join } from 'path';
import { Client } from 'pg';
import { startIysSimulator, RunningIysSimulator } from '@izinli/iys-simulator';
import { testDatabaseUrl, testRedisUrl } from '@izinli/testing';
import { TEST_UNSUBSCRIBE_SECRET } from './campaign-harness';

const ROOT = join(__dirname, '..', '..', '..');
/** The Bull prefix main.ts uses: worker processes cannot be given another. */
export const WORKER_QUEUE_PREFIX = 'izinli';

export interface WorkerProcess {
  pid: number;
  output(): string;
  /** kill -9: no shutdown hook runs, nothing is cleaned up. */
  kill(): void;
  /** SIGTERM, as an orchestrator stops a container: the process runs its shutdown and must exit by itself. */
  terminate(): void;
  exited: Promise<number | null>;
}

/** True in the integration layer, where real worker processes can share a PostgreSQL server and Redis. */
export function multiProcessAvailable(): boolean {
  return !!testDatabaseUrl() && !!testRedisUrl();
}

/**
 * A real `ROLE=worker` process started exactly as in production (`node -r @swc-node/register
 * apps/campaigns/src/main.ts`), ready once it prints its start banner.
 */
export async function spawnWorker(env: Record<string, string>, readyTimeoutMs = 60_000): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/campaigns/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TZ: 'UTC',
      SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker not ready within ${readyTimeoutMs} ms:\n${out}`)),
      readyTimeoutMs,
    );
    const check = () => {
      if (out.includes('Izinli is running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready:\n${out}`));
    });
  }).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    pid: child.pid!,
    output: () => out,
    kill: () => child.kill('SIGKILL'),
    terminate: () => child.kill('SIGTERM'),
    exited,
  };
}

/**
 * What worker processes share: the test's PostgreSQL database, a Redis database number of their own (so
 * "flushing Redis" can drop every key there without touching anyone else's), an İYS simulator and an SMTP sink.
 */
export class WorkerFleet {
  readonly workers: WorkerProcess[] = [];
  private constructor(
    readonly redisUrl: string,
    private readonly env: Record<string, string>,
    private readonly simulator: RunningIysSimulator,
    private readonly dataDir: string,
  ) {}

  /**
   * `redisDb` pins the Redis database number; by default one of 1-14 is drawn (15 is the fault suite's own, see
   * test/faults, whose flushes must never meet another suite's queues).
   */
  static async start(databaseUrl: string, smtpUrl: string, options: { redisDb?: number } = {}): Promise<WorkerFleet> {
    const base = testRedisUrl()!.replace(/\/\d*$/, '');
    const redisUrl = `${base}/${options.redisDb ?? 1 + Math.floor(Math.random() * 14)}`;
    const simulator = await startIysSimulator({ port: 0, host: '127.0.0.1' });
    const dataDir = mkdtempSync(join(tmpdir(), 'izinli-fleet-'));
    const env = {
      ROLE: 'worker',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      IYS_URL: simulator.url,
      IYS_USERNAME: 'integrator',
      IYS_PASSWORD: 'integrator-secret',
      IYS_INTEGRATOR_CODE: '900001',
      SMTP_URL: smtpUrl,
      PUBLIC_URL: 'https://izinli.test',
      UNSUBSCRIBE_SECRET: TEST_UNSUBSCRIBE_SECRET,
      ADMIN_API_KEY: `fleet-admin-${randomBytes(16).toString('hex')}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    };
    const fleet = new WorkerFleet(redisUrl, env, simulator, dataDir);
    await fleet.flushRedis();
    return fleet;
  }

  async spawn(count: number): Promise<WorkerProcess[]> {
    const started = await Promise.all(Array.from({ length: count }, () => spawnWorker(this.env)));
    this.workers.push(...started);
    return started;
  }

  /** Drops every key of the workers' queues, as a Redis flush (or a Redis that lost its data) would. */
  async flushRedis(): Promise<number> {
    const redis = new Redis(this.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
    await redis.connect();
    let removed = 0;
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${WORKER_QUEUE_PREFIX}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) removed += await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    return removed;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.kill();
    await Promise.all(this.workers.map((w) => w.exited));
    await this.flushRedis().catch(() => undefined);
    await this.simulator.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * A PostgreSQL outage for one database: every session is ended and new ones are refused for `ms`, which is what
 * the application sees of a server restart.
 */
export async function databaseOutage(databaseUrl: string, ms: number): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  const admin = new Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`);
    await admin.end();
  }
}
