import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '@izinli/config';
import { IysBrandDirectory, IysPuller, IysReconciler, PULL_SOURCES, PullSource } from '@izinli/consent';
import { JobContext, JobQueue } from '@izinli/queue';
import { APP_CONFIG } from '../config.token';
import { IysFeedJob, QueueName } from '../jobs/queue-names';
import { RuntimeRole } from '../jobs/runtime-role';
import { IysSyncTelemetry } from './iys-telemetry';

export interface PullJobData {
  brandId: string;
  iysCode: string;
  brandCode: string;
  source: PullSource;
}

const RECONCILE_EVERY_MS = 3_600_000;

/**
 * The `iys-feed` queue. A repeating job offers one pull per synced brand and source every IYS_PULL_INTERVAL_SECONDS
 * (job ids per interval, so a slow pull is never doubled); the cursor and its lease live in the database, so any
 * worker may run any brand's pull. Reconciliation runs hourly and does each brand's yesterday once it is settled.
 */
@Injectable()
export class IysFeedProcessor implements OnApplicationBootstrap {
  private readonly log = new Logger('IysFeed');

  constructor(
    private readonly queue: JobQueue,
    private readonly brands: IysBrandDirectory,
    private readonly puller: IysPuller,
    private readonly reconciler: IysReconciler,
    private readonly telemetry: IysSyncTelemetry,
    private readonly role: RuntimeRole,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.role.runsWorkers) return;
    this.queue.process(QueueName.IYS_FEED, IysFeedJob.PULL_ALL, () => this.offerPulls(), 1);
    this.queue.process<PullJobData>(QueueName.IYS_FEED, IysFeedJob.PULL_BRAND, (job) => this.pull(job), 2);
    this.queue.process(QueueName.IYS_FEED, IysFeedJob.RECONCILE, () => this.reconcile(), 1);
    await this.queue.repeat(QueueName.IYS_FEED, IysFeedJob.PULL_ALL, this.intervalMs());
    await this.queue.repeat(QueueName.IYS_FEED, IysFeedJob.RECONCILE, RECONCILE_EVERY_MS);
    // The first pull at start, not one interval later.
    await this.queue.add(
      QueueName.IYS_FEED,
      IysFeedJob.PULL_ALL,
      {},
      { attempts: 1, jobId: `iys-pull-all:start:${Date.now()}` },
    );
  }

  async offerPulls(): Promise<void> {
    const brands = await this.brands.syncedBrands();
    const slot = Math.floor(Date.now() / this.intervalMs());
    await this.queue.addBulk<PullJobData>(
      QueueName.IYS_FEED,
      brands.flatMap((b) =>
        PULL_SOURCES.map((source) => ({
          name: IysFeedJob.PULL_BRAND,
          data: { brandId: b.id, iysCode: b.iysCode, brandCode: b.brandCode, source },
          options: { attempts: 2, backoffMs: 2_000, jobId: `iys-pull:${b.id}:${source}:${slot}` },
        })),
      ),
    );
  }

  private async pull(job: JobContext<PullJobData>): Promise<void> {
    const d = job.data;
    if (!d || typeof d.brandId !== 'string' || !PULL_SOURCES.includes(d.source)) return;
    const report = await this.puller.pull(
      { id: d.brandId, iysCode: String(d.iysCode), brandCode: String(d.brandCode) },
      d.source,
    );
    this.telemetry.observePull(report);
    // The run stopped at its page limit: the rest follows at once rather than an interval later.
    if (report.more)
      await this.queue.add(QueueName.IYS_FEED, IysFeedJob.PULL_BRAND, d, {
        attempts: 2,
        backoffMs: 2_000,
        jobId: `iys-pull:${d.brandId}:${d.source}:more:${Date.now()}`,
      });
  }

  async reconcile(): Promise<void> {
    const date = this.reconciler.yesterday();
    const pending = await this.reconciler.pendingBrands(await this.brands.syncedBrands(), date);
    for (const brand of pending) {
      try {
        this.telemetry.observeReconciliation(await this.reconciler.reconcile(brand, date));
      } catch (err) {
        this.log.warn(
          { brandId: brand.id, reportDate: date, err: (err as Error).message },
          'reconciliation failed; it runs again within the hour',
        );
      }
    }
  }

  private intervalMs(): number {
    return this.config.iys.pullIntervalSeconds * 1000;
  }
}
