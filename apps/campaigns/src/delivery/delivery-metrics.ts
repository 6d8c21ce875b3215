import { Injectable, Optional } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../operations/metrics.service';

/**
 * Why a campaign's delivery stopped moving (`waiting.reason` of a campaign, the label of the stall counter):
 * - SMTP_UNAVAILABLE: the mail server refused connections, or a send outlived its deadline; the chunk is retried
 *   with the queue's backoff.
 * - NO_PROGRESS: a chunk execution made no progress for DeliverySettings.stallAfterMs and gave its chunk up to
 *   another worker.
 */
export type DeliveryWaitReason = 'SMTP_UNAVAILABLE' | 'NO_PROGRESS';

@Injectable()
export class DeliveryMetrics {
  private readonly stalls: Counter<'reason'>;

  /** Without the app's registry (tests that wire delivery by hand) the counter counts but is exposed nowhere. */
  constructor(@Optional() metrics?: MetricsService) {
    this.stalls = new Counter({
      name: 'izinli_delivery_stalls_total',
      help: 'Chunk executions that stopped without finishing: the mail server unavailable, or no progress for the stall limit.',
      labelNames: ['reason'],
      registers: metrics ? [metrics.registry] : [],
    });
  }

  stalled(reason: DeliveryWaitReason): void {
    this.stalls.inc({ reason });
  }
}
