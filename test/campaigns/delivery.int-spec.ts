import { sqlRows } from '@izinli/database';
import { MailReceipt, MailSendError, MailTransport, OutgoingMail } from '@izinli/mailer';
import { startSmtpSink, SmtpSink, waitFor } from '@izinli/testing';
import { DeliveryUnavailableError } from '../../apps/campaigns/src/delivery/chunk-sender';
import { addresses, CampaignHarness, fastSettings } from './support/campaign-harness';

/** A transport that answers 451 the first time it sees an address, then passes everything to the real one. */
class GreylistingTransport extends MailTransport {
  readonly kind = 'smtp' as const;
  private readonly seen = new Set<string>();
  constructor(
    private readonly inner: MailTransport,
    private readonly greylisted: Set<string>,
  ) {
    super();
  }
  async send(mail: OutgoingMail): Promise<MailReceipt> {
    if (this.greylisted.has(mail.to) && !this.seen.has(mail.to)) {
      this.seen.add(mail.to);
      throw new MailSendError('451 4.7.1 greylisted, try again later', false, 451);
    }
    return this.inner.send(mail);
  }
  verify() {
    return this.inner.verify();
  }
  close() {
    return this.inner.close();
  }
}

const perRecipient = (sink: SmtpSink) => {
  const m = new Map<string, number>();
  for (const x of sink.messages) for (const to of x.to) m.set(to, (m.get(to) ?? 0) + 1);
  return m;
};

/** Delivery against a real SMTP server: claiming, re-gating, retries, failures and the rate limit. */
describe('campaign delivery', () => {
  let h: CampaignHarness;
  let sink: SmtpSink;
  let transport: MailTransport;

  beforeAll(async () => {
    h = await CampaignHarness.create();
    sink = await startSmtpSink();
    transport = h.smtp(sink.url);
  });
  afterAll(async () => {
    await h?.close();
    await transport?.close();
    await sink?.close();
  });

  it('lets two workers work the same chunk at once without sending any row twice', async () => {
    const brand = await h.brand();
    const recipients = addresses('pair-', 40);
    await h.consentMany(brand, recipients);
    const list = await h.list(
      brand,
      recipients.map((email) => ({ email })),
    );
    const id = await h.campaign(brand, list);
    await h.launch(id, false);
    const [a, b] = [await h.worker(transport), await h.worker(transport)];
    const before = sink.messages.length;
    // The same job handed to both workers at the same moment, as a redelivered job would be.
    await Promise.all([
      a.sender.send({ campaignId: id, seq: 0, generation: 1 }),
      b.sender.send({ campaignId: id, seq: 0, generation: 1 }),
    ]);
    await h.untilCompleted(id);
    await sink.waitFor(before + 40);
    await new Promise((r) => setTimeout(r, 200));
    const got = perRecipient(sink);
    expect(recipients.map((r) => got.get(r))).toEqual(recipients.map(() => 1));
    const ledger = await h.ledger(id);
    expect(ledger.every((r) => r.status === 'SENT' && !r.possible_duplicate)).toBe(true);
    expect(new Set(ledger.map((r) => r.sent_by)).size).toBeGreaterThanOrEqual(1);
    expect([...new Set(ledger.map((r) => r.sent_by))].every((w) => w === a.id || w === b.id)).toBe(true);
  });

  it('re-gates each sub-batch just before SMTP: consent withdrawn or an address suppressed after launch stops the mail', async () => {
    const brand = await h.brand();
    for (const r of ['stays@example.com', 'withdraws@example.com', 'bounces@example.com']) await h.consent(brand, r);
    const list = await h.list(brand, [
      { email: 'stays@example.com' },
      { email: 'withdraws@example.com' },
      { email: 'bounces@example.com' },
    ]);
    const id = await h.campaign(brand, list);
    expect(await h.launch(id, false)).toMatchObject({ eligible: 3 });

    // Between launch and send: an unsubscribe (RET) and a suppression.
    await h.consent(brand, 'withdraws@example.com', 'RET');
    await h.suppressions.add('bounces@example.com', brand.tenantId, 'COMPLAINT', 'API');

    const w = await h.worker(transport);
    const before = sink.messages.length;
    await w.sender.send({ campaignId: id, seq: 0, generation: 1 });
    await h.untilCompleted(id);
    const ledger = await h.ledger(id);
    expect(ledger.map((r) => [r.recipient, r.status, r.reason, r.blocked_stage])).toEqual([
      ['stays@example.com', 'SENT', 'ONAY_IN_REGISTRATION_WINDOW', null],
      ['withdraws@example.com', 'BLOCKED', 'REFUSED', 'SEND'],
      ['bounces@example.com', 'BLOCKED', 'SUPPRESSED', 'SEND'],
    ]);
    await sink.waitFor(before + 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages.slice(before).map((m) => m.to[0])).toEqual(['stays@example.com']);
  });

  it('records a 5xx as FAILED, and a hard bounce puts the address on the platform-wide suppression list', async () => {
    const brand = await h.brand();
    for (const r of ['unknown-user@example.com', 'policy@example.com', 'fine@example.com']) await h.consent(brand, r);
    sink.refuse('unknown-user@example.com', 550, '5.1.1 user unknown');
    sink.refuse('policy@example.com', 554, '5.7.1 message refused');
    const list = await h.list(brand, [
      { email: 'unknown-user@example.com' },
      { email: 'policy@example.com' },
      { email: 'fine@example.com' },
    ]);
    const id = await h.campaign(brand, list);
    await h.launch(id, false);
    const w = await h.worker(transport);
    await w.sender.send({ campaignId: id, seq: 0, generation: 1 });
    await h.untilCompleted(id);
    const ledger = await h.ledger(id);
    expect(ledger.map((r) => [r.recipient, r.status, r.failure, r.smtp_code, r.attempts])).toEqual([
      ['unknown-user@example.com', 'FAILED', 'HARD_BOUNCE', 550, 1],
      ['policy@example.com', 'FAILED', 'SMTP_REJECTED', 554, 1],
      ['fine@example.com', 'SENT', null, null, 1],
    ]);
    const suppressed = await sqlRows<{ email: string; tenant_id: string | null; reason: string; origin: string }>(
      h.ds,
      `SELECT email, tenant_id, reason, origin FROM suppressions WHERE email IN ('unknown-user@example.com', 'policy@example.com')`,
    );
    expect(suppressed).toEqual([
      { email: 'unknown-user@example.com', tenant_id: null, reason: 'HARD_BOUNCE', origin: 'SMTP' },
    ]);

    // Another tenant's campaign now blocks the bounced address at launch.
    const other = await h.brand();
    await h.consent(other, 'unknown-user@example.com');
    const otherId = await h.campaign(other, await h.list(other, [{ email: 'unknown-user@example.com' }]));
    await h.launch(otherId, false);
    expect((await h.ledger(otherId)).map((r) => [r.status, r.reason])).toEqual([['BLOCKED', 'SUPPRESSED']]);
  });

  it('retries an SMTP 4xx with backoff until it goes through, counting the attempts', async () => {
    const brand = await h.brand();
    const recipients = ['greylisted@example.com', 'direct@example.com'];
    for (const r of recipients) await h.consent(brand, r);
    const id = await h.campaign(
      brand,
      await h.list(
        brand,
        recipients.map((email) => ({ email })),
      ),
    );
    const queue = h.newQueue();
    h.useQueue(queue);
    const w = await h.worker(new GreylistingTransport(transport, new Set(['greylisted@example.com'])), { queue });
    h.serve(queue, [w]);
    const before = sink.messages.length;
    const t0 = Date.now();
    await h.launch(id);
    await h.untilCompleted(id);
    // The retry waited for its backoff.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(h.settings.recipientRetryBaseMs);
    const ledger = await h.ledger(id);
    expect(ledger.map((r) => [r.recipient, r.status, r.attempts, r.smtp_code])).toEqual([
      // The second attempt went through; a sent row keeps no error.
      ['greylisted@example.com', 'SENT', 2, null],
      ['direct@example.com', 'SENT', 1, null],
    ]);
    await sink.waitFor(before + 2);
  });

  it('gives up on an address that answers 4xx every time after the attempt limit', async () => {
    const brand = await h.brand();
    await h.consent(brand, 'always-busy@example.com');
    sink.refuse('always-busy@example.com', 452, '4.2.2 mailbox full, try later');
    const id = await h.campaign(brand, await h.list(brand, [{ email: 'always-busy@example.com' }]));
    const queue = h.newQueue();
    h.useQueue(queue);
    const w = await h.worker(transport, { queue });
    h.serve(queue, [w]);
    await h.launch(id);
    await h.untilCompleted(id, 20_000);
    const [row] = await h.ledger(id);
    expect(row).toMatchObject({
      status: 'FAILED',
      failure: 'TEMPORARY_FAILURE_LIMIT',
      attempts: h.settings.maxRecipientAttempts,
      smtp_code: 452,
    });
  });

  it('keeps every worker of a campaign under its ratePerSecond', async () => {
    const brand = await h.brand();
    const recipients = addresses('rate-', 30);
    await h.consentMany(brand, recipients);
    const id = await h.campaign(
      brand,
      await h.list(
        brand,
        recipients.map((email) => ({ email })),
      ),
      { ratePerSecond: 10 },
    );
    const queue = h.newQueue();
    h.useQueue(queue);
    h.serve(queue, [await h.worker(transport, { queue }), await h.worker(transport, { queue })]);
    const t0 = Date.now();
    await h.launch(id);
    await h.untilCompleted(id, 20_000);
    const elapsed = Date.now() - t0;
    // 30 messages at 10/s with a one-second burst: at least two seconds, whatever the number of workers.
    expect(elapsed).toBeGreaterThanOrEqual(1_800);
    expect(elapsed).toBeLessThan(10_000);
    const sentAt = await sqlRows<{ s: number }>(
      h.ds,
      `SELECT extract(epoch FROM sent_at)::float8 AS s FROM campaign_recipients WHERE campaign_id = $1 ORDER BY sent_at`,
      [id],
    );
    // No second-long window holds more than the rate plus the one-second burst (sent_at is stamped when a
    // sub-batch is recorded, so allow for a sub-batch landing across a window edge).
    for (let i = 0; i < sentAt.length; i++) {
      const inWindow = sentAt.filter((x) => x.s >= sentAt[i].s && x.s < sentAt[i].s + 1).length;
      expect(inWindow).toBeLessThanOrEqual(20 + h.settings.subBatchSize / 2);
    }
  });

  it('releases rows without counting an attempt when the mail server cannot be reached, and the retry delivers', async () => {
    const brand = await h.brand();
    await h.consent(brand, 'patient@example.com');
    const id = await h.campaign(brand, await h.list(brand, [{ email: 'patient@example.com' }]));
    await h.launch(id, false);
    const down = await h.worker(h.smtp('smtp://127.0.0.1:1', 1));
    await expect(down.sender.send({ campaignId: id, seq: 0, generation: 1 })).rejects.toBeInstanceOf(
      DeliveryUnavailableError,
    );
    expect((await h.ledger(id)).map((r) => [r.status, r.attempts, r.possible_duplicate])).toEqual([
      ['PENDING', 0, false],
    ]);
    const up = await h.worker(transport);
    await up.sender.send({ campaignId: id, seq: 0, generation: 1 });
    await waitFor(
      () => h.ledger(id),
      (rows) => rows[0].status === 'SENT',
    );
    expect((await h.ledger(id))[0]).toMatchObject({ attempts: 1, possible_duplicate: false });
  });

  it('stops claiming when the campaign is paused and sends nothing more after cancel', async () => {
    const brand = await h.brand();
    const recipients = addresses('pause-', 12);
    await h.consentMany(brand, recipients);
    const id = await h.campaign(
      brand,
      await h.list(
        brand,
        recipients.map((email) => ({ email })),
      ),
    );
    await h.launch(id, false);
    await h.ds.query(`UPDATE campaigns SET status = 'PAUSED' WHERE id = $1`, [id]);
    const w = await h.worker(transport, { settings: fastSettings() });
    await w.sender.send({ campaignId: id, seq: 0, generation: 1 });
    expect((await h.ledger(id)).every((r) => r.status === 'PENDING')).toBe(true);
    await h.ds.transaction((m) => h.campaigns.markCancelled(m, id));
    await w.sender.send({ campaignId: id, seq: 0, generation: 1 });
    expect((await h.ledger(id)).every((r) => r.status === 'CANCELLED')).toBe(true);
  });
});
