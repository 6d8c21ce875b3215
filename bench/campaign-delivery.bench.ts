// Campaign delivery end to end: a 100,000-recipient campaign, every recipient consented, launched (set-wise gate and
// ledger) and sent through Bull on Redis by the worker code to a local SMTP server, measured in messages per second
// from the launch call to the last recorded send. In the same run, against the same SMTP server and with the same
// pool size, a bare nodemailer pool sends the same number of already-rendered messages of the same size (no
// database, no queue, no rendering, each message built by nodemailer on its event loop). Target: the campaign
// pipeline at 80% of the bare pipe or better. The product builds messages in composer threads (libs/mailer); the
// bare pipe with those threads too is measured last and reported beside the verdict, not in it.
//
// PostgreSQL: IZINLI_BENCH_DATABASE_URL, else DATABASE_URL, else the local default (a database of its own, dropped
// at the end). Redis: IZINLI_BENCH_REDIS_URL, else REDIS_URL, else the local default (a key prefix of its own).
// BENCH_CAMPAIGN_RECIPIENTS changes the size.
import 'reflect-metadata';
import Bull from 'bull';
import Redis from 'ioredis';
import { cpus, loadavg } from 'os';
import { randomBytes } from 'crypto';
import { SuppressionList, SystemClock } from '@izinli/consent';
import { sqlOne } from '@izinli/database';
import { MailTransport, MimeComposerThreads, NodemailerMailTransport, OutgoingMail } from '@izinli/mailer';
import { BullJobQueue } from '@izinli/queue';
import { CampaignLauncher } from '../apps/campaigns/src/campaigns/campaign-launcher';
import { CampaignsRepository } from '../apps/campaigns/src/campaigns/campaigns.repository';
import { CampaignDispatcher, SendChunkJob } from '../apps/campaigns/src/delivery/campaign-dispatcher';
import { CampaignRateLimiter } from '../apps/campaigns/src/delivery/campaign-rate-limiter';
import { ChunkSender } from '../apps/campaigns/src/delivery/chunk-sender';
import { DeliveryLeases } from '../apps/campaigns/src/delivery/delivery-leases';
import { DeliverySettings } from '../apps/campaigns/src/delivery/delivery-settings';
import { DeliveryRepository } from '../apps/campaigns/src/delivery/delivery.repository';
import { campaignHeaders, campaignMessageId } from '../apps/campaigns/src/delivery/mail-headers';
import { CampaignDeliveryJob, QueueName } from '../apps/campaigns/src/jobs/queue-names';
import { TemplateEngine } from '../apps/campaigns/src/templates/template-engine';
import { UnsubscribeTokens } from '../apps/campaigns/src/unsubscribe/unsubscribe-token';
import {
  BENCH_TEMPLATE,
  benchRedisUrl,
  createCampaignBenchDatabase,
  CountingSmtpServer,
  SeededCampaign,
  seedCampaign,
  startCountingSmtpServer,
  waitUntil,
} from './campaign-bench-support';
import { writeResult } from './bench-kit';
import { trackServerCpu } from './bench-database';

const RECIPIENTS = Number(process.env.BENCH_CAMPAIGN_RECIPIENTS ?? 100_000);
/** SMTP_POOL_SIZE's default: both pipelines get the same number of connections. */
const POOL = 5;
/** Messages the bare pipe keeps outstanding: as many as the worker can have in flight (4 chunks × 50). */
const BARE_IN_FLIGHT = 200;
const TARGET_RATIO = 0.8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECRET = 'bench-unsubscribe-secret-0123456789abcdef';
const PUBLIC_URL = 'https://izinli.bench';

/** Rendered once, outside the measurement: messages of exactly the size the campaign sends. */
function renderedSamples(campaignId: string, listId: string, count: number): OutgoingMail[] {
  const compiled = new TemplateEngine().compile({ subject: BENCH_TEMPLATE.subject, html: BENCH_TEMPLATE.html });
  const tokens = new UnsubscribeTokens(SECRET);
  return Array.from({ length: count }, (_, i) => {
    const recipient = `user${i + 1}@example.com`;
    const messageId = campaignMessageId(campaignId, String(i + 1), 'kampanya@bench.com.tr');
    const url = `${PUBLIC_URL}/u/${tokens.sign({ brandId: campaignId, recipient, recipientType: 'BIREYSEL', messageId: messageId.slice(1, -1) })}`;
    const r = compiled.render({
      data: { firstName: `Ad${i + 1}`, city: 'İzmir', customerId: i + 1 },
      email: recipient,
      brandName: 'Bench',
      unsubscribeUrl: url,
    });
    return {
      from: { name: 'Bench', address: 'kampanya@bench.com.tr' },
      to: recipient,
      subject: r.subject,
      html: r.html,
      text: r.text,
      messageId,
      headers: campaignHeaders({
        campaignId,
        ledgerId: String(i + 1),
        kind: 'COMMERCIAL',
        brandCode: '790001',
        fromEmail: 'kampanya@bench.com.tr',
        listId,
        listName: 'Bench listesi',
        senderId: '790001',
        unsubscribeUrl: url,
      }),
    };
  });
}

/** CPU time of this process (user + system) in microseconds. */
const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

/**
 * The bare pipe: nodemailer's pool sending already-rendered messages, nothing else. With `composeThreads` 0 (the
 * baseline) nodemailer builds each message on its event loop, as nodemailer does; the transport is the product's only
 * for its sockets (Nagle off, which plain nodemailer would not do, and which would make the baseline five times
 * slower). With threads, the same pipe also gets the product's composer threads, reported beside the verdict.
 */
async function barePipe(
  sink: CountingSmtpServer,
  samples: OutgoingMail[],
  n: number,
  composeThreads = 0,
): Promise<{ ms: number; rate: number; cpuUsPerMsg: number }> {
  const transport: MailTransport = new NodemailerMailTransport(sink.url, POOL, composeThreads);
  const before = sink.received();
  let next = 0;
  const cpu0 = cpuNow();
  const t0 = process.hrtime.bigint();
  const lane = async () => {
    while (next < n) {
      const i = next++;
      const m = samples[i % samples.length];
      await transport.send({ ...m, to: `user${i + 1}@example.com`, messageId: `<bare.${i}.${m.messageId!.slice(1)}` });
    }
  };
  await Promise.all(Array.from({ length: BARE_IN_FLIGHT }, lane));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuUsPerMsg = (cpuNow() - cpu0) / n;
  await transport.close();
  if (sink.received() - before !== n) throw new Error(`bare pipe: the sink got ${sink.received() - before} of ${n}`);
  return { ms, rate: n / (ms / 1000), cpuUsPerMsg };
}

interface Worker {
  launcher: CampaignLauncher;
  campaigns: CampaignsRepository;
  dispatcher: CampaignDispatcher;
  sender: ChunkSender;
  settings: DeliverySettings;
}

/** The worker exactly as the app module wires it, in this process, on Bull and PostgreSQL. */
function startWorker(ds: import('typeorm').DataSource, queue: BullJobQueue, transport: MailTransport): Worker {
  const settings = new DeliverySettings({ publicUrl: PUBLIC_URL });
  // Tuning knobs for experiments; unset, the worker runs with the application's defaults.
  if (process.env.BENCH_CHUNK_CONCURRENCY) settings.chunkConcurrency = Number(process.env.BENCH_CHUNK_CONCURRENCY);
  if (process.env.BENCH_SUB_BATCH) settings.subBatchSize = Number(process.env.BENCH_SUB_BATCH);
  if (process.env.BENCH_SEND_CONCURRENCY) settings.sendConcurrency = Number(process.env.BENCH_SEND_CONCURRENCY);
  const clock = new SystemClock();
  const repo = new DeliveryRepository(ds, settings);
  const dispatcher = new CampaignDispatcher(repo, queue, settings);
  const sender = new ChunkSender(
    repo,
    new DeliveryLeases(ds, settings),
    new CampaignRateLimiter(ds),
    dispatcher,
    new TemplateEngine(),
    transport,
    new UnsubscribeTokens(SECRET),
    new SuppressionList(ds),
    clock,
    settings,
  );
  queue.process<SendChunkJob>(
    QueueName.CAMPAIGN_DELIVERY,
    CampaignDeliveryJob.SEND_CHUNK,
    (job) => sender.send(job.data),
    settings.chunkConcurrency,
  );
  const campaigns = new CampaignsRepository(ds);
  return {
    launcher: new CampaignLauncher(ds, campaigns, dispatcher, queue, clock, settings),
    campaigns,
    dispatcher,
    sender,
    settings,
  };
}

/** One campaign of the seeded list, from the launch call to its last recorded send. */
/** Redis's own CPU seconds (INFO cpu): the server is shared, so only a rough figure for what the queue costs. */
async function redisCpuSeconds(): Promise<number> {
  const r = new Redis(benchRedisUrl(), { lazyConnect: true });
  try {
    await r.connect();
    const info = await r.info('cpu');
    const v = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
    return v('used_cpu_user') + v('used_cpu_sys');
  } finally {
    r.disconnect();
  }
}

/** Removes the Bull keys this run left under its own prefix. */
async function deletePrefix(prefix: string): Promise<void> {
  const r = new Redis(benchRedisUrl(), { lazyConnect: true });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

async function campaignRun(
  ds: import('typeorm').DataSource,
  sink: CountingSmtpServer,
  w: Worker,
  seeded: SeededCampaign,
  dbName: string,
) {
  const campaignId = (await sqlOne<{ id: string }>(
    ds,
    `INSERT INTO campaigns (brand_id, list_id, template_id, name, purpose, kind, classification, status)
     SELECT brand_id, list_id, template_id, name, purpose, kind, classification, 'DRAFT' FROM campaigns WHERE id = $1 RETURNING id`,
    [seeded.campaignId],
  ))!.id;
  const before = sink.received();
  const pg = trackServerCpu(dbName);
  const redis0 = await redisCpuSeconds();
  const cpu0 = cpuNow();
  const t0 = process.hrtime.bigint();
  const built = await ds.transaction(async (m) =>
    w.launcher.start(m, (await w.campaigns.findById(m, campaignId, true))!),
  );
  const launchedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await w.dispatcher.dispatch(campaignId);
  await waitUntil(
    async () =>
      (await sqlOne<{ status: string }>(ds, `SELECT status FROM campaigns WHERE id = $1`, [campaignId]))!.status ===
      'COMPLETED',
    30 * 60_000,
    50,
  );
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuUsPerMsg = (cpuNow() - cpu0) / RECIPIENTS;
  const pgSeconds = await pg.stop();
  const redisSeconds = (await redisCpuSeconds()) - redis0;
  const pgUsPerMsg = pgSeconds === null ? null : (pgSeconds * 1e6) / RECIPIENTS;
  const redisUsPerMsg = (redisSeconds * 1e6) / RECIPIENTS;
  const sent = (await sqlOne<{ n: number }>(
    ds,
    `SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND status = 'SENT'`,
    [campaignId],
  ))!.n;
  if (sent !== RECIPIENTS || sink.received() - before !== RECIPIENTS || built.eligible !== RECIPIENTS) {
    throw new Error(
      `campaign: ledger SENT ${sent}, sink ${sink.received() - before}, eligible ${built.eligible}, expected ${RECIPIENTS}`,
    );
  }
  return {
    rate: RECIPIENTS / (totalMs / 1000),
    launchedMs,
    deliveryRate: RECIPIENTS / ((totalMs - launchedMs) / 1000),
    cpuUsPerMsg,
    pgUsPerMsg,
    redisUsPerMsg,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const db = await createCampaignBenchDatabase('delivery');
  const sink = await startCountingSmtpServer();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const bull = [QueueName.CAMPAIGN_DELIVERY, QueueName.CAMPAIGNS].map(
    (name) => new Bull(name, benchRedisUrl(), { prefix }),
  );
  const queue = new BullJobQueue(new Map(bull.map((q) => [q.name, q])));
  const transport = new NodemailerMailTransport(sink.url, POOL);
  let watchdog: NodeJS.Timeout | undefined;
  let worker: Worker | undefined;
  try {
    const seeded = await seedCampaign(db.ds, RECIPIENTS);
    const samples = renderedSamples(seeded.campaignId, seeded.listId, 1000);
    console.log(
      `seeded ${RECIPIENTS} contacts and consents; ~${Buffer.byteLength(samples[0].html! + samples[0].text!)} bytes of body per message`,
    );
    worker = startWorker(db.ds, queue, transport);
    const w = worker;
    watchdog = setInterval(() => void w.dispatcher.sweep().catch(() => undefined), w.settings.watchdogMs);

    // Warm both code paths (JIT, connections) before anything is timed.
    await barePipe(sink, samples, 2_000);
    // Alternate bare, campaign, bare, …: each campaign run is compared with the bare runs on either side of it, so
    // load that comes and goes on the machine shows up in both and in the spread, not in the verdict.
    const bareRates: number[] = [];
    const bareCpu: number[] = [];
    const runs: Awaited<ReturnType<typeof campaignRun>>[] = [];
    if (process.env.BENCH_BARE_ONLY === '1') {
      // Diagnostics (profiling the bare pipe alone): one bare run, no comparison, no result file.
      const bare = await barePipe(sink, samples, RECIPIENTS);
      console.log(
        `bare nodemailer pool: ${Math.round(bare.rate)} msg/s, ${Math.round(bare.cpuUsPerMsg)} µs CPU per message`,
      );
      return;
    }
    if (process.env.BENCH_CAMPAIGN_ONLY === '1') {
      // Diagnostics (profiling the worker): one campaign run, no comparison, no result file.
      const run = await campaignRun(db.ds, sink, w, seeded, new URL(db.url).pathname.slice(1));
      console.log(
        `campaign pipeline: ${Math.round(run.rate)} msg/s end to end; CPU per message: ${Math.round(run.cpuUsPerMsg)} µs here, ${Math.round(run.pgUsPerMsg ?? NaN)} µs PostgreSQL, ~${Math.round(run.redisUsPerMsg)} µs Redis`,
      );
      return;
    }
    const bare0 = await barePipe(sink, samples, RECIPIENTS);
    bareRates.push(bare0.rate);
    bareCpu.push(bare0.cpuUsPerMsg);
    console.log(
      `bare nodemailer pool: ${Math.round(bare0.rate)} msg/s, ${Math.round(bare0.cpuUsPerMsg)} µs CPU per message`,
    );
    for (let round = 0; round < ROUNDS; round++) {
      const run = await campaignRun(db.ds, sink, w, seeded, new URL(db.url).pathname.slice(1));
      runs.push(run);
      console.log(
        `campaign pipeline: ${Math.round(run.rate)} msg/s end to end (launch ${Math.round(run.launchedMs)} ms, then ${Math.round(run.deliveryRate)} msg/s); CPU per message: ${Math.round(run.cpuUsPerMsg)} µs here, ${Math.round(run.pgUsPerMsg ?? NaN)} µs PostgreSQL, ~${Math.round(run.redisUsPerMsg)} µs Redis`,
      );
      const bare = await barePipe(sink, samples, RECIPIENTS);
      bareRates.push(bare.rate);
      bareCpu.push(bare.cpuUsPerMsg);
      console.log(
        `bare nodemailer pool: ${Math.round(bare.rate)} msg/s, ${Math.round(bare.cpuUsPerMsg)} µs CPU per message`,
      );
    }
    // Each campaign run against the better of its two neighbouring bare runs: drift cannot flatter the pipeline.
    const ratios = runs.map((r, i) => r.rate / Math.max(bareRates[i], bareRates[i + 1]));
    const ratio = median(ratios);
    // For the record, not the verdict: the bare pipe given the product's composer threads too (two cores, like the
    // campaign's worker), so the reader sees how much of the ratio the threads buy.
    const threads = Math.max(1, MimeComposerThreads.defaultSize());
    const threadedBare = await barePipe(sink, samples, RECIPIENTS, threads);
    console.log(
      `bare pool with ${threads} composer thread(s): ${Math.round(threadedBare.rate)} msg/s, ${Math.round(threadedBare.cpuUsPerMsg)} µs CPU per message`,
    );

    writeResult(
      'campaign-delivery',
      [
        {
          name: 'campaign end to end (launch to last send), median',
          value: median(runs.map((r) => r.rate)),
          unit: 'msg/s',
        },
        { name: 'bare nodemailer pool, same messages and sink, median', value: median(bareRates), unit: 'msg/s' },
        {
          name: 'campaign / bare (median of rounds)',
          value: ratio * 100,
          unit: '%',
          target: `>= ${TARGET_RATIO * 100}%`,
          ok: ratio >= TARGET_RATIO,
        },
        { name: 'launch: gate and ledger, median', value: median(runs.map((r) => r.launchedMs)), unit: 'ms' },
        { name: 'delivery after launch, median', value: median(runs.map((r) => r.deliveryRate)), unit: 'msg/s' },
        { name: 'bare pool with composer threads (not the baseline)', value: threadedBare.rate, unit: 'msg/s' },
        {
          name: 'campaign / bare pool with composer threads',
          value: (median(runs.map((r) => r.rate)) / threadedBare.rate) * 100,
          unit: '%',
        },
      ],
      {
        recipients: RECIPIENTS,
        rounds: ROUNDS,
        bareRuns: bareRates.map(Math.round),
        campaignRuns: runs.map((r) => Math.round(r.rate)),
        ratios: ratios.map((r) => Math.round(r * 1000) / 10),
        // CPU of this process only (bare pipe or worker, plus the sink); PostgreSQL's and Redis's are not in it.
        cpuMicrosPerMessageThisProcess: {
          bare: bareCpu.map(Math.round),
          campaign: runs.map((r) => Math.round(r.cpuUsPerMsg)),
        },
        // The campaign's CPU outside this process: its database's backends, and Redis (shared; rough).
        cpuMicrosPerMessagePostgres: runs.map((r) => (r.pgUsPerMsg === null ? null : Math.round(r.pgUsPerMsg))),
        cpuMicrosPerMessageRedis: runs.map((r) => Math.round(r.redisUsPerMsg)),
        smtpPool: POOL,
        chunkSize: w.settings.chunkSize,
        subBatchSize: w.settings.subBatchSize,
        chunkConcurrency: w.settings.chunkConcurrency,
        queue: 'Bull on Redis',
        database: 'PostgreSQL server',
        sink: 'smtp-server in this process, counting only',
        tcpNoDelay: 'set by NodemailerMailTransport on every pooled connection, both pipelines',
        composeThreads: { campaign: MimeComposerThreads.defaultSize(), bareBaseline: 0, bareForTheRecord: threads },
        bytesPerMessage: Math.round(sink.bytes() / sink.received()),
        cpus: cpus().length,
        loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
      },
    );
  } finally {
    if (watchdog) clearInterval(watchdog);
    await worker?.sender.stop();
    await queue.close().catch(() => undefined);
    await deletePrefix(prefix).catch(() => undefined);
    await transport.close();
    await sink.close();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
