import { ConsentBrand, ConsentImporter, IysOutboxSender } from '@izinli/consent';
import { sqlExec, sqlRows } from '@izinli/database';
import { waitFor } from '@izinli/testing';
import { SyncHarness } from './support/sync-harness';

/**
 * Batches: a burst beyond İYS's per-second limit goes out as single adds up to the limit and batches for the rest,
 * without a single 429; and a worker killed in the middle of a batch, or a queue that loses its jobs, loses no
 * movement and registers none twice.
 */
describe('İYS outbox batches and recovery (integration)', () => {
  let h: SyncHarness;
  let brand: ConsentBrand;

  beforeAll(async () => {
    h = await SyncHarness.start({ env: { IYS_PULL_INTERVAL_SECONDS: '3600' } });
    brand = await h.brand('100001');
  });
  afterAll(() => h?.close());
  afterEach(() => h.clearFaults());

  async function exactlyOnceAtIys(recipients: string[]): Promise<void> {
    const feed = (await h.iysHsFeed(brand)).filter((m) => recipients.includes(m.recipient));
    expect(feed.map((m) => m.recipient).sort()).toEqual([...recipients].sort());
    const local = new Map(
      (await h.outboxStates(brand)).filter((r) => recipients.includes(r.recipient)).map((r) => [r.recipient, r]),
    );
    for (const m of feed)
      expect(local.get(m.recipient)).toMatchObject({ state: 'ACCEPTED', transaction_id: m.transactionId });
  }

  it('takes a burst with single adds up to the limit and batches for the rest, without a 429', async () => {
    const recipients = Array.from({ length: 150 }, (_, i) => `burst${i}@example.com`);
    await Promise.all(recipients.map((recipient) => h.record(brand, { recipient })));
    await h.settled(brand, 30_000);
    const rows = (await h.outboxStates(brand)).filter((r) => recipients.includes(r.recipient));
    expect(rows.every((r) => r.state === 'ACCEPTED')).toBe(true);
    expect(rows.some((r) => r.mode === 'SINGLE')).toBe(true);
    expect(rows.some((r) => r.mode === 'BATCH')).toBe(true);
    const requests = await h.requests();
    expect(requests.filter((r) => r.status === 429)).toEqual([]);
    expect(requests.some((r) => r.method === 'POST' && r.path.endsWith('/consents/request') && r.status === 202)).toBe(
      true,
    );
    await exactlyOnceAtIys(recipients);
  }, 150_000);

  it('sends a bulk import in batches, with their results polled', async () => {
    const recipients = Array.from({ length: 40 }, (_, i) => `imported${i}@example.com`);
    const csv = ['recipient,type,status,source', ...recipients.map((r) => `${r},EPOSTA,ONAY,HS_WEB`)].join('\n') + '\n';
    const importer = h.get<ConsentImporter>(ConsentImporter);
    const id = await importer.receive(
      brand,
      (async function* () {
        yield Buffer.from(csv);
      })(),
      { recordedBy: 'test' },
    );
    await importer.process(id);
    await h.sweep();
    await h.settled(brand, 60_000);
    const rows = (await h.outboxStates(brand)).filter((r) => recipients.includes(r.recipient));
    expect(rows.map((r) => [r.state, r.mode])).toEqual(recipients.map(() => ['ACCEPTED', 'BATCH']));
    const requests = await h.requests();
    expect(
      requests.filter(
        (r) => r.method === 'POST' && r.path.endsWith('/consents') && JSON.stringify(r.body ?? '').includes('imported'),
      ),
    ).toEqual([]);
    expect(
      requests.some(
        (r) =>
          r.method === 'GET' && /\/v2\/sps\/100001\/brands\/100001\/consents\/request\/[0-9a-f-]{36}$/.test(r.path),
      ),
    ).toBe(true);
    await exactlyOnceAtIys(recipients);
  }, 150_000);

  it('loses nothing and registers nothing twice when a worker dies between sending a batch and recording it', async () => {
    const recipients = Array.from({ length: 12 }, (_, i) => `killed${i}@example.com`);
    await h.faults({ outageSeconds: 120 });
    for (const recipient of recipients) await h.record(brand, { recipient });
    await waitFor(
      async () =>
        (await h.outboxStates(brand)).filter((r) => recipients.includes(r.recipient) && r.attempts > 0).length,
      (n) => n === recipients.length,
      40_000,
    );
    // As if they had joined a batch (a burst); İYS is back. This worker will not poll the batch before it dies.
    Object.assign(h.settings(), { batchFirstPollMs: 60_000 });
    await sqlExec(
      h.ds,
      `UPDATE iys_outbox SET mode = 'BATCH', next_attempt_at = now() WHERE recipient = ANY($1::text[])`,
      [recipients],
    );
    await h.clearFaults();
    await h.get<IysOutboxSender>(IysOutboxSender).flushBatch(brand.id);
    const batchPosts = async () =>
      (await h.requests()).filter(
        (r) => r.path.endsWith('/consents/request') && JSON.stringify(r.body ?? '').includes('killed0@example.com'),
      );
    // Every movement is in a batch İYS has taken (the worker's own flush jobs may have split them into several).
    const batches = await waitFor(
      () =>
        sqlRows<{ id: string; state: string }>(
          h.ds,
          `SELECT DISTINCT b.id::text AS id, b.state FROM iys_outbox o LEFT JOIN iys_batches b ON b.id = o.batch_id WHERE o.recipient = ANY($1::text[])`,
          [recipients],
        ),
      (rows) => rows.every((b) => b.state === 'SENT'),
    );
    expect(await batchPosts()).toHaveLength(1);
    // The worker dies right after İYS took the batches, before it could record their requestIds: the batch rows are
    // left as they were while the requests were on the wire, and every job of the worker is gone with it.
    const ids = batches.map((b) => b.id);
    await sqlExec(
      h.ds,
      `UPDATE iys_batches SET state = 'SENDING', request_id = NULL, sent_at = NULL, sends = 0, next_poll_at = created_at WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    await h.kill();
    await h.revive();
    // Their leases run out; the sweep finds the batches and sends them again.
    await sqlExec(
      h.ds,
      `UPDATE iys_batches SET lease_until = now() - interval '1 second' WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    await h.sweep();
    await h.settled(brand, 60_000);
    // Sent twice, registered once: the v2 batch links the second copy of each movement to the first.
    expect(await batchPosts()).toHaveLength(2);
    await exactlyOnceAtIys(recipients);
  }, 150_000);

  it('finds every pending movement again after the queue lost its jobs', async () => {
    const recipients = Array.from({ length: 10 }, (_, i) => `lost${i}@example.com`);
    await h.faults({ outageSeconds: 120 });
    for (const recipient of recipients) await h.record(brand, { recipient });
    await waitFor(
      async () =>
        (await h.outboxStates(brand)).filter((r) => recipients.includes(r.recipient) && r.attempts > 0).length,
      (n) => n === recipients.length,
      40_000,
    );
    // Every queued retry dies with the worker (a new queue prefix: nothing carries over).
    await h.kill();
    await h.clearFaults();
    await h.revive();
    // Their retries fall due, and any claim the dead worker held runs out; no job exists for any of them, only the rows.
    await sqlExec(
      h.ds,
      `UPDATE iys_outbox SET next_attempt_at = now(), claimed_until = LEAST(claimed_until, now() - interval '1 second') WHERE recipient = ANY($1::text[])`,
      [recipients],
    );
    const swept = await h.sweep();
    expect(swept['iys-outbox']).toBeGreaterThan(0);
    await h.settled(brand, 60_000);
    await exactlyOnceAtIys(recipients);
  }, 150_000);
});
