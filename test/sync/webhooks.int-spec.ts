import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { ConsentBrand, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '@izinli/consent';
import { sqlRows } from '@izinli/database';
import { waitFor } from '@izinli/testing';
import { WebhookRepository } from '../../apps/campaigns/src/webhooks/webhook.repository';
import { SyncHarness } from './support/sync-harness';

interface Hit {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/**
 * CUSTOMER sync mode (compliance.md §3.7): nothing goes to İYS for the brand; Izinli's consent changes, unsubscribes
 * above all, reach the brand's own endpoint as signed webhooks, retried with backoff and logged. PLATFORM brands may
 * have the same webhooks.
 */
describe('consent-change webhooks (integration)', () => {
  let h: SyncHarness;
  let receiver: Server;
  let url: string;
  const hits: Hit[] = [];
  /** Status codes to answer, in order; 200 once they run out. */
  let script: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answered = script.shift() ?? 200;
        hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/izinli`;
    h = await SyncHarness.start();
  });
  afterAll(async () => {
    await h?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });
  beforeEach(() => {
    hits.length = 0;
    script = [];
  });

  async function withWebhook(brand: ConsentBrand): Promise<string> {
    const { webhookSecret } = await h
      .get<WebhookRepository>(WebhookRepository)
      .updateBrand(brand.id, { webhookUrl: url });
    return webhookSecret!;
  }

  it('sends nothing to İYS for a CUSTOMER brand and delivers its changes, signed', async () => {
    const brand = await h.brand('810001', 'CUSTOMER', '810001');
    const secret = await withWebhook(brand);
    await h.record(brand, { recipient: 'self-synced@example.com', consentDate: new Date(Date.now() - 10_000) });
    await h.record(
      brand,
      { recipient: 'self-synced@example.com', status: 'RET', source: 'HS_EPOSTA', evidence: { messageId: 'msg-1' } },
      'UNSUBSCRIBE',
    );
    await waitFor(
      async () => hits.length,
      (n) => n === 2,
    );
    const bodies = hits.map((hit) => {
      expect(
        verifyWebhookSignature(secret, hit.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string, hit.body),
      ).toMatchObject({ ok: true });
      // A tampered body or another secret does not verify.
      expect(
        verifyWebhookSignature(secret, hit.headers['izinli-signature'] as string, hit.body.replace('self', 'else')).ok,
      ).toBe(false);
      expect(verifyWebhookSignature('whsec_other', hit.headers['izinli-signature'] as string, hit.body).ok).toBe(false);
      return JSON.parse(hit.body);
    });
    const unsubscribe = bodies.find((b) => b.movement.status === 'RET');
    expect(unsubscribe).toEqual({
      id: expect.any(String),
      type: 'consent.changed',
      brandCode: '810001',
      movement: {
        recipient: 'self-synced@example.com',
        type: 'EPOSTA',
        recipientType: 'BIREYSEL',
        status: 'RET',
        consentDate: expect.any(String),
        source: 'HS_EPOSTA',
        origin: 'UNSUBSCRIBE',
        recordedAt: expect.any(String),
        transactionId: null,
      },
    });
    expect(hits[0].headers['izinli-delivery']).toBe(JSON.parse(hits[0].body).id);
    const outbox = await h.outboxStates(brand);
    expect(outbox.map((r) => [r.state, r.reason, r.attempts])).toEqual([
      ['NOT_REQUIRED', 'CUSTOMER_SYNC', 0],
      ['NOT_REQUIRED', 'CUSTOMER_SYNC', 0],
    ]);
    expect((await h.requests()).some((r) => r.path.includes('/brands/810001/'))).toBe(false);
  });

  it('retries a failing endpoint with backoff and logs every attempt', async () => {
    const brand = await h.brand('810002', 'CUSTOMER', '810001');
    await withWebhook(brand);
    script = [503, 500];
    await h.record(brand, { recipient: 'flaky-endpoint@example.com' });
    await waitFor(
      async () => hits.length,
      (n) => n === 3,
      15_000,
    );
    expect(hits.map((x) => x.answered)).toEqual([503, 500, 200]);
    // The same event and the same body every time; only the signature's timestamp moves.
    expect(new Set(hits.map((x) => x.body)).size).toBe(1);
    const [log] = await waitFor(
      () =>
        sqlRows<{ status: string; attempts: number; last_status_code: number }>(
          h.ds,
          `SELECT status, attempts, last_status_code FROM webhook_deliveries WHERE brand_id = $1`,
          [brand.id],
        ),
      (rows) => rows[0]?.status === 'DELIVERED',
    );
    expect(log).toEqual({ status: 'DELIVERED', attempts: 3, last_status_code: 200 });
  }, 30_000);

  it('delivers to a PLATFORM brand that wants its CRM in step, İYS-side changes included', async () => {
    const brand = await h.brand('100002');
    const secret = await withWebhook(brand);
    await h.record(brand, { recipient: 'crm@example.com' });
    await h.settled(brand);
    await new Promise((r) => setTimeout(r, 1_100));
    await h.citizen(brand, { recipient: 'crm@example.com', status: 'RET' });
    await waitFor(
      async () => hits.length,
      (n) => n === 2,
      15_000,
    );
    const movements = hits.map((x) => {
      expect(verifyWebhookSignature(secret, x.headers['izinli-signature'] as string, x.body).ok).toBe(true);
      return JSON.parse(x.body).movement;
    });
    expect(movements.map((m: { status: string; origin: string }) => [m.status, m.origin]).sort()).toEqual([
      ['ONAY', 'API'],
      ['RET', 'IYS_PULL'],
    ]);
    expect(movements.find((m: { origin: string }) => m.origin === 'IYS_PULL').transactionId).toMatch(/^[0-9a-f]{64}$/);
  }, 30_000);

  it('does not replay history when a webhook is switched on, and stops when it is removed', async () => {
    const brand = await h.brand('810003', 'CUSTOMER', '810001');
    await h.record(brand, { recipient: 'before@example.com' });
    await withWebhook(brand);
    await h.record(brand, { recipient: 'after@example.com' });
    await waitFor(
      async () => hits.length,
      (n) => n === 1,
    );
    expect(JSON.parse(hits[0].body).movement.recipient).toBe('after@example.com');
    await h.get<WebhookRepository>(WebhookRepository).updateBrand(brand.id, { webhookUrl: null });
    await h.record(brand, { recipient: 'removed@example.com' });
    await h.sweep();
    await new Promise((r) => setTimeout(r, 500));
    expect(hits).toHaveLength(1);
  });
});
