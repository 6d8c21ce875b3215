import Redis from 'ioredis';
import { sqlOne, sqlRows } from '@izinli/database';
import { waitFor } from '@izinli/testing';
import { seedCampaign } from '../../bench/campaign-bench-support';
import { CampaignHarness, fastSettings } from '../campaigns/support/campaign-harness';
import { CountingSink, startCountingSink } from '../campaigns/support/counting-sink';
import { databaseOutage, WORKER_QUEUE_PREFIX, WorkerFleet } from '../campaigns/support/worker-fleet';

/**
 * Faults staged against the delivery stack as it runs in production: two `ROLE=worker` processes on a PostgreSQL
 * database of the scenario's own and Redis database 15 (the fault suite's alone, so flushing it touches no other
 * suite), an İYS simulator, and a recording SMTP server. Each scenario sends a
 * campaign of 10,000 consented recipients at 250 messages a second and stages its fault once a sixth of it is out.
 */
const RECIPIENTS = 10_000;
const RATE_PER_SECOND = 250;
const FAULT_AFTER_MESSAGES = 1_500;
const FAULT_REDIS_DB = 15;
const DATABASE_DOWN_MS = 15_000;

interface FaultOutcome {
  /** When the fault ended (the process restarted, the server answering again). */
  endedAt: number;
  /** Messages that may be sent twice: the rows on the wire when the fault struck. */
  inFlightWindow: number;
  /** Resolves when delivery has visibly resumed: the time it took counts as the recovery time. */
  resumed?: () => Promise<unknown>;
}

interface Stack {
  h: CampaignHarness;
  sink: CountingSink;
  fleet: WorkerFleet;
  campaignId: string;
}

interface Row {
  scenario: string;
  expected: number;
  delivered: number;
  lost: number;
  outside: number;
  duplicates: number;
  flagged: number;
  window: number;
  recoveryMs: number;
  limitMs: number;
}

const rows: Row[] = [];
const expected = Array.from({ length: RECIPIENTS }, (_, i) => `user${i + 1}@example.com`);

/** FLUSHDB on the fault suite's own Redis database, as an operator's flush (or a Redis that lost its data) does. */
async function flushFaultRedis(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

async function startStack(): Promise<Stack> {
  // The launcher cuts the ledger into the product's chunk size; the workers run with the product's settings.
  const h = await CampaignHarness.create(fastSettings({ chunkSize: 250, subBatchSize: 50 }));
  const sink = await startCountingSink();
  const fleet = await WorkerFleet.start(h.db.url!, sink.url, { redisDb: FAULT_REDIS_DB });
  await flushFaultRedis(fleet.redisUrl);
  h.useQueue(h.newQueue(WORKER_QUEUE_PREFIX, fleet.redisUrl));
  await fleet.spawn(2);
  const seeded = await seedCampaign(h.ds, RECIPIENTS, { ratePerSecond: RATE_PER_SECOND });
  return { h, sink, fleet, campaignId: seeded.campaignId };
}

async function stopStack(s: Stack): Promise<void> {
  await s.fleet.close().catch(() => undefined);
  await s.h.close().catch(() => undefined);
  await s.sink.close().catch(() => undefined);
}

const campaignStatus = (s: Stack) =>
  sqlOne<{ status: string }>(s.h.ds, `SELECT status FROM campaigns WHERE id = $1`, [s.campaignId]).then(
    (r) => r!.status,
    () => 'unreachable',
  );

/** Runs one campaign through `fault`, then checks what arrived against the ledger and records the table's row. */
async function scenario(name: string, limitMs: number, fault: (s: Stack) => Promise<FaultOutcome>): Promise<void> {
  const s = await startStack();
  try {
    await s.h.launch(s.campaignId);
    await waitFor(
      async () => s.sink.messages.length,
      (n) => n >= FAULT_AFTER_MESSAGES,
      60_000,
      20,
    );
    const outcome = await fault(s);
    const receivedAtEnd = s.sink.messages.length;
    await (outcome.resumed?.() ??
      waitFor(
        async () => s.sink.messages.length,
        (n) => n > receivedAtEnd,
        limitMs + 60_000,
        20,
      ));
    const recoveryMs = Date.now() - outcome.endedAt;
    await waitFor(
      () => campaignStatus(s),
      (st) => st === 'COMPLETED',
      240_000,
      200,
    );

    const counts = s.sink.counts();
    const expectedSet = new Set(expected);
    const flaggedRows = await sqlRows<{ recipient: string }>(
      s.h.ds,
      `SELECT recipient FROM campaign_recipients WHERE campaign_id = $1 AND possible_duplicate`,
      [s.campaignId],
    );
    const flagged = new Set(flaggedRows.map((r) => r.recipient));
    const lost = expected.filter((r) => !counts.get(r));
    const outside = [...counts.keys()].filter((r) => !expectedSet.has(r));
    const duplicated = expected.filter((r) => (counts.get(r) ?? 0) > 1);
    const duplicates = duplicated.reduce((n, r) => n + counts.get(r)! - 1, 0);
    const ledger = await sqlOne<{ sent: number }>(
      s.h.ds,
      `SELECT (count(*) FILTER (WHERE status = 'SENT'))::int AS sent FROM campaign_recipients WHERE campaign_id = $1`,
      [s.campaignId],
    );
    rows.push({
      scenario: name,
      expected: expected.length,
      delivered: expected.length - lost.length,
      lost: lost.length,
      outside: outside.length,
      duplicates,
      flagged: flagged.size,
      window: outcome.inFlightWindow,
      recoveryMs,
      limitMs,
    });

    expect({
      lost: lost.slice(0, 5),
      outside: outside.slice(0, 5),
      unflaggedDuplicates: duplicated.filter((r) => !flagged.has(r)).slice(0, 5),
      moreThanTwice: duplicated.filter((r) => counts.get(r)! > 2).slice(0, 5),
      ledgerSent: ledger!.sent,
    }).toEqual({ lost: [], outside: [], unflaggedDuplicates: [], moreThanTwice: [], ledgerSent: RECIPIENTS });
    expect(duplicates).toBeLessThanOrEqual(outcome.inFlightWindow);
    expect(recoveryMs).toBeLessThanOrEqual(limitMs);
  } finally {
    await stopStack(s);
  }
}

describe('faults against the delivery stack (worker processes, PostgreSQL, Redis)', () => {
  afterAll(() => {
    const head = [
      'scenario',
      'expected',
      'delivered',
      'lost',
      'outside',
      'duplicates',
      'flagged',
      'window',
      'recovery',
    ];
    const body = rows.map((r) => [
      r.scenario,
      String(r.expected),
      String(r.delivered),
      String(r.lost),
      String(r.outside),
      String(r.duplicates),
      String(r.flagged),
      String(r.window),
      `${(r.recoveryMs / 1000).toFixed(1)} s (limit ${r.limitMs / 1000} s)`,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
    process.stdout.write(
      `\n${[line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n')}\n\n`,
    );
  });

  it('a worker killed with kill -9 mid-send and restarted: its in-flight rows are sent again, flagged', async () => {
    // Recovery: the dead worker's lease (10 s) expires and the watchdog (5 s) hands its chunks over.
    await scenario('worker kill -9', 30_000, async (s) => {
      const held = await waitFor(
        () =>
          sqlOne<{ worker: string }>(
            s.h.ds,
            `SELECT l.worker FROM campaign_recipients r JOIN delivery_leases l ON l.token = r.claim_token
             WHERE r.campaign_id = $1 AND r.status = 'SENDING' LIMIT 1`,
            [s.campaignId],
          ),
        (r) => !!r,
        20_000,
        10,
      );
      const pid = Number(held!.worker.split(':')[1]);
      const victim = s.fleet.workers.find((w) => w.pid === pid)!;
      expect(victim).toBeDefined();
      victim.kill();
      await victim.exited;
      // What the dead worker left on the wire, counted after its death: nothing can be added to it any more.
      const stranded = await sqlRows<{ id: string }>(
        s.h.ds,
        `SELECT r.id::text FROM campaign_recipients r JOIN delivery_leases l ON l.token = r.claim_token
         WHERE r.campaign_id = $1 AND r.status = 'SENDING' AND l.worker = $2`,
        [s.campaignId, held!.worker],
      );
      s.fleet.workers.splice(s.fleet.workers.indexOf(victim), 1);
      await s.fleet.spawn(1);
      const ids = stranded.map((r) => r.id);
      return {
        endedAt: Date.now(),
        inFlightWindow: ids.length,
        resumed: () =>
          waitFor(
            () =>
              sqlOne<{ n: number }>(
                s.h.ds,
                `SELECT count(*)::int AS n FROM campaign_recipients WHERE id = ANY($1::bigint[]) AND status = 'SENDING'`,
                [ids],
              ),
            (r) => r!.n === 0,
            90_000,
            100,
          ),
      };
    });
  });

  it('Redis flushed mid-campaign: the watchdog offers every queued chunk again', async () => {
    await scenario('Redis flushed', 30_000, async (s) => {
      await flushFaultRedis(s.fleet.redisUrl);
      // No row is on the wire twice: the claim in PostgreSQL decides who sends, whatever the queue believes.
      return { endedAt: Date.now(), inFlightWindow: 0 };
    });
  });

  it(`PostgreSQL restarted (every session ended, new ones refused for ${DATABASE_DOWN_MS / 1000} s)`, async () => {
    await scenario(`PostgreSQL down ${DATABASE_DOWN_MS / 1000} s`, 30_000, async (s) => {
      await databaseOutage(s.h.db.url!, DATABASE_DOWN_MS);
      // Mail handed to SMTP is recorded through the outage, so nothing is sent twice.
      return { endedAt: Date.now(), inFlightWindow: 0 };
    });
  });
});
