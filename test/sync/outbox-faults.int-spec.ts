import { ConsentBrand } from '@izinli/consent';
import { SyncHarness } from './support/sync-harness';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Outgoing movements under İYS's faults, driven through the simulator's knobs: every movement reaches İYS exactly
 * once and in order per key, and the local state ends equal to İYS's; refusals end the rows and stop an ONAY from
 * allowing mail. Missed deadlines: outbox-deadlines.int-spec.ts.
 */
describe('İYS outbox under faults (integration)', () => {
  let h: SyncHarness;
  let brand: ConsentBrand;

  beforeAll(async () => {
    h = await SyncHarness.start();
    brand = await h.brand('100001');
    // A first movement, so the token is held before the faults start (a token request is paced, not retried hot).
    await h.record(brand, { recipient: 'warmup@example.com' });
    await h.settled(brand);
  });
  afterAll(() => h?.close());
  afterEach(() => h.clearFaults());

  it('sends every movement exactly once, in order per key, through 5xx, an outage, a 429 burst and slow answers', async () => {
    const keys = Array.from({ length: 16 }, (_, i) => `order${i}@example.com`);
    const base = Date.now() - 60_000;
    const chaos = (async () => {
      await h.faults({ errorRate: 0.4, errorCodes: ['H101', 'H015', 'H192'] });
      await sleep(1_500);
      await h.faults({ outageSeconds: 2 });
      await sleep(2_500);
      await h.faults({ tooManyRequestsFor: 1 });
      await sleep(1_500);
      await h.faults({ latencyMs: 400 });
      await sleep(1_500);
      await h.clearFaults();
    })();
    await Promise.all(
      keys.map(async (recipient, i) => {
        for (const [j, status] of (['ONAY', 'RET', 'ONAY'] as const).entries()) {
          await h.record(brand, { recipient, status, consentDate: new Date(base + j * 10_000 + i * 100) });
          await sleep(400);
        }
      }),
    );
    await chaos;
    await h.settled(brand, 45_000);

    const rows = (await h.outboxStates(brand)).filter((r) => keys.includes(r.recipient));
    expect(rows).toHaveLength(48);
    expect(rows.filter((r) => r.state !== 'ACCEPTED')).toEqual([]);
    const feed = (await h.iysHsFeed(brand)).filter((m) => keys.includes(m.recipient));
    expect(feed).toHaveLength(48);
    for (const recipient of keys) {
      const atIys = feed.filter((m) => m.recipient === recipient);
      const local = rows.filter((r) => r.recipient === recipient);
      expect([recipient, atIys.map((m) => m.status)]).toEqual([recipient, ['ONAY', 'RET', 'ONAY']]);
      expect(atIys.map((m) => m.transactionId)).toEqual(local.map((r) => r.transaction_id));
      // Never two movements of one key in one İYS second (they would share a transactionId).
      expect(new Set(atIys.map((m) => m.creationDate)).size).toBe(3);
    }
    // The local state equals İYS's: the status query of every key, and the bulk ONAY query.
    const iys = new Map((await h.iysConsents(brand)).map((c) => [c.recipient, c]));
    for (const c of (await h.consents(brand)).filter((x) => keys.includes(x.recipient))) {
      expect(c).toMatchObject({
        status: 'ONAY',
        iys_state: 'ACCEPTED',
        iys_transaction_id: iys.get(c.recipient)!.transactionId,
      });
      expect(iys.get(c.recipient)!.status).toBe('ONAY');
    }
    expect((await h.iysApproved(brand, keys)).sort()).toEqual([...keys].sort());
    for (const recipient of keys.slice(0, 3)) {
      const c4 = (await (
        await h.simCall('POST', `/sps/${brand.iysCode}/brands/${brand.brandCode}/consents/status`, {
          recipient,
          recipientType: 'BIREYSEL',
          type: 'EPOSTA',
        })
      ).json()) as { status: string; transactionId: string };
      const local = await h.registry.get(brand, 'EPOSTA', recipient);
      expect({ status: c4.status, transactionId: c4.transactionId }).toEqual({
        status: local!.status,
        transactionId: local!.iys.transactionId,
      });
    }
    const answers = await h.requests();
    expect(answers.some((r) => r.status >= 500)).toBe(true);
    expect(answers.some((r) => r.status === 429)).toBe(true);
  }, 90_000);

  it('ends an ONAY that İYS refuses as REJECTED with its code, and the gate stops allowing mail', async () => {
    await h.faults({ errorRate: 1, errorCodes: ['H120'], pathPattern: '/consents$' });
    await h.record(brand, { recipient: 'refused@example.com' });
    await h.settled(brand);
    await h.clearFaults();
    const row = (await h.outboxStates(brand)).find((r) => r.recipient === 'refused@example.com')!;
    expect(row).toMatchObject({ state: 'REJECTED', error_code: 'H120', reason: 'REFUSED_BY_IYS' });
    const [decision] = await h.gate.check(
      { brandId: brand.id, tenantId: brand.tenantId },
      { type: 'EPOSTA', kind: 'COMMERCIAL', recipients: ['refused@example.com'], recipientType: 'BIREYSEL' },
    );
    expect(decision).toMatchObject({ allowed: false, reason: 'NOT_REGISTERED' });
    const view = await h.registry.get(brand, 'EPOSTA', 'refused@example.com');
    expect(view!.iys).toMatchObject({ state: 'REJECTED', errorCode: 'H120' });
  });

  it('does not send a first RET at all', async () => {
    await h.record(brand, { recipient: 'never-approved@example.com', status: 'RET' });
    await sleep(300);
    const row = (await h.outboxStates(brand)).find((r) => r.recipient === 'never-approved@example.com')!;
    expect(row).toMatchObject({ state: 'NOT_REQUIRED', reason: 'FIRST_RET', attempts: 0 });
    expect((await h.requests()).some((r) => JSON.stringify(r.body ?? '').includes('never-approved@example.com'))).toBe(
      false,
    );
  });
});

describe('İYS outbox when İYS holds something else (integration)', () => {
  let h: SyncHarness;
  let brand: ConsentBrand;

  beforeAll(async () => {
    // No pull during these tests: İYS's own movements must reach Izinli only through the sender's answers.
    h = await SyncHarness.start({ env: { IYS_PULL_INTERVAL_SECONDS: '3600' } });
    brand = await h.brand('100002');
  });
  afterAll(() => h?.close());

  it("on H178 drops the stale movement and takes İYS's later one instead (status read)", async () => {
    await h.record(brand, { recipient: 'later@example.com', consentDate: new Date(Date.now() - 20_000) });
    await h.settled(brand);
    // Not in the second İYS created our ONAY in: two movements of a key in one second share a transactionId.
    await sleep(1_100);
    // A citizen approves again in the İYS app, dated after the RET Izinli is about to send.
    await h.citizen(brand, {
      recipient: 'later@example.com',
      status: 'ONAY',
      consentDate: new Date(Date.now() + 30_000),
    });
    await h.record(brand, { recipient: 'later@example.com', status: 'RET', source: 'HS_EPOSTA' }, 'UNSUBSCRIBE');
    await h.settled(brand);
    const rows = (await h.outboxStates(brand)).filter((r) => r.recipient === 'later@example.com');
    expect(rows.map((r) => [r.status, r.state, r.reason, r.error_code])).toEqual([
      ['ONAY', 'ACCEPTED', null, null],
      ['RET', 'NOT_REQUIRED', 'STALE_AT_IYS', 'H178'],
    ]);
    const [iys] = (await h.iysConsents(brand)).filter((c) => c.recipient === 'later@example.com');
    const view = await h.registry.get(brand, 'EPOSTA', 'later@example.com');
    expect(view).toMatchObject({
      status: 'ONAY',
      source: 'IYS_MOBIL',
      iys: { state: 'ACCEPTED', transactionId: iys.transactionId },
    });
  });

  it('on H174 (İYS already holds the RET) ends the RET as already done', async () => {
    await h.record(brand, { recipient: 'twice@example.com', consentDate: new Date(Date.now() - 20_000) });
    await h.settled(brand);
    await sleep(1_100);
    await h.citizen(brand, {
      recipient: 'twice@example.com',
      status: 'RET',
      consentDate: new Date(Date.now() - 10_000),
    });
    await h.record(brand, { recipient: 'twice@example.com', status: 'RET', source: 'HS_EPOSTA' }, 'UNSUBSCRIBE');
    await h.settled(brand);
    const ret = (await h.outboxStates(brand)).filter((r) => r.recipient === 'twice@example.com')[1];
    expect(ret).toMatchObject({ state: 'NOT_REQUIRED', reason: 'ALREADY_RET', error_code: 'H174' });
    const [decision] = await h.gate.check(
      { brandId: brand.id, tenantId: brand.tenantId },
      { type: 'EPOSTA', kind: 'COMMERCIAL', recipients: ['twice@example.com'], recipientType: 'BIREYSEL' },
    );
    expect(decision.reason).toBe('REFUSED');
  });
});
