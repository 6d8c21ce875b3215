import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { sqlOne, sqlRows } from '@izinli/database';
import { MailReceipt, MailTransport, OutgoingMail } from '@izinli/mailer';
import { InProcessJobQueue } from '@izinli/queue';
import { waitFor } from '@izinli/testing';
import { addresses, CampaignHarness, fastSettings } from './support/campaign-harness';
import { CountingSink, startCountingSink } from './support/counting-sink';
import { databaseOutage, multiProcessAvailable, WORKER_QUEUE_PREFIX, WorkerFleet } from './support/worker-fleet';

/**
 * A worker that dies mid-send: its first `healthy` messages go through normally; every later one reaches the
 * server and then the answer never comes back, as for a process killed while waiting on SMTP.
 */
class DyingTransport extends MailTransport {
  readonly kind = 'smtp' as const;
  private sent = 0;
  constructor(
    private readonly inner: MailTransport,
    private readonly healthy: number,
  ) {
    super();
  }
  async send(mail: OutgoingMail): Promise<MailReceipt> {
    const receipt = await this.inner.send(mail);
    if (++this.sent <= this.healthy) return receipt;
    return new Promise<MailReceipt>(() => undefined);
  }
  verify() {
    return this.inner.verify();
  }
  close() {
    return this.inner.close();
  }
}

/** The invariant of every recovery: all eligible recipients got mail, at most twice, and every second copy is counted. */
async function expectDeliveredOnceOrFlagged(
  h: CampaignHarness,
  sink: CountingSink,
  campaignId: string,
  recipients: string[],
) {
  const counts = sink.counts();
  const flagged = new Set(
    (
      await sqlRows<{ recipient: string }>(
        h.ds,
        `SELECT recipient FROM campaign_recipients WHERE campaign_id = $1 AND possible_duplicate`,
        [campaignId],
      )
    ).map((r) => r.recipient),
  );
  const missing = recipients.filter((r) => !counts.get(r));
  const twice = recipients.filter((r) => (counts.get(r) ?? 0) === 2);
  const more = recipients.filter((r) => (counts.get(r) ?? 0) > 2);
  expect({ missing, more, unflaggedDuplicates: twice.filter((r) => !flagged.has(r)) }).toEqual({
    missing: [],
    more: [],
    unflaggedDuplicates: [],
  });
  const sent = await sqlOne<{ sent: number; flagged: number }>(
    h.ds,
    `SELECT (count(*) FILTER (WHERE status = 'SENT'))::int AS sent, (count(*) FILTER (WHERE possible_duplicate))::int AS flagged FROM campaign_recipients WHERE campaign_id = $1`,
    [campaignId],
  );
  expect(sent!.sent).toBe(recipients.length);
  return { flagged: sent!.flagged, twice: twice.length };
}

const untilCompleted = (h: CampaignHarness, id: string, timeoutMs: number) =>
  waitFor(
    () => h.status(id).catch(() => 'unreachable'),
    (s) => s === 'COMPLETED',
    timeoutMs,
    100,
  );

/**
 * Recovery, in both test layers. With a PostgreSQL server and Redis (`npm run test:integration`): real worker
 * processes, killed with SIGKILL, a Redis that loses every key, a database that ends every session and refuses
 * new ones for a while. Embedded (`npm test`): the same failures as one process can stage them: a worker whose
 * lease stops beating mid-send, a queue that loses its jobs, a database that refuses every statement for a while.
 */
describe(`campaign recovery (${multiProcessAvailable() ? 'worker processes on PostgreSQL and Redis' : 'embedded'})`, () => {
  let h: CampaignHarness;
  let sink: CountingSink;
  let fleet: WorkerFleet | undefined;

  beforeAll(async () => {
    h = await CampaignHarness.create(multiProcessAvailable() ? undefined : fastSettings());
    sink = await startCountingSink();
    if (multiProcessAvailable()) {
      fleet = await WorkerFleet.start(h.db.url!, sink.url);
      h.useQueue(h.newQueue(WORKER_QUEUE_PREFIX, fleet.redisUrl));
      await fleet.spawn(2);
    }
  }, 200_000);
  afterAll(async () => {
    await fleet?.close();
    await h?.close();
    await sink?.close();
  });

  const campaignOf = async (n: number, ratePerSecond?: number) => {
    const brand = await h.brand();
    const recipients = addresses(`r${Math.random().toString(36).slice(2, 7)}-`, n);
    await h.consentMany(brand, recipients);
    const id = await h.campaign(
      brand,
      await h.list(
        brand,
        recipients.map((email) => ({ email })),
      ),
      { ratePerSecond },
    );
    return { id, recipients };
  };

  it('finishes a campaign whose worker is killed mid-send: one mail each, except in-flight ones, which are counted', async () => {
    if (fleet) {
      sink.setLatency(150);
      const { id, recipients } = await campaignOf(300, 60);
      await h.launch(id);
      // Kill a worker while it holds rows in flight.
      const victim = await waitFor(
        () =>
          sqlOne<{ worker: string }>(
            h.ds,
            `SELECT l.worker FROM campaign_recipients r JOIN delivery_leases l ON l.token = r.claim_token
             WHERE r.campaign_id = $1 AND r.status = 'SENDING' LIMIT 1`,
            [id],
          ),
        (r) => !!r,
        20_000,
        20,
      );
      const pid = Number(victim!.worker.split(':')[1]);
      const proc = fleet.workers.find((w) => w.pid === pid)!;
      expect(proc).toBeDefined();
      proc.kill();
      await proc.exited;
      await untilCompleted(h, id, 120_000);
      sink.setLatency(0);
      const { flagged, twice } = await expectDeliveredOnceOrFlagged(h, sink, id, recipients);
      expect(flagged).toBeGreaterThan(0);
      expect(flagged).toBeGreaterThanOrEqual(twice);
      // A replacement, so the next tests again have two workers.
      fleet.workers.splice(fleet.workers.indexOf(proc), 1);
      await fleet.spawn(1);
    } else {
      const { id, recipients } = await campaignOf(30);
      await h.launch(id, false);
      const doomed = await h.worker(new DyingTransport(h.smtp(sink.url), 10));
      // The doomed worker takes the chunk; its second sub-batch reaches the server and is never answered.
      void doomed.sender.send({ campaignId: id, seq: 0, generation: 1 });
      await waitFor(
        () => Promise.resolve(sink.messages.length),
        (n) => n >= 20,
        10_000,
      );
      doomed.leases.stop();
      const survivor = await h.worker(h.smtp(sink.url));
      h.serve(h.queue, [survivor]);
      const watchdog = setInterval(() => void survivor.dispatcher.sweep().catch(() => undefined), 200);
      try {
        await untilCompleted(h, id, 20_000);
      } finally {
        clearInterval(watchdog);
      }
      const { flagged, twice } = await expectDeliveredOnceOrFlagged(h, sink, id, recipients);
      // The sub-batch on the wire reached the server and was sent again: ten recipients got two copies. The
      // sub-batch the dead worker had already claimed behind it is counted too: "possibly" is an upper bound.
      expect(twice).toBe(10);
      expect(flagged).toBe(20);
    }
  }, 200_000);

  it('finishes a campaign after Redis loses every queued job, sending each mail exactly once', async () => {
    const before = sink.messages.length;
    if (fleet) {
      const { id, recipients } = await campaignOf(300, 60);
      await h.launch(id);
      await waitFor(
        () => Promise.resolve(sink.messages.length - before),
        (n) => n >= 50,
        20_000,
      );
      expect(await fleet.flushRedis()).toBeGreaterThan(0);
      await untilCompleted(h, id, 120_000);
      const { flagged } = await expectDeliveredOnceOrFlagged(h, sink, id, recipients);
      expect(flagged).toBe(0);
      expect(recipients.every((r) => sink.counts().get(r) === 1)).toBe(true);
    } else {
      const { id, recipients } = await campaignOf(60, 30);
      const first = new InProcessJobQueue();
      h.useQueue(first);
      const worker = await h.worker(h.smtp(sink.url), { queue: first });
      h.serve(first, [worker], 1);
      await h.launch(id);
      await waitFor(
        () => Promise.resolve(sink.messages.length - before),
        (n) => n >= 10,
        10_000,
      );
      // Every waiting job is gone; a new queue starts empty and only the sweep knows what is left.
      void first.close();
      const second = new InProcessJobQueue();
      h.useQueue(second);
      const next = await h.worker(h.smtp(sink.url), { queue: second });
      h.serve(second, [next]);
      const watchdog = setInterval(() => void next.dispatcher.sweep().catch(() => undefined), 200);
      try {
        await untilCompleted(h, id, 20_000);
      } finally {
        clearInterval(watchdog);
        await second.close();
      }
      const { flagged } = await expectDeliveredOnceOrFlagged(h, sink, id, recipients);
      expect(flagged).toBe(0);
      expect(recipients.every((r) => sink.counts().get(r) === 1)).toBe(true);
    }
  }, 200_000);

  it('finishes a campaign across a database outage without losing or repeating mail', async () => {
    const before = sink.messages.length;
    if (fleet) {
      const { id, recipients } = await campaignOf(300, 60);
      await h.launch(id);
      await waitFor(
        () => Promise.resolve(sink.messages.length - before),
        (n) => n >= 50,
        20_000,
      );
      await databaseOutage(h.db.url!, 4_000);
      await untilCompleted(h, id, 120_000);
      const { flagged, twice } = await expectDeliveredOnceOrFlagged(h, sink, id, recipients);
      // The contract: a send in flight when the database went away may go out twice, and is then counted.
      // (Without load nothing repeats here; on a loaded two-core CI machine one in-flight send was seen repeated.)
      expect(twice).toBeLessThanOrEqual(flagged);
      expect(flagged).toBeLessThanOrEqual(5);
    } else {
      const settings = fastSettings({ leaseTtlMs: 5_000 });
      const queue = new InProcessJobQueue();
      h.useQueue(queue);
      const worker = await h.worker(h.smtp(sink.url), { queue, settings });
      h.serve(queue, [worker]);
      const { id, recipients } = await campaignOf(60, 30);
      await h.launch(id);
      await waitFor(
        () => Promise.resolve(sink.messages.length - before),
        (n) => n >= 10,
        10_000,
      );
      // Every statement fails as on a lost connection, for two seconds.
      const outage = jest
        .spyOn(PostgresQueryRunner.prototype, 'query')
        .mockRejectedValue(
          Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        );
      await new Promise((r) => setTimeout(r, 2_000));
      outage.mockRestore();
      const watchdog = setInterval(() => void worker.dispatcher.sweep().catch(() => undefined), 200);
      try {
        await untilCompleted(h, id, 30_000);
      } finally {
        clearInterval(watchdog);
        await queue.close();
      }
      const { flagged, twice } = await expectDeliveredOnceOrFlagged(h, sink, id, recipients);
      expect(twice).toBe(0);
      expect(flagged).toBe(0);
    }
  }, 200_000);
});
