import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import {
  IysOutboxMonitor,
  OutboxCounts,
  PullReport,
  PushReport,
  ReconciliationReport,
  SendReport,
} from '@izinli/consent';
import { HealthService } from '../operations/health.service';
import { MetricsService } from '../operations/metrics.service';

const COUNTS_CACHE_MS = 5_000;
/** An unchanged at-risk count is logged again after this long, so a long-standing risk keeps showing in the log. */
const AT_RISK_LOG_EVERY_MS = 10 * 60_000;

/**
 * The İYS sync's numbers and its /health entry. Outbox gauges are read from the database (every process sees
 * the same rows); counters count what this process did, and Prometheus sums them over processes.
 */
@Injectable()
export class IysSyncTelemetry implements OnModuleInit {
  private readonly log = new Logger('IysOutbox');
  private cache?: { at: number; counts: Promise<OutboxCounts> };
  private lastLogged?: { atRisk: number; overdue: number; at: number };

  readonly finished: Counter<'state'>;
  readonly retried: Counter<'code'>;
  readonly diverted: Counter;
  readonly acceptLatency: Histogram;
  readonly handover: Histogram;
  readonly pulled: Counter<'source' | 'result'>;
  readonly pushed: Counter<'result'>;
  readonly reconciled: Counter<'status'>;

  constructor(
    private readonly monitor: IysOutboxMonitor,
    private readonly health: HealthService,
    metrics: MetricsService,
  ) {
    const registers = [metrics.registry];
    this.finished = new Counter({
      name: 'izinli_iys_outbox_finished_total',
      help: 'Outgoing İYS rows finished, by final state.',
      labelNames: ['state'],
      registers,
    });
    this.retried = new Counter({
      name: 'izinli_iys_outbox_retries_total',
      help: 'Outgoing İYS rows put back for another try, by İYS code.',
      labelNames: ['code'],
      registers,
    });
    this.diverted = new Counter({
      name: 'izinli_iys_outbox_batched_total',
      help: 'Single adds that found the per-second limit taken and joined a batch.',
      registers,
    });
    this.acceptLatency = new Histogram({
      name: 'izinli_iys_outbox_accept_seconds',
      help: 'From recording a movement to İYS accepting it.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    this.handover = new Histogram({
      name: 'izinli_iys_outbox_handover_seconds',
      help: 'From recording a movement to its first request to İYS (single or batch).',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.pulled = new Counter({
      name: 'izinli_iys_pull_movements_total',
      help: 'Movements read from İYS change feeds.',
      labelNames: ['source', 'result'],
      registers,
    });
    this.pushed = new Counter({
      name: 'izinli_iys_push_movements_total',
      help: 'Movements received by İYS push.',
      labelNames: ['result'],
      registers,
    });
    this.reconciled = new Counter({
      name: 'izinli_iys_reconciliations_total',
      help: 'Daily reconciliations, by result.',
      labelNames: ['status'],
      registers,
    });
    const read = () => this.counts();
    const gauge = (name: string, help: string, pick: (c: OutboxCounts) => number) =>
      new Gauge({
        name,
        help,
        registers,
        // prom-client calls this with the gauge as `this`, at scrape time.
        async collect() {
          this.set(pick(await read()));
        },
      });
    gauge('izinli_iys_outbox_pending', 'Outgoing İYS rows waiting to be registered.', (c) => c.pending);
    gauge(
      'izinli_iys_outbox_at_risk',
      'PENDING rows within one business day of their 3-business-day deadline.',
      (c) => c.atRisk,
    );
    gauge(
      'izinli_iys_outbox_overdue',
      'PENDING rows past their deadline (İYS will refuse them; an ONAY no longer allows mail).',
      (c) => c.overdue,
    );
    gauge('izinli_iys_outbox_oldest_pending_seconds', 'Age of the oldest PENDING row.', (c) => c.oldestPendingSeconds);
  }

  onModuleInit(): void {
    this.health.register('iys-outbox', async () => {
      const c = await this.counts();
      const risky = c.atRisk > 0 || c.overdue > 0;
      return {
        status: risky ? 'warn' : 'up',
        pending: c.pending,
        atRisk: c.atRisk,
        overdue: c.overdue,
        oldestPendingSeconds: c.oldestPendingSeconds,
        ...(risky
          ? {
              detail: `${c.atRisk} movement(s) within one business day of their İYS registration deadline`,
              atRiskIds: c.atRiskIds,
            }
          : {}),
      };
    });
  }

  /** Outbox counts, shared by /metrics, /health and the sweep for a few seconds. */
  counts(): Promise<OutboxCounts> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at > COUNTS_CACHE_MS) {
      const counts = this.monitor.counts();
      counts.catch(() => (this.cache = undefined));
      this.cache = { at: now, counts };
    }
    return this.cache.counts;
  }

  /** Warns in the log when rows near their deadline, again when the count grows, and every few minutes while it lasts. */
  async logRisk(): Promise<void> {
    this.cache = undefined;
    const c = await this.counts();
    const now = Date.now();
    if (c.atRisk === 0 && c.overdue === 0) {
      if (this.lastLogged) this.log.log('no İYS movement is at risk any more');
      this.lastLogged = undefined;
      return;
    }
    const grew = !this.lastLogged || c.atRisk > this.lastLogged.atRisk || c.overdue > this.lastLogged.overdue;
    if (grew || now - this.lastLogged!.at > AT_RISK_LOG_EVERY_MS) {
      this.log.warn(
        { atRisk: c.atRisk, overdue: c.overdue, outboxIds: c.atRiskIds },
        'İYS movements are close to their 3-business-day registration deadline',
      );
      this.lastLogged = { atRisk: c.atRisk, overdue: c.overdue, at: now };
    }
  }

  observeSend(report: SendReport): void {
    const now = Date.now();
    for (const f of report.finished) {
      this.finished.inc({ state: f.state });
      if (f.state === 'ACCEPTED') this.acceptLatency.observe((now - new Date(f.created_at).getTime()) / 1000);
      if (f.first_sent_at)
        this.handover.observe((new Date(f.first_sent_at).getTime() - new Date(f.created_at).getTime()) / 1000);
    }
    for (const r of report.retried) this.retried.inc({ code: r.errorCode });
    if (report.diverted) this.diverted.inc(report.diverted);
  }

  observePull(r: PullReport): void {
    if (r.inserted) this.pulled.inc({ source: r.source, result: 'applied' }, r.inserted);
    if (r.duplicates) this.pulled.inc({ source: r.source, result: 'duplicate' }, r.duplicates);
    if (r.matchedOwn) this.pulled.inc({ source: r.source, result: 'own' }, r.matchedOwn);
    if (r.unreadable) this.pulled.inc({ source: r.source, result: 'unreadable' }, r.unreadable);
  }

  observePush(r: PushReport): void {
    for (const [result, n] of [
      ['applied', r.applied],
      ['duplicate', r.duplicates],
      ['ignored', r.ignored],
      ['unreadable', r.unreadable],
    ] as const) {
      if (n) this.pushed.inc({ result }, n);
    }
  }

  observeReconciliation(r: ReconciliationReport): void {
    this.reconciled.inc({ status: r.status });
  }
}
