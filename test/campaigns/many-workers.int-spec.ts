import { sqlRows } from '@izinli/database';
import { InProcessJobQueue } from '@izinli/queue';
import { waitFor } from '@izinli/testing';
import { addresses, CampaignHarness, fastSettings } from './support/campaign-harness';
import { CountingSink, startCountingSink } from './support/counting-sink';
import { multiProcessAvailable, WORKER_QUEUE_PREFIX, WorkerFleet } from './support/worker-fleet';

/**
 * Several workers on one campaign. With PostgreSQL and Redis: separate `ROLE=worker` processes; embedded: two
 * workers of one process with their own identities and leases, taking jobs from one queue in turn.
 */
describe(`many workers on one campaign (${multiProcessAvailable() ? 'worker processes on PostgreSQL and Redis' : 'embedded'})`, () => {
  let h: CampaignHarness;
  let sink: CountingSink;
  let fleet: WorkerFleet | undefined;

  beforeAll(async () => {
    h = await CampaignHarness.create(multiProcessAvailable() ? undefined : fastSettings());
    sink = await startCountingSink({ latencyMs: 5 });
    if (multiProcessAvailable()) {
      fleet = await WorkerFleet.start(h.db.url!, sink.url);
      h.useQueue(h.newQueue(WORKER_QUEUE_PREFIX, fleet.redisUrl));
      await fleet.spawn(3);
    }
  }, 120_000);
  afterAll(async () => {
    await fleet?.close();
    await h?.close();
    await sink?.close();
  });

  it('shares one campaign between workers without sending anything twice', async () => {
    const n = fleet ? 1500 : 200;
    const brand = await h.brand();
    const recipients = addresses('mw-', n);
    await h.consentMany(brand, recipients);
    const id = await h.campaign(
      brand,
      await h.list(
        brand,
        recipients.map((email) => ({ email })),
      ),
    );
    let watchdog: NodeJS.Timeout | undefined;
    if (!fleet) {
      const queue = new InProcessJobQueue();
      h.useQueue(queue);
      const workers = [await h.worker(h.smtp(sink.url), { queue }), await h.worker(h.smtp(sink.url), { queue })];
      h.serve(queue, workers);
      watchdog = setInterval(() => void workers[0].dispatcher.sweep().catch(() => undefined), 300);
    }
    try {
      await h.launch(id);
      await waitFor(
        () => h.status(id),
        (s) => s === 'COMPLETED',
        60_000,
        100,
      );
    } finally {
      if (watchdog) clearInterval(watchdog);
    }

    const counts = sink.counts();
    expect(recipients.filter((r) => counts.get(r) !== 1)).toEqual([]);
    const byWorker = await sqlRows<{ sent_by: string; n: number }>(
      h.ds,
      `SELECT sent_by, count(*)::int AS n FROM campaign_recipients WHERE campaign_id = $1 AND status = 'SENT' GROUP BY sent_by ORDER BY sent_by`,
      [id],
    );
    expect(byWorker.reduce((a, w) => a + w.n, 0)).toBe(n);
    // The work was actually shared, by distinct processes (or worker identities).
    expect(byWorker.length).toBeGreaterThanOrEqual(2);
    if (fleet) {
      const pids = new Set(byWorker.map((w) => w.sent_by.split(':')[1]));
      expect([...pids].every((pid) => fleet!.workers.some((p) => String(p.pid) === pid))).toBe(true);
    }
    const flagged = await sqlRows(
      h.ds,
      `SELECT 1 FROM campaign_recipients WHERE campaign_id = $1 AND possible_duplicate`,
      [id],
    );
    expect(flagged).toHaveLength(0);
  }, 120_000);
});
