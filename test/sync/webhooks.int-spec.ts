import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { ConsentBrand, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '@izinli/consent';
import { sqlOne, sqlRows } from '@izinli/database';
import { waitFor } from '@izinli/testing';
import { OutboundAddressPolicy } from '../../apps/campaigns/src/common/net/outbound-address-policy';
import {
  ConnectTarget,
  openSocket,
  OutboundHttpClient,
  ResolvedAddress,
} from '../../apps/campaigns/src/common/net/outbound-http-client';
import { WebhookDeliverer } from '../../apps/campaigns/src/webhooks/webhook-deliverer';
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

  it('refuses a name that resolves to an internal address without connecting, retries, and then connects only to the address it checked', async () => {
    const brand = await h.brand('810004', 'CUSTOMER', '810001');
    const port = (receiver.address() as AddressInfo).port;
    const repo = h.get<WebhookRepository>(WebhookRepository);
    const { webhookSecret } = await repo.updateBrand(brand.id, {
      webhookUrl: `https://hooks.rebind.invalid:${port}/izinli`,
    });
    // A delivery row of its own, outside the app's queue, so only this test's deliverer (and its resolver) sends it.
    const body = JSON.stringify({ id: 'rebinding', type: 'consent.changed' });
    const { id } = (await sqlOne<{ id: string }>(
      h.ds,
      `INSERT INTO webhook_deliveries (id, brand_id, movement_id, body, status) VALUES (gen_random_uuid(), $1, 1, $2, 'PENDING')
       RETURNING id::text AS id`,
      [brand.id, body],
    ))!;
    // The name first resolves to the metadata address beside a public one, later to the test's receiver on loopback
    // (inside the harness's WEBHOOK_ALLOWED_NETWORKS); the receiver stands in for the https endpoint in plain text.
    let answer: ResolvedAddress[] = [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ];
    const lookups: string[] = [];
    const opened: ConnectTarget[] = [];
    const sut = new WebhookDeliverer(
      repo,
      new OutboundHttpClient(
        h.get(OutboundAddressPolicy),
        (name) => {
          lookups.push(name);
          return Promise.resolve(answer);
        },
        (target) => {
          opened.push(target);
          return openSocket({ ...target, tls: null });
        },
      ),
    );
    const row = () =>
      sqlOne<{ status: string; attempts: number; last_status_code: number | null; last_error: string; later: boolean }>(
        h.ds,
        `SELECT status, attempts, last_status_code, last_error, next_attempt_at > now() AS later FROM webhook_deliveries WHERE id = $1`,
        [id],
      );

    await expect(sut.deliver(id)).resolves.toMatchObject({ status: 'PENDING', attempts: 1 });
    expect(opened).toEqual([]);
    expect(hits).toEqual([]);
    expect(await row()).toEqual({
      status: 'PENDING',
      attempts: 1,
      last_status_code: null,
      last_error: 'destination not allowed',
      later: true,
    });

    answer = [{ address: '127.0.0.1', family: 4 }];
    await h.ds.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE id = $1`, [id]);
    await expect(sut.deliver(id)).resolves.toMatchObject({ status: 'DELIVERED', attempts: 2 });
    expect(lookups).toEqual(['hooks.rebind.invalid', 'hooks.rebind.invalid']);
    expect(opened).toEqual([{ address: '127.0.0.1', family: 4, port, tls: { servername: 'hooks.rebind.invalid' } }]);
    expect(hits).toHaveLength(1);
    expect(hits[0].headers.host).toBe(`hooks.rebind.invalid:${port}`);
    expect(hits[0].body).toBe(body);
    expect(verifyWebhookSignature(webhookSecret!, hits[0].headers['izinli-signature'] as string, body).ok).toBe(true);
    expect(await row()).toMatchObject({ status: 'DELIVERED', attempts: 2, last_status_code: 200, last_error: null });
  });
});
