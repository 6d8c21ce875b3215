import { BusinessCalendar, ConsentBrand } from '@izinli/consent';
import { sqlExec, sqlOne } from '@izinli/database';
import { waitFor } from '@izinli/testing';
import { SyncHarness } from './support/sync-harness';

/**
 * The three business days İYS allows for registering a movement: İYS's own H467 and the deadline Izinli keeps
 * itself both end the row and stop an ONAY from allowing mail. The clocks are moved by the business calendar, never
 * by a count of calendar days, so the verdict is the same on any day (`npm run test:dates` checks it).
 */
describe('İYS outbox deadlines (integration)', () => {
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

  it("treats İYS's H467 as a missed deadline: REJECTED, and the ONAY no longer allows mail", async () => {
    // İYS's clock four business days after the consent, by the calendar: no count of calendar days is enough, as a
    // weekend or a bayram can hold five of them. The consentDate is the instant the offset was computed from, so a
    // midnight passing meanwhile cannot shorten the gap.
    const consentDate = new Date();
    const fourBusinessDaysOn = new BusinessCalendar().addBusinessDays(consentDate, 4);
    await h.knobs({ clockOffsetSeconds: (fourBusinessDaysOn.getTime() - consentDate.getTime()) / 1000 });
    try {
      await h.record(brand, { recipient: 'late@example.com', consentDate });
      await h.settled(brand);
    } finally {
      await h.knobs({ clockOffsetSeconds: 0 });
    }
    const row = (await h.outboxStates(brand)).find((r) => r.recipient === 'late@example.com')!;
    expect(row).toMatchObject({ state: 'REJECTED', error_code: 'H467', reason: 'DEADLINE_MISSED' });
    const [decision] = await h.gate.check(
      { brandId: brand.id, tenantId: brand.tenantId },
      { type: 'EPOSTA', kind: 'COMMERCIAL', recipients: ['late@example.com'], recipientType: 'BIREYSEL' },
    );
    expect(decision.reason).toBe('NOT_REGISTERED');
  });

  it('ends a movement still unregistered when its 3 business days run out, without asking İYS', async () => {
    await h.faults({ outageSeconds: 60 });
    await h.record(brand, { recipient: 'expired@example.com' });
    const row = await waitFor(
      async () => (await h.outboxStates(brand)).find((r) => r.recipient === 'expired@example.com')!,
      (r) => r.attempts > 0,
    );
    expect(row.state).toBe('PENDING');
    // The deadline passes (as if İYS had been down for days).
    await sqlExec(h.ds, `UPDATE iys_outbox SET deadline = now() - interval '1 second' WHERE id = $1`, [row.id]);
    await sqlExec(
      h.ds,
      `UPDATE consents SET registration_deadline = now() - interval '1 second' WHERE brand_id = $1 AND recipient = $2`,
      [brand.id, 'expired@example.com'],
    );
    const [blocked] = await h.gate.check(
      { brandId: brand.id, tenantId: brand.tenantId },
      { type: 'EPOSTA', kind: 'COMMERCIAL', recipients: ['expired@example.com'], recipientType: 'BIREYSEL' },
    );
    expect(blocked.reason).toBe('NOT_REGISTERED');
    await sqlExec(h.ds, `UPDATE iys_outbox SET claimed_until = NULL WHERE id = $1`, [row.id]);
    await h.sweep();
    const after = (await h.outboxStates(brand)).find((r) => r.id === row.id)!;
    expect(after).toMatchObject({ state: 'REJECTED', error_code: 'H467', reason: 'DEADLINE_MISSED' });
    const consent = await sqlOne<{ iys_state: string }>(
      h.ds,
      `SELECT iys_state FROM consents WHERE brand_id = $1 AND recipient = $2`,
      [brand.id, 'expired@example.com'],
    );
    expect(consent!.iys_state).toBe('REJECTED');
  });
});
