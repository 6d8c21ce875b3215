import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../operations/metrics.service';

/** The API's messages counted apart from campaigns, and transactional apart from commercial (compliance.md §6). */
@Injectable()
export class MessageMetrics {
  private readonly total: Counter<'kind' | 'status'>;
  private readonly handoff: Histogram<'kind'>;

  constructor(metrics: MetricsService) {
    this.total = new Counter({
      name: 'izinli_messages_total',
      help: 'Messages of the transactional API by kind and status reached (QUEUED at accept, BLOCKED, SENT, FAILED, RETRY).',
      labelNames: ['kind', 'status'],
      registers: [metrics.registry],
    });
    this.handoff = new Histogram({
      name: 'izinli_message_handoff_seconds',
      help: 'From accepting a message to its handoff to SMTP.',
      labelNames: ['kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300],
      registers: [metrics.registry],
    });
  }

  counted(kind: string, status: string): void {
    this.total.inc({ kind: kind.toLowerCase(), status });
  }

  handedOff(kind: string, seconds: number): void {
    this.handoff.observe({ kind: kind.toLowerCase() }, seconds);
  }
}
