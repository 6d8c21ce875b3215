// A 1,000,000-recipient campaign: how long the launch takes (the consent gate over the whole list and the ledger
// written by one INSERT … SELECT, then the chunks), how long the status and recipient queries take on a ledger of
// that size, and the peak memory of a real worker process (`ROLE=worker`, started like main.ts) while it sends the
// campaign through Bull to an SMTP server for a measured slice of time. Target: worker peak RSS at most 300 MB.
//
// PostgreSQL: IZINLI_BENCH_DATABASE_URL, else DATABASE_URL, else the local default (a database of its own, dropped
// at the end). Redis: IZINLI_BENCH_REDIS_URL, else REDIS_URL, else the local default (a database number of its
// own). BENCH_LAUNCH_RECIPIENTS changes the size, BENCH_WORKER_SECONDS the slice the worker is watched for.
import 'reflect-metadata';
import { spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import Redis from 'ioredis';
import { cpus, tmpdir } from 'os';
import { join } from 'path';
import Bull from 'bull';
import { SystemClock } from '@izinli/consent';
import { sqlOne } from '@izinli/database';
import { startIysSimulator } from '@izinli/iys-simulator';
import { BullJobQueue } from '@izinli/queue';
import { CampaignLauncher } from '../apps/campaigns/src/campaigns/campaign-launcher';
import { CampaignsRepository } from '../apps/campaigns/src/campaigns/campaigns.repository';
import { summariseLedger } from '../apps/campaigns/src/campaigns/campaign-state';
import { CampaignDispatcher } from '../apps/campaigns/src/delivery/campaign-dispatcher';
import { DeliverySettings } from '../apps/campaigns/src/delivery/delivery-settings';
import { DeliveryRepository } from '../apps/campaigns/src/delivery/delivery.repository';
import { QueueName } from '../apps/campaigns/src/jobs/queue-names';
import {
  benchRedisUrl,
  createCampaignBenchDatabase,
  seedCampaign,
  startCountingSmtpServer,
  WORKER_NODE_FLAGS,
} from './campaign-bench-support';
import { timed, writeResult } from './bench-kit';

const RECIPIENTS = Number(process.env.BENCH_LAUNCH_RECIPIENTS ?? 1_000_000);
const WORKER_SECONDS = Number(process.env.BENCH_WORKER_SECONDS ?? 60);
/**
 * The worker runs compiled, as `npm run start:prod` runs it: the benchmark builds the app into a temporary
 * directory first (tsc + tsc-alias, as `npm run build` does, without touching ./dist). BENCH_WORKER_DIST names an
 * existing build instead; BENCH_WORKER_TS=1 runs it from TypeScript through @swc-node/register, which compiles in
 * memory and costs the process about 70 MB a production worker does not carry.
 */
let builtDir: string | null = null;

function compiledWorker(): string | null {
  if (process.env.BENCH_WORKER_TS === '1') return null;
  if (process.env.BENCH_WORKER_DIST) return process.env.BENCH_WORKER_DIST;
  const out = mkdtempSync(join(tmpdir(), 'izinli-worker-build-'));
  builtDir = out;
  const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
  for (const [cmd, args] of [
    [bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', out]],
    [bin('tsc-alias'), ['-p', 'tsconfig.build.json', '--outDir', out]],
  ] as const) {
    const r = spawnSync(cmd, [...args], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) {
      console.warn(
        `building the worker failed, running it from TypeScript instead:\n${(r.stdout + r.stderr).slice(0, 2000)}`,
      );
      return null;
    }
  }
  return out;
}
const RSS_TARGET_MB = 300;
const ROOT = join(__dirname, '..');
/** The Bull prefix main.ts uses. */
const WORKER_PREFIX = 'izinli';

/** Peak and current resident memory of a process, from the kernel (VmHWM is the high-water mark). */
function memoryOf(pid: number): { peakMb: number; rssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

async function flushPrefix(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${WORKER_PREFIX}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const db = await createCampaignBenchDatabase('launch');
  const sink = await startCountingSmtpServer();
  const simulator = await startIysSimulator({ port: 0, host: '127.0.0.1' });
  // Databases 1-14: 15 belongs to the fault suite, which flushes it.
  const redisUrl = `${benchRedisUrl().replace(/\/\d*$/, '')}/${1 + Math.floor(Math.random() * 14)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'izinli-bench-'));
  await flushPrefix(redisUrl);
  const bull = [QueueName.CAMPAIGN_DELIVERY, QueueName.CAMPAIGNS].map(
    (name) => new Bull(name, redisUrl, { prefix: WORKER_PREFIX }),
  );
  const queue = new BullJobQueue(new Map(bull.map((q) => [q.name, q])));
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const seedStart = Date.now();
    // 90% of the list consented, one in twenty of those refused: the gate has real work on every row.
    const seeded = await seedCampaign(db.ds, RECIPIENTS, { consentedShare: 0.9, refusedEvery: 20 });
    console.log(
      `seeded ${RECIPIENTS} contacts and ${Math.round(RECIPIENTS * 0.9)} consents in ${Math.round((Date.now() - seedStart) / 1000)} s`,
    );

    const settings = new DeliverySettings({ publicUrl: 'https://izinli.bench' });
    const dispatcher = new CampaignDispatcher(new DeliveryRepository(db.ds, settings), queue, settings);
    const campaigns = new CampaignsRepository(db.ds);
    const launcher = new CampaignLauncher(db.ds, campaigns, dispatcher, queue, new SystemClock(), settings);

    const launch = await timed(() =>
      db.ds.transaction(async (m) => launcher.start(m, (await campaigns.findById(m, seeded.campaignId, true))!)),
    );
    console.log(
      `launch: ${launch.value.total} recipients gated, ${launch.value.eligible} eligible, ${launch.value.chunks} chunks in ${Math.round(launch.ms)} ms`,
    );
    const campaign = (await campaigns.findById(db.ds, seeded.campaignId))!;
    const counts = await timed(async () => summariseLedger(await campaigns.ledgerGroups(campaign)));
    const page = await timed(() => campaigns.recipients(campaign, 'BLOCKED', null, 101));
    console.log(
      `status counts in ${Math.round(counts.ms)} ms (${JSON.stringify(counts.value.blocked)}); a page of recipients in ${Math.round(page.ms)} ms`,
    );

    // A real worker process, as production starts one, watched while it sends.
    const WORKER_DIST = compiledWorker();
    if (WORKER_DIST) console.log(`worker compiled to ${WORKER_DIST}`);
    const entry = WORKER_DIST
      ? [join(WORKER_DIST, 'apps/campaigns/src/main.js')]
      : ['-r', '@swc-node/register', 'apps/campaigns/src/main.ts'];
    child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...entry], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_PATH: join(ROOT, 'node_modules'),
        SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        ROLE: 'worker',
        PORT: '0',
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl,
        IYS_URL: simulator.url,
        IYS_USERNAME: 'integrator',
        IYS_PASSWORD: 'integrator-secret',
        IYS_INTEGRATOR_CODE: '900001',
        SMTP_URL: sink.url,
        PUBLIC_URL: 'https://izinli.bench',
        UNSUBSCRIBE_SECRET: 'bench-unsubscribe-secret-0123456789abcdef',
        ADMIN_API_KEY: `bench-admin-${randomBytes(16).toString('hex')}`,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    while (!out.includes('Izinli is running')) {
      if (child.exitCode !== null || Date.now() - started > 90_000)
        throw new Error(`the worker did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const idle = memoryOf(child.pid!)!;
    console.log(
      `worker ${child.pid} started in ${Date.now() - started} ms, RSS ${Math.round(idle.rssMb)} MB before any work`,
    );

    await dispatcher.dispatch(seeded.campaignId);
    const before = sink.received();
    const t0 = Date.now();
    let peak = idle.peakMb;
    let completed = false;
    while (Date.now() - t0 < WORKER_SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 1000));
      const m = memoryOf(child.pid!);
      if (m) peak = Math.max(peak, m.peakMb);
      const status = (await sqlOne<{ status: string }>(db.ds, `SELECT status FROM campaigns WHERE id = $1`, [
        seeded.campaignId,
      ]))!.status;
      if (status === 'COMPLETED') {
        completed = true;
        break;
      }
    }
    const watchedMs = Date.now() - t0;
    const sent = sink.received() - before;
    const final = memoryOf(child.pid!);
    if (final) peak = Math.max(peak, final.peakMb);
    console.log(
      `worker sent ${sent} messages in ${Math.round(watchedMs / 1000)} s (${Math.round(sent / (watchedMs / 1000))} msg/s); peak RSS ${Math.round(peak)} MB`,
    );

    writeResult(
      'campaign-launch',
      [
        { name: `launch of ${RECIPIENTS} recipients: gate, ledger and chunks`, value: launch.ms, unit: 'ms' },
        { name: 'campaign status counts on that ledger', value: counts.ms, unit: 'ms' },
        { name: 'one page of recipients', value: page.ms, unit: 'ms' },
        {
          name: 'worker process peak RSS while sending',
          value: peak,
          unit: 'MB',
          target: `<= ${RSS_TARGET_MB} MB`,
          ok: peak <= RSS_TARGET_MB,
        },
        { name: 'worker throughput during the slice', value: sent / (watchedMs / 1000), unit: 'msg/s' },
      ],
      {
        recipients: RECIPIENTS,
        eligible: launch.value.eligible,
        blocked: counts.value.blocked,
        chunks: launch.value.chunks,
        workerRssAtStartMb: Math.round(idle.rssMb),
        workerWatchedSeconds: Math.round(watchedMs / 1000),
        messagesSentInSlice: sent,
        campaignCompletedInSlice: completed,
        worker: WORKER_DIST
          ? 'ROLE=worker, node <build>/apps/campaigns/src/main.js (compiled, as npm run start:prod)'
          : 'ROLE=worker, node -r @swc-node/register apps/campaigns/src/main.ts (TypeScript compiled in memory at start)',
        cpus: cpus().length,
      },
    );
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
    }
    await queue.close().catch(() => undefined);
    await flushPrefix(redisUrl).catch(() => undefined);
    await simulator.close();
    await sink.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
    if (builtDir) rmSync(builtDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
