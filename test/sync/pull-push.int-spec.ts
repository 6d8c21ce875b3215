import { randomBytes } from 'crypto';
import { ConsentBrand, formatIysDate } from '@izinli/consent';
import { sqlExec, sqlRows } from '@izinli/database';
import { waitFor } from '@izinli/testing';
import { SyncHarness } from './support/sync-harness';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Held {
  recipient: string;
  origin: string;
  status: string;
  iys_transaction_id: string | null;
}

/**
 * Incoming: İYS's change feed for every brand (source IYS and HS) on the repeating job, with a cursor that survives
 * a restart; İYS's push applied the same way; de-duplication against what Izinli already holds, its own movements
 * included; and the unsubscribe that a later approval through İYS overrides.
 */
describe('İYS change feed and push (integration)', () => {
  let h: SyncHarness;
  let main: ConsentBrand;
  let sub: ConsentBrand;
  const held = (brand: ConsentBrand) =>
    sqlRows<Held>(
      h.ds,
      `SELECT recipient, origin, status, iys_transaction_id FROM consent_movements WHERE brand_id = $1 ORDER BY id`,
      [brand.id],
    );
  const allowed = async (brand: ConsentBrand, recipient: string) =>
    (
      await h.gate.check(
        { brandId: brand.id, tenantId: brand.tenantId },
        { type: 'EPOSTA', kind: 'COMMERCIAL', recipients: [recipient], recipientType: 'BIREYSEL' },
      )
    )[0];

  beforeAll(async () => {
    h = await SyncHarness.start({
      listen: true,
      env: { IYS_PUSH_USERNAME: 'iys-pushes', IYS_PUSH_PASSWORD: 'a-long-push-password' },
    });
    main = await h.brand('100001');
    sub = await h.brand('100002');
  });
  afterAll(() => h?.close());

  it("pulls citizen and other integrators' movements of every brand, and after a restart neither skips nor repeats", async () => {
    await h.citizen(main, { recipient: 'citizen1@example.com', status: 'ONAY', source: 'IYS_WEB_YENI' });
    await h.citizen(main, { recipient: 'citizen2@example.com', status: 'ONAY' });
    await h.citizen(sub, { recipient: 'citizen3@example.com', status: 'ONAY', source: 'IYS_KISAMESAJ' });
    // Another integrator of the same brand (the HS's own user here) writes through İYS: it arrives with source=HS.
    const other = await h.simCall('POST', `/v2/sps/100001/brands/100001/consents`, {
      recipient: 'other-integrator@example.com',
      type: 'EPOSTA',
      status: 'ONAY',
      source: 'HS_CAGRI_MERKEZI',
      recipientType: 'BIREYSEL',
      consentDate: formatIysDate(new Date()),
    });
    expect(other.status).toBe(200);
    await waitFor(
      async () => (await held(main)).length + (await held(sub)).length,
      (n) => n === 4,
      15_000,
    );
    // The two feeds are pulled side by side: their movements may interleave in any order.
    expect((await held(main)).map((m) => [m.recipient, m.origin]).sort()).toEqual([
      ['citizen1@example.com', 'IYS_PULL'],
      ['citizen2@example.com', 'IYS_PULL'],
      ['other-integrator@example.com', 'IYS_PULL'],
    ]);
    const cursors = await sqlRows<{ source: string; after_cursor: string | null }>(
      h.ds,
      `SELECT source, after_cursor FROM iys_pull_cursors WHERE brand_id = $1 ORDER BY source`,
      [main.id],
    );
    expect(cursors.map((c) => c.source)).toEqual(['HS', 'IYS']);
    expect(cursors.every((c) => typeof c.after_cursor === 'string' && c.after_cursor.length > 0)).toBe(true);

    await h.kill();
    await h.citizen(main, { recipient: 'citizen4@example.com', status: 'ONAY' });
    await h.citizen(main, {
      recipient: 'citizen1@example.com',
      status: 'RET',
      consentDate: new Date(Date.now() + 60_000),
    });
    await h.revive();
    await waitFor(
      async () => (await held(main)).length,
      (n) => n === 5,
      15_000,
    );
    await sleep(1_500);
    const after = await held(main);
    expect(after.slice(3).map((m) => [m.recipient, m.status])).toEqual([
      ['citizen4@example.com', 'ONAY'],
      ['citizen1@example.com', 'RET'],
    ]);
    expect(new Set(after.map((m) => m.iys_transaction_id)).size).toBe(5);
    // The first pull after the restart went on from the stored cursor.
    const pulls = (await h.requests()).filter((r) => r.path.includes('/brands/100001/consents/changes?source=IYS'));
    expect(pulls.at(-1)!.path).toContain('after=');
    const view = await h.registry.get(main, 'EPOSTA', 'citizen1@example.com');
    expect(view).toMatchObject({ status: 'RET', source: 'IYS_MOBIL', iys: { state: 'ACCEPTED' } });
  }, 60_000);

  it("skips Izinli's own movements in the HS feed, and recognises one whose answer was lost", async () => {
    await h.record(main, { recipient: 'own@example.com' });
    await h.settled(main);
    await h.record(main, { recipient: 'lost-answer@example.com' });
    await h.settled(main);
    // As if the worker had died after İYS stored the movement but before it recorded the answer.
    const [row] = await sqlRows<{ id: string; transaction_id: string }>(
      h.ds,
      `SELECT id::text AS id, transaction_id FROM iys_outbox WHERE recipient = 'lost-answer@example.com'`,
    );
    await sqlExec(
      h.ds,
      `UPDATE iys_outbox SET state = 'PENDING', transaction_id = NULL, creation_date = NULL, attempts = 1, next_attempt_at = now() + interval '1 hour' WHERE id = $1`,
      [row.id],
    );
    await sqlExec(
      h.ds,
      `UPDATE consents SET iys_state = 'PENDING', iys_transaction_id = NULL WHERE brand_id = $1 AND recipient = 'lost-answer@example.com'`,
      [main.id],
    );
    // Read the HS feed from the start: every movement of ours comes by again.
    await sqlExec(h.ds, `UPDATE iys_pull_cursors SET after_cursor = NULL WHERE brand_id = $1 AND source = 'HS'`, [
      main.id,
    ]);
    await waitFor(
      async () =>
        (await sqlRows<{ state: string }>(h.ds, `SELECT state FROM iys_outbox WHERE id = $1`, [row.id]))[0].state,
      (state) => state === 'ACCEPTED',
      10_000,
    );
    const movements = (await held(main)).filter(
      (m) => m.recipient === 'own@example.com' || m.recipient === 'lost-answer@example.com',
    );
    expect(movements.map((m) => m.origin)).toEqual(['API', 'API']);
    const [recovered] = await sqlRows<{ state: string; transaction_id: string }>(
      h.ds,
      `SELECT state, transaction_id FROM iys_outbox WHERE id = $1`,
      [row.id],
    );
    expect(recovered).toEqual({ state: 'ACCEPTED', transaction_id: row.transaction_id });
    expect((await allowed(main, 'lost-answer@example.com')).reason).toBe('ONAY_ACCEPTED');
  }, 30_000);

  it("applies İYS's push at once, and the pull of the same movement adds nothing", async () => {
    const base = h.izinli.url!;
    const registered = await h.simCall('POST', '/sps/100001/brands/100002/push/registration', {
      connection: [
        { url: `${base}/iys/push`, type: 'EPOSTA', username: 'iys-pushes', password: 'a-long-push-password' },
      ],
    });
    expect(registered.status).toBe(200);
    const pushedTx = (await h.citizen(sub, {
      recipient: 'pushed@example.com',
      status: 'ONAY',
      source: 'IYS_EPOSTA',
    })) as { transactionId: string };
    await waitFor(
      async () => (await held(sub)).filter((m) => m.recipient === 'pushed@example.com'),
      (l) => l.length === 1,
      10_000,
    );
    await sleep(2_500);
    // Held once, whichever of the push and the next pull came first (the push, almost always).
    const movements = (await held(sub)).filter((m) => m.recipient === 'pushed@example.com');
    expect(movements).toEqual([
      {
        recipient: 'pushed@example.com',
        origin: expect.stringMatching(/^IYS_(PUSH|PULL)$/),
        status: 'ONAY',
        iys_transaction_id: pushedTx.transactionId,
      },
    ]);
    const pushes = await h.simGet<{ list: { status: number; transactionIds: string[] }[] }>('/_sim/pushes');
    expect(pushes.list.some((p) => p.status === 200 && p.transactionIds.includes(pushedTx.transactionId))).toBe(true);
  }, 30_000);

  it('lets a recipient who unsubscribed through Izinli and approved again through İYS receive mail again', async () => {
    const recipient = `again-${randomBytes(3).toString('hex')}@example.com`;
    await h.record(main, { recipient, consentDate: new Date(Date.now() - 30_000) });
    await h.settled(main);
    await h.record(
      main,
      { recipient, status: 'RET', source: 'HS_EPOSTA', evidence: { messageId: 'm-1' } },
      'UNSUBSCRIBE',
    );
    await h.settled(main);
    expect((await allowed(main, recipient)).reason).toBe('REFUSED');
    await sleep(1_100);
    await h.citizen(main, { recipient, status: 'ONAY', source: 'IYS_MOBIL' });
    const decision = await waitFor(
      () => allowed(main, recipient),
      (d) => d.allowed,
      15_000,
    );
    expect(decision.reason).toBe('ONAY_ACCEPTED');
    const view = await h.registry.get(main, 'EPOSTA', recipient);
    expect(view!.history.map((m) => [m.status, m.origin])).toEqual([
      ['ONAY', 'API'],
      ['RET', 'UNSUBSCRIBE'],
      ['ONAY', 'IYS_PULL'],
    ]);
  }, 30_000);
});
