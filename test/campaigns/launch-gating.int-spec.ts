import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { sqlExec, sqlRows } from '@izinli/database';
import { addresses, CampaignHarness } from './support/campaign-harness';

/**
 * Launch writes the whole ledger through the consent gate as one set-wise statement: every recipient with its
 * outcome, reason and the movement relied on, before any job exists.
 */
describe('campaign launch gating', () => {
  let h: CampaignHarness;
  beforeAll(async () => {
    h = await CampaignHarness.create();
  });
  afterAll(() => h?.close());

  it('records every recipient with outcome, reason and the movement relied on, and counts by reason', async () => {
    const brand = await h.brand();
    const other = await h.brand();
    await h.consent(brand, 'window@example.com');
    await h.consent(brand, 'accepted@example.com');
    await sqlExec(
      h.ds,
      `UPDATE consents SET iys_state = 'ACCEPTED', iys_transaction_id = 'tx-1' WHERE recipient = 'accepted@example.com'`,
    );
    await h.consent(brand, 'rejected@example.com');
    await sqlExec(h.ds, `UPDATE consents SET iys_state = 'REJECTED' WHERE recipient = 'rejected@example.com'`);
    await h.consent(brand, 'refused@example.com', 'RET');
    await h.consent(brand, 'esnaf@example.com', 'ONAY', 'TACIR');
    await h.consent(brand, 'suppressed@example.com');
    await h.suppressions.add('suppressed@example.com', brand.tenantId, 'MANUAL', 'API');
    await h.consent(brand, 'other-tenant-suppressed@example.com');
    await h.suppressions.add('other-tenant-suppressed@example.com', other.tenantId, 'MANUAL', 'API');
    await h.consent(other, 'wrong-brand@example.com');
    const list = await h.list(brand, [
      { email: 'window@example.com' },
      { email: 'accepted@example.com' },
      { email: 'rejected@example.com' },
      { email: 'refused@example.com' },
      { email: 'esnaf@example.com', recipientType: 'TACIR' },
      { email: 'unknown-tacir@example.com', recipientType: 'TACIR' },
      { email: 'suppressed@example.com' },
      { email: 'other-tenant-suppressed@example.com' },
      { email: 'wrong-brand@example.com' },
      { email: 'nobody@example.com' },
    ]);
    const campaignId = await h.campaign(brand, list);

    const built = await h.launch(campaignId, false);
    expect(built).toEqual({ total: 10, eligible: 4, chunks: 1 });

    const ledger = await h.ledger(campaignId);
    const byRecipient = Object.fromEntries(ledger.map((r) => [r.recipient, [r.status, r.reason, r.blocked_stage]]));
    expect(byRecipient).toEqual({
      'window@example.com': ['PENDING', 'ONAY_IN_REGISTRATION_WINDOW', null],
      'accepted@example.com': ['PENDING', 'ONAY_ACCEPTED', null],
      'rejected@example.com': ['BLOCKED', 'NOT_REGISTERED', 'LAUNCH'],
      'refused@example.com': ['BLOCKED', 'REFUSED', 'LAUNCH'],
      'esnaf@example.com': ['PENDING', 'TACIR_NOT_REFUSED', null],
      'unknown-tacir@example.com': ['BLOCKED', 'NOT_REGISTERED', 'LAUNCH'],
      'suppressed@example.com': ['BLOCKED', 'SUPPRESSED', 'LAUNCH'],
      'other-tenant-suppressed@example.com': ['PENDING', 'ONAY_IN_REGISTRATION_WINDOW', null],
      'wrong-brand@example.com': ['BLOCKED', 'NO_CONSENT', 'LAUNCH'],
      'nobody@example.com': ['BLOCKED', 'NO_CONSENT', 'LAUNCH'],
    });

    // The movement relied on is the current one of each consent key.
    const relied = await sqlRows<{
      recipient: string;
      movement_id: string;
      consent_movement: string;
      consent_source: string;
      iys_transaction_id: string | null;
    }>(
      h.ds,
      `SELECT r.recipient, r.movement_id::text, c.movement_id::text AS consent_movement, r.consent_source, r.iys_transaction_id
       FROM campaign_recipients r JOIN consents c ON c.brand_id = $2 AND c.recipient = r.recipient AND c.recipient_type = r.recipient_type AND c.type = 'EPOSTA'
       WHERE r.campaign_id = $1 AND r.status = 'PENDING'`,
      [campaignId, brand.id],
    );
    expect(relied).toHaveLength(4);
    for (const r of relied) {
      expect(r.movement_id).toBe(r.consent_movement);
      expect(r.consent_source).toBe('HS_WEB');
    }
    expect(relied.find((r) => r.recipient === 'accepted@example.com')!.iys_transaction_id).toBe('tx-1');

    const chunks = await sqlRows<{ first_id: string; last_id: string; size: number; status: string }>(
      h.ds,
      `SELECT first_id::text, last_id::text, size, status FROM campaign_chunks WHERE campaign_id = $1 ORDER BY seq`,
      [campaignId],
    );
    expect(chunks).toEqual([{ first_id: expect.any(String), last_id: expect.any(String), size: 4, status: 'PENDING' }]);
    expect(await h.status(campaignId)).toBe('RUNNING');
  });

  it('uses a fixed number of statements whatever the audience size, and cuts the eligible rows into chunks', async () => {
    const brand = await h.brand();
    const count = async (n: number) => {
      const recipients = addresses(`size${n}-`, n);
      await h.consentMany(
        brand,
        recipients.filter((_, i) => i % 3 !== 0),
      );
      const list = await h.list(
        brand,
        recipients.map((email) => ({ email })),
      );
      const id = await h.campaign(brand, list);
      const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
      try {
        const built = await h.launch(id, false);
        return { statements: spy.mock.calls.length, built, id };
      } finally {
        spy.mockRestore();
      }
    };
    const small = await count(9);
    const large = await count(600);
    expect(large.statements).toBe(small.statements);
    expect(large.built).toEqual({ total: 600, eligible: 400, chunks: Math.ceil(400 / h.settings.chunkSize) });

    const chunks = await sqlRows<{ size: number; rows: number }>(
      h.ds,
      `SELECT ch.size, (SELECT count(*)::int FROM campaign_recipients r WHERE r.campaign_id = ch.campaign_id AND r.status = 'PENDING' AND r.id BETWEEN ch.first_id AND ch.last_id) AS rows
       FROM campaign_chunks ch WHERE ch.campaign_id = $1 ORDER BY ch.seq`,
      [large.id],
    );
    expect(chunks.every((c) => c.size === c.rows && c.size <= h.settings.chunkSize)).toBe(true);
    expect(chunks.reduce((a, c) => a + c.size, 0)).toBe(400);
  });

  it('forecasts exactly what the ledger then records, and completes at once a campaign nobody may receive', async () => {
    const brand = await h.brand();
    await h.consent(brand, 'yes@example.com');
    const list = await h.list(brand, [{ email: 'yes@example.com' }, { email: 'no@example.com' }]);
    const id = await h.campaign(brand, list);
    const c = (await h.campaigns.findById(h.ds, id))!;
    const forecast = await h.launcher.forecast(h.ds, c);
    expect(forecast).toMatchObject({ total: 2, eligible: 1, blocked: { NO_CONSENT: 1 } });
    expect(await h.launch(id, false)).toEqual({ total: 2, eligible: 1, chunks: 1 });

    const emptyList = await h.list(brand, [{ email: 'no@example.com' }]);
    const nobody = await h.campaign(brand, emptyList);
    expect(await h.launch(nobody)).toEqual({ total: 1, eligible: 0, chunks: 0 });
    expect(await h.status(nobody)).toBe('COMPLETED');
  });

  it('gates a transactional campaign only against the suppression list, relying on no consent', async () => {
    const brand = await h.brand();
    await h.suppressions.add('bounced@example.com', null, 'HARD_BOUNCE', 'SMTP');
    const list = await h.list(brand, [{ email: 'anyone@example.com' }, { email: 'bounced@example.com' }]);
    const id = await h.campaign(brand, list, { kind: 'TRANSACTIONAL' });
    await h.launch(id, false);
    const ledger = await h.ledger(id);
    expect(ledger.map((r) => [r.recipient, r.status, r.reason, r.movement_id])).toEqual([
      ['anyone@example.com', 'PENDING', 'CONSENT_NOT_REQUIRED', null],
      ['bounced@example.com', 'BLOCKED', 'SUPPRESSED', null],
    ]);
  });
});
