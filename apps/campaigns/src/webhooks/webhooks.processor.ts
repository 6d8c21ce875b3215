import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { JobContext, JobQueue } from '@izinli/queue';
import { QueueName, WebhookJob } from '../jobs/queue-names';
import { RuntimeRole } from '../jobs/runtime-role';
import { SweepService } from '../jobs/sweep.service';
import { MetricsService } from '../operations/metrics.service';
import type { FanoutJobData } from '../iys/queue-outbox-listener';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookRepository } from './webhook.repository';

export interface DeliverJobData {
  deliveryId: string;
}

/** A movement's transaction started this long ago has surely committed (or rolled back): the sweeper may judge it. */
const SETTLE_SECONDS = 60;
const JOB_OPTIONS = { attempts: 3, backoffMs: 1_000 };
const SWEEP_LIMIT = 5000;

/**
 * The webhooks queue: fan-out of committed movements into deliveries, and each delivery with its retries. A
 * delivery is a row before it is a job; the sweep re-creates lost fan-outs (from a per-brand watermark) and
 * re-offers deliveries that are due.
 */
@Injectable()
export class WebhooksProcessor implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger('Webhooks');
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly queue: JobQueue,
    private readonly repo: WebhookRepository,
    private readonly deliverer: WebhookDeliverer,
    private readonly sweeps: SweepService,
    private readonly role: RuntimeRole,
    metrics: MetricsService,
  ) {
    this.outcomes = new Counter({
      name: 'izinli_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (DELIVERED, PENDING = will retry, FAILED = given up).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    this.sweeps.register({
      name: 'webhooks',
      sweep: async () => {
        const movementIds = await this.repo.sweepMovements(SETTLE_SECONDS, SWEEP_LIMIT);
        const created = await this.repo.fanout(movementIds);
        await this.repo.advanceWatermarks(movementIds, movementIds.length < SWEEP_LIMIT);
        const due = await this.repo.dueDeliveries(1000);
        const epoch = Math.floor(Date.now() / 10_000);
        await this.enqueue([
          ...created.map((d) => ({ ...d, step: 'a0' })),
          ...due.map((d) => ({ ...d, step: `a${d.attempts}:s${epoch}` })),
        ]);
        if (created.length)
          this.log.warn({ created: created.length }, 'created webhook deliveries whose fan-out was lost');
        return created.length + due.length;
      },
    });
  }

  onApplicationBootstrap(): void {
    if (!this.role.runsWorkers) return;
    this.queue.process<FanoutJobData>(QueueName.WEBHOOKS, WebhookJob.FANOUT, (job) => this.fanout(job), 4);
    this.queue.process<DeliverJobData>(QueueName.WEBHOOKS, WebhookJob.DELIVER, (job) => this.deliver(job), 8);
  }

  private async fanout(job: JobContext<FanoutJobData>): Promise<void> {
    const ids = Array.isArray(job.data?.movementIds)
      ? job.data.movementIds.filter((x) => typeof x === 'string' && /^\d{1,18}$/.test(x))
      : [];
    const created = await this.repo.fanout(ids);
    await this.enqueue(created.map((d) => ({ ...d, step: 'a0' })));
  }

  private async deliver(job: JobContext<DeliverJobData>): Promise<void> {
    if (typeof job.data?.deliveryId !== 'string') return;
    const outcome = await this.deliverer.deliver(job.data.deliveryId);
    if (outcome.status !== 'SKIPPED') this.outcomes.inc({ outcome: outcome.status });
    if (outcome.retryInMs !== null) {
      await this.queue.add<DeliverJobData>(
        QueueName.WEBHOOKS,
        WebhookJob.DELIVER,
        { deliveryId: job.data.deliveryId },
        { ...JOB_OPTIONS, delayMs: outcome.retryInMs, jobId: `webhook:${job.data.deliveryId}:a${outcome.attempts}` },
      );
    }
  }

  private async enqueue(deliveries: { id: string; step: string }[]): Promise<void> {
    if (deliveries.length === 0) return;
    await this.queue.addBulk<DeliverJobData>(
      QueueName.WEBHOOKS,
      deliveries.map((d) => ({
        name: WebhookJob.DELIVER,
        data: { deliveryId: d.id },
        options: { ...JOB_OPTIONS, jobId: `webhook:${d.id}:${d.step}` },
      })),
    );
  }
}
