import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '@izinli/consent';
import { WebhookRepository } from './webhook.repository';

/** Tries per delivery; with the backoff below they span about six hours before a delivery is given up. */
export const WEBHOOK_MAX_ATTEMPTS = 18;
const TIMEOUT_MS = 10_000;
const CLAIM_SECONDS = 30;

/** Delay after failed try number `attempt`: 1 s doubling, at most an hour, ±20% so failed deliveries spread out. */
export function webhookRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(3_600_000, 1_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface DeliveryOutcome {
  /** When to try again, if the delivery is not finished. */
  retryInMs: number | null;
  attempts: number;
  status: 'PENDING' | 'DELIVERED' | 'FAILED' | 'SKIPPED';
}

/**
 * Delivers one webhook: a POST of the stored body with `Izinli-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">` under the brand's secret. Any 2xx is delivered; anything else (another status, a timeout, no
 * connection, a redirect, which is never followed) is retried with backoff until WEBHOOK_MAX_ATTEMPTS. Every attempt
 * is recorded in the delivery log.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly log = new Logger('Webhooks');

  constructor(private readonly repo: WebhookRepository) {}

  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    if (!/^[0-9a-f-]{36}$/i.test(deliveryId)) return { retryInMs: null, attempts: 0, status: 'SKIPPED' };
    const token = randomUUID();
    const d = await this.repo.claim(deliveryId, token, CLAIM_SECONDS);
    if (!d) return { retryInMs: null, attempts: 0, status: 'SKIPPED' };
    if (!d.webhook_url || !d.webhook_secret) {
      const r = await this.repo.recordAttempt(d.id, token, {
        status: 'FAILED',
        httpStatus: null,
        error: 'the brand no longer has a webhook',
        nextAttemptInMs: null,
      });
      return { retryInMs: null, attempts: r?.attempts ?? d.attempts, status: 'FAILED' };
    }
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const t = Math.floor(Date.now() / 1000);
      const res = await fetch(d.webhook_url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Izinli-Webhooks/1',
          'izinli-delivery': d.id,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(d.webhook_secret, d.body, t),
        },
        body: d.body,
      });
      httpStatus = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `answered ${res.status}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      error =
        e.name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : `unreachable (${e.cause?.code ?? e.message})`;
    }
    const attempt = d.attempts + 1;
    if (!error) {
      await this.repo.recordAttempt(d.id, token, {
        status: 'DELIVERED',
        httpStatus,
        error: null,
        nextAttemptInMs: null,
      });
      return { retryInMs: null, attempts: attempt, status: 'DELIVERED' };
    }
    const giveUp = attempt >= WEBHOOK_MAX_ATTEMPTS;
    const retryInMs = giveUp ? null : webhookRetryDelayMs(attempt);
    await this.repo.recordAttempt(d.id, token, {
      status: giveUp ? 'FAILED' : 'PENDING',
      httpStatus,
      error,
      nextAttemptInMs: retryInMs,
    });
    this.log.warn({ deliveryId: d.id, brandId: d.brand_id, attempt, httpStatus, giveUp }, 'webhook delivery failed');
    return { retryInMs, attempts: attempt, status: giveUp ? 'FAILED' : 'PENDING' };
  }
}
