import { sqlOne, sqlRows } from '@izinli/database';
import { MailReceipt, MailTransport, NodemailerMailTransport, OutgoingMail } from '@izinli/mailer';
import { startTcpProxy, TcpProxy, waitFor } from '@izinli/testing';
import { addresses, CampaignHarness, fastSettings } from './support/campaign-harness';
import { CountingSink, startCountingSink } from './support/counting-sink';
import { multiProcessAvailable, WORKER_QUEUE_PREFIX, WorkerFleet } from './support/worker-fleet';

/**
 * A transport whose sends hang once `healthy` have gone through, as on a connection that stopped answering, until
 * `wake()`: then every hung send goes out after all, as a late answer would have it.
 */
class HangingTransport extends MailTransport {
  readonly kind = 'smtp' as const;
  calls = 0;
  private readonly hung: (() => void)[] = [];
  constructor(
    private readonly inner: MailTransport,
    private readonly healthy: number,
  ) {
    super();
  }
  async send(mail: OutgoingMail): Promise<MailReceipt> {
    if (++this.calls > this.healthy) await new Promise<void>((resolve) => this.hung.push(resolve));
    return this.inner.send(mail);
  }
  get hanging(): number {
    return this.hung.length;
  }
  wake(): void {
    for (const w of this.hung.splice(0)) w();
  }
  verify() {
    return this.inner.verify();
  }
  close() {
    return this.inner.close();
  }
}

const waiting = (h: CampaignHarness, id: string) =>
  sqlOne<{ reason: string | null; since: Date | null }>(
    h.ds,
    `SELECT waiting_reason AS reason, waiting_since AS since FROM campaigns WHERE id = $1`,
    [id],
  ).then((r) => r!);

/**
 * Issue 18: a stalled SMTP must not stop delivery. A chunk whose execution makes no progress gives up its lease
 * and is taken over; a mail server that stops answering fails sends at their deadline, marks the campaign as
 * waiting for it, and delivery resumes by itself when it answers again. Both test layers: PGlite and the in-process
 * queue, or a PostgreSQL server and Bull.
 */
describe('delivery stalls', () => {
  let h: CampaignHarness;
  let sink: CountingSink;
  beforeAll(async () => {
    h = await CampaignHarness.create();
    sink = await startCountingSink();
  });
  afterAll(async () => {
    await h?.close();
    await sink?.close();
  });

  const campaignOf = async (n: number, ratePerSecond?: number) => {
    const brand = await h.brand();
    const recipients = addresses(`s${Math.random().toString(36).slice(2, 7)}-`, n);
    await h.consentMany(brand, recipients);
    const listId = await h.list(
      brand,
      recipients.map((email) => ({ email })),
    );
    return { id: await h.campaign(brand, listId, { ratePerSecond }), recipients };
  };

  it('gives up the lease of a chunk that makes no progress; another worker takes it over and the stalled one, when it wakes, sends nothing it no longer holds', async () => {
    const settings = fastSettings({ stallAfterMs: 1_500 });
    const { id, recipients } = await campaignOf(30);
    await h.launch(id, false);
    const before = new Map(sink.counts());
    // Ten messages go through; the second sub-batch hangs on the wire, the third is already claimed behind it.
    const hanging = new HangingTransport(h.smtp(sink.url), 10);
    const stalled = await h.worker(hanging, { settings });
    const started = Date.now();
    const execution = stalled.sender.send({ campaignId: id, seq: 0, generation: 1 });
    // The stalled execution ends by itself (freeing its queue slot) soon after the stall limit, its sends still hung.
    await execution;
    expect(Date.now() - started).toBeLessThan(settings.stallAfterMs + 3_000);
    expect(hanging.hanging).toBe(10);
    expect((await waiting(h, id)).reason).toBe('NO_PROGRESS');

    const survivor = await h.worker(h.smtp(sink.url), { settings });
    h.serve(h.queue, [survivor]);
    const watchdog = setInterval(() => void survivor.dispatcher.sweep().catch(() => undefined), 200);
    try {
      await h.untilCompleted(id, 20_000);
    } finally {
      clearInterval(watchdog);
    }
    // The stalled worker wakes: its hung sends go out late, and it hands nothing else to SMTP.
    hanging.wake();
    await waitFor(
      () => Promise.resolve(sink.messages.length),
      () => hanging.hanging === 0,
      5_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(hanging.calls).toBe(20);
    const counts = sink.counts();
    const got = (r: string) => (counts.get(r) ?? 0) - (before.get(r) ?? 0);
    const flagged = new Set(
      (
        await sqlRows<{ recipient: string }>(
          h.ds,
          `SELECT recipient FROM campaign_recipients WHERE campaign_id = $1 AND possible_duplicate`,
          [id],
        )
      ).map((r) => r.recipient),
    );
    // Only the ten that were on the wire when the chunk was taken over arrive twice, and each of them is counted.
    expect(recipients.filter((r) => got(r) === 0)).toEqual([]);
    expect(recipients.filter((r) => got(r) > 2)).toEqual([]);
    const twice = recipients.filter((r) => got(r) === 2);
    expect(twice).toHaveLength(10);
    expect(twice.every((r) => flagged.has(r))).toBe(true);
    expect(flagged.size).toBe(10);
    expect((await waiting(h, id)).reason).toBeNull();
  }, 60_000);

  describe('a mail server that stops answering', () => {
    let proxy: TcpProxy;
    let transport: NodemailerMailTransport;
    beforeAll(async () => {
      const u = new URL(sink.url);
      proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
      transport = new NodemailerMailTransport(
        `smtp://127.0.0.1:${proxy.port}`,
        2,
        0,
        {},
        { connectMs: 500, greetingMs: 500, idleMs: 20_000, sendMs: 800 },
      );
    });
    afterAll(async () => {
      await transport?.close();
      await proxy?.close();
    });

    it('fails its sends at the deadline, says the campaign waits for SMTP, and finishes once it answers again', async () => {
      const { id, recipients } = await campaignOf(60, 30);
      const before = sink.messages.length;
      const queue = h.newQueue();
      h.useQueue(queue);
      const worker = await h.worker(transport, { queue });
      h.serve(queue, [worker]);
      const watchdog = setInterval(() => void worker.dispatcher.sweep().catch(() => undefined), 300);
      try {
        await h.launch(id);
        await waitFor(
          () => Promise.resolve(sink.messages.length - before),
          (n) => n >= 10,
          15_000,
        );
        proxy.freeze();
        const since = await waitFor(
          () => waiting(h, id),
          (w) => w.reason === 'SMTP_UNAVAILABLE',
          10_000,
          50,
        );
        // Nothing is lost meanwhile: no row was failed for an outage that is not the recipient's.
        const stuck = sink.messages.length;
        await new Promise((r) => setTimeout(r, 1_500));
        expect(sink.messages.length).toBe(stuck);
        expect((await waiting(h, id)).since).toEqual(since.since);
        proxy.thaw();
        await h.untilCompleted(id, 30_000);
      } finally {
        clearInterval(watchdog);
      }
      const ledger = await h.ledger(id);
      expect(ledger.filter((r) => r.status !== 'SENT')).toEqual([]);
      const counts = sink.counts();
      expect(recipients.filter((r) => !counts.get(r))).toEqual([]);
      expect((await waiting(h, id)).reason).toBeNull();
    }, 60_000);
  });

  /**
   * With a PostgreSQL server and Redis (npm run test:integration): a real worker process given SIGTERM. Embedded:
   * the same shutdown path in one process, ChunkSender.stop with a send that never answers.
   */
  describe(`a worker stopped while SMTP hangs (${multiProcessAvailable() ? 'worker processes' : 'embedded'})`, () => {
    let proxy: TcpProxy;
    let fleet: WorkerFleet | undefined;
    beforeAll(async () => {
      const u = new URL(sink.url);
      proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port) });
      if (multiProcessAvailable()) {
        fleet = await WorkerFleet.start(h.db.url!, `smtp://127.0.0.1:${proxy.port}`);
        h.useQueue(h.newQueue(WORKER_QUEUE_PREFIX, fleet.redisUrl));
      }
    }, 120_000);
    afterAll(async () => {
      await fleet?.close();
      await proxy?.close();
    });

    it('stops within 10 s while a chunk still waits on SMTP, holding nothing, and another worker takes the chunk over', async () => {
      if (fleet) {
        const [first] = await fleet.spawn(1);
        const { id, recipients } = await campaignOf(200, 40);
        const before = sink.messages.length;
        await h.launch(id);
        await waitFor(
          () => Promise.resolve(sink.messages.length - before),
          (n) => n >= 20,
          30_000,
        );
        proxy.freeze();
        // Its sends now hang on the wire (for up to the 60 s SMTP deadline), rows SENDING under its leases.
        await waitFor(
          () =>
            sqlOne<{ n: number }>(
              h.ds,
              `SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND status = 'SENDING'`,
              [id],
            ).then((r) => r!.n),
          (n) => n > 0,
          10_000,
          50,
        );
        await new Promise((r) => setTimeout(r, 500));
        const signalled = Date.now();
        first.terminate();
        const code = await first.exited;
        const tookMs = Date.now() - signalled;
        expect({ tookMs: tookMs < 10_000, output: tookMs < 10_000 ? '' : first.output() }).toEqual({
          tookMs: true,
          output: '',
        });
        expect(code === 0 || code === null || code === 1).toBe(true);
        // It left no lease behind: nothing of the campaign waits for a lease to expire.
        const leases = await sqlOne<{ n: number }>(
          h.ds,
          `SELECT count(*)::int AS n FROM delivery_leases WHERE worker LIKE $1`,
          [`%:${first.pid}:%`],
        );
        expect(leases!.n).toBe(0);

        proxy.thaw();
        const [second] = await fleet.spawn(1);
        await waitFor(
          () => h.status(id),
          (s) => s === 'COMPLETED',
          120_000,
          200,
        );
        const bySecond = await sqlOne<{ n: number }>(
          h.ds,
          `SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND sent_by LIKE $2`,
          [id, `%:${second.pid}:%`],
        );
        expect(bySecond!.n).toBeGreaterThan(0);
        const counts = sink.counts();
        const flagged = new Set(
          (
            await sqlRows<{ recipient: string }>(
              h.ds,
              `SELECT recipient FROM campaign_recipients WHERE campaign_id = $1 AND possible_duplicate`,
              [id],
            )
          ).map((r) => r.recipient),
        );
        expect(recipients.filter((r) => !counts.get(r))).toEqual([]);
        expect(recipients.filter((r) => (counts.get(r) ?? 0) > 2)).toEqual([]);
        expect(recipients.filter((r) => counts.get(r) === 2 && !flagged.has(r))).toEqual([]);
      } else {
        const { id, recipients } = await campaignOf(30);
        await h.launch(id, false);
        const queue = h.newQueue();
        h.useQueue(queue);
        const hanging = new HangingTransport(h.smtp(sink.url), 10);
        const stopping = await h.worker(hanging, { queue });
        const execution = stopping.sender.send({ campaignId: id, seq: 0, generation: 1 }).catch((e: Error) => e);
        await waitFor(
          () => Promise.resolve(hanging.hanging),
          (n) => n === 10,
          10_000,
        );
        const started = Date.now();
        await stopping.sender.stop();
        expect(Date.now() - started).toBeLessThan(h.settings.shutdownGraceMs + 2_500);
        expect(await execution).toMatchObject({ name: 'WorkerStoppingError' });
        const leases = await sqlOne<{ n: number }>(
          h.ds,
          `SELECT count(*)::int AS n FROM delivery_leases WHERE worker = $1`,
          [stopping.id],
        );
        expect(leases!.n).toBe(0);
        const next = await h.worker(h.smtp(sink.url), { queue });
        h.serve(queue, [next]);
        const watchdog = setInterval(() => void next.dispatcher.sweep().catch(() => undefined), 200);
        try {
          await h.untilCompleted(id, 20_000);
        } finally {
          clearInterval(watchdog);
        }
        const taken = await sqlOne<{ n: number }>(
          h.ds,
          `SELECT count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND sent_by = $2`,
          [id, next.id],
        );
        expect(taken!.n).toBe(20);
        expect(hanging.calls).toBe(20);
        const counts = sink.counts();
        expect(recipients.filter((r) => !counts.get(r))).toEqual([]);
      }
    }, 300_000);
  });
});
