import { ConsentBrand, endOfTurkeyDay, IysReconciler } from '@izinli/consent';
import { sqlOne } from '@izinli/database';
import { waitFor } from '@izinli/testing';
import { SyncHarness } from './support/sync-harness';

/**
 * The daily reconciliation (M1–M4): Izinli's file of a day against İYS's, by SHA-384, with the day confirmed when
 * they agree and the differences reported when they do not.
 */
describe('daily reconciliation with İYS (integration)', () => {
  let h: SyncHarness;
  let brand: ConsentBrand;
  let today: string;

  beforeAll(async () => {
    h = await SyncHarness.start();
    brand = await h.brand('100002');
    // The day under test is İYS's, with the whole of it ahead: a suite started at 23:59 would otherwise see its
    // movements split over two days.
    today = await h.freshIysDay();
    await h.record(brand, { recipient: 'day1@example.com', consentDate: new Date(Date.now() - 30_000) });
    await h.record(brand, { recipient: 'day2@example.com', consentDate: new Date(Date.now() - 30_000) });
    await h.settled(brand);
    await h.record(brand, { recipient: 'day1@example.com', status: 'RET', source: 'HS_EPOSTA' }, 'UNSUBSCRIBE');
    await h.citizen(brand, { recipient: 'day3@example.com', status: 'ONAY' });
    await h.settled(brand);
    await waitFor(
      async () => (await h.consents(brand)).length,
      (n) => n === 3,
      10_000,
    );
  });
  afterAll(() => h?.close());

  it("matches İYS's file of the day and confirms the day", async () => {
    // İYS publishes a day's file once the day is over: move the simulator's clock into tomorrow.
    await h.knobs({ clockOffsetSeconds: h.simClockOffsetSeconds + 86_400 });
    const report = await h.get<IysReconciler>(IysReconciler).reconcile(brand, today);
    expect([report.status, report.detail]).toEqual(['MATCHED', null]);
    expect(report).toMatchObject({
      status: 'MATCHED',
      localCount: 4,
      iysCount: 4,
      agreementConfirmed: true,
      differenceCount: 0,
    });
    expect(report.localHash).toMatch(/^[0-9a-f]{96}$/);
    expect(report.iysHash).toBe(report.localHash);
    expect(report.summary).toHaveProperty('BIREYSEL');
    const stored = await sqlOne<{ status: string; local_count: number }>(
      h.ds,
      `SELECT status, local_count FROM iys_reconciliations WHERE brand_id = $1 AND report_date = $2`,
      [brand.id, today],
    );
    expect(stored).toEqual({ status: 'MATCHED', local_count: 4 });
  });

  it('reports a movement İYS holds that Izinli does not', async () => {
    // A citizen movement of that day that never reached Izinli: the feed does not show it (yet), nothing was pushed.
    await h.knobs({ pullLagMinutes: 100_000 });
    await h.citizen(brand, {
      recipient: 'missed@example.com',
      status: 'ONAY',
      creationDate: new Date(endOfTurkeyDay(today).getTime() - 60_000),
    });
    const report = await h.get<IysReconciler>(IysReconciler).reconcile(brand, today);
    expect(report).toMatchObject({ status: 'DIFFERENT', localCount: 4, iysCount: 5, differenceCount: 1 });
    expect(report.differences).toEqual([
      {
        transactionId: expect.stringMatching(/^[0-9a-f]{64}$/),
        kind: 'MISSING_LOCALLY',
        iys: expect.stringContaining('missed@example.com'),
      },
    ]);
    const stored = await sqlOne<{ status: string; differences: unknown[] }>(
      h.ds,
      `SELECT status, differences FROM iys_reconciliations WHERE brand_id = $1 AND report_date = $2`,
      [brand.id, today],
    );
    expect(stored!.status).toBe('DIFFERENT');
    expect(stored!.differences).toHaveLength(1);
    expect(await h.get<IysReconciler>(IysReconciler).pendingBrands([brand], today)).toEqual([]);
  });
});
