import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '@izinli/consent';
import { OUTBOUND_FAILURES, OutboundHttpClient } from '../common/net/outbound-http-client';
import { WebhookRepository } from './webhook.repository';

/** Tries per delivery; with the backoff below they span about six hours before a delivery is given up. */
export const WEBHOOK_MAX_ATTEMPTS = 18;
export const WEBHOOK_TIMEOUT_MS = 10_000;
const CLAIM_SECONDS = 30;
const NO_WEBHOOK = 'the brand no longer has a webhook';
/** What the delivery log shows for a text Izinli did not write itself (rows logged before the log kept only these). */
const UNKNOWN_ERROR = 'delivery failed';

/** Delay after failed try number `attempt`: 1 s doubling, at most an hour, ±20% so failed deliveries spread out. */
export function webhookRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(3_600_000, 1_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

const OWN_ERRORS = new Set<string>([...OUTBOUND_FAILURES, NO_WEBHOOK]);

/**
 * The delivery log's error as a tenant may see it: one of Izinli's own categories (`answered 503`, `timeout`,
 * `destination not allowed` …). Anything else stored in the column becomes a neutral text, so no receiving server's
 * words can ever be read back through the log.
 */
export function tenantVisibleDeliveryError(stored: string | null): string | null {
  if (stored === null) return null;
  return OWN_ERRORS.has(stored) || /^answered \d{3}$/.test(stored) ? stored : UNKNOWN_ERROR;
}

export interface DeliveryOutcome {
  /** When to try again, if the delivery is not finished. */
  retryInMs: number | null;
  attempts: number;
  status: 'PENDING' | 'DELIVERED' | 'FAILED' | 'SKIPPED';
}

/**
 * Delivers one webhook: a POST of the stored body with `Izinli-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>">` under the brand's secret, through OutboundHttpClient, so it reaches only public addresses (or the
 * operator's exceptions) and connects to the very address it checked. Any 2xx is delivered; anything else (another
 * status, a timeout, no connection, a redirect, which is never followed) is retried with backoff until
 * WEBHOOK_MAX_ATTEMPTS. A destination that is not allowed is retried too: no socket is opened for it, and the answer
 * can change (the name's DNS records, the brand's URL, the operator's exceptions) within the six hours. Every attempt
 * is recorded in the delivery log, in Izinli's own words only.
 */
@Injectable()
export class WebhookDeliverer {
  private readonly log = new Logger('Webhooks');

  constructor(
    private readonly repo: WebhookRepository,
    private readonly http: OutboundHttpClient,
  ) {}

  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    if (!/^[0-9a-f-]{36}$/i.test(deliveryId)) return { retryInMs: null, attempts: 0, status: 'SKIPPED' };
    const token = randomUUID();
    const d = await this.repo.claim(deliveryId, token, CLAIM_SECONDS);
    if (!d) return { retryInMs: null, attempts: 0, status: 'SKIPPED' };
    if (!d.webhook_url || !d.webhook_secret) {
      const r = await this.repo.recordAttempt(d.id, token, {
        status: 'FAILED',
        httpStatus: null,
        error: NO_WEBHOOK,
        nextAttemptInMs: null,
      });
      return { retryInMs: null, attempts: r?.attempts ?? d.attempts, status: 'FAILED' };
    }
    const t = Math.floor(Date.now() / 1000);
    const result = await this.http.request(d.webhook_url, {
      method: 'POST',
      timeoutMs: WEBHOOK_TIMEOUT_MS,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Izinli-Webhooks/1',
        'izinli-delivery': d.id,
        [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signWebhook(d.webhook_secret, d.body, t),
      },
      body: d.body,
    });
    const httpStatus = 'status' in result ? result.status : null;
    const error =
      'failure' in result
        ? result.failure
        : result.status < 200 || result.status >= 300
          ? `answered ${result.status}`
          : null;
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
    this.log.warn(
      { deliveryId: d.id, brandId: d.brand_id, attempt, httpStatus, error, giveUp },
      'webhook delivery failed',
    );
    return { retryInMs, attempts: attempt, status: giveUp ? 'FAILED' : 'PENDING' };
  }
}
