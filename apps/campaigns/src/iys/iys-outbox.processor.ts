import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { IysOutboxMonitor, IysOutboxSender, SendReport } from '@izinli/consent';
import { JobContext, JobQueue } from '@izinli/queue';
import { IysBatchJob, IysOutboxJob, QueueName } from '../jobs/queue-names';
import { RuntimeRole } from '../jobs/runtime-role';
import { SweepService } from '../jobs/sweep.service';
import { IysSyncTelemetry } from './iys-telemetry';
import { FlushJobData, IysWorkScheduler, PollJobData, SendJobData } from './iys-work-scheduler';

/**
 * Single adds mostly wait on İYS and on the shared rate limit, so a worker runs many at once; batches are few and
 * large. The order per consent key does not depend on these numbers: it is enforced by the rows' claims.
 */
const SEND_CONCURRENCY = 16;
const FLUSH_CONCURRENCY = 2;
const POLL_CONCURRENCY = 4;

/**
 * The `iys-outbox` and `iys-batches` queues: thin handlers around the sender (one call each, then its follow-ups scheduled), and the
 * sweep that finds every PENDING row again, ends rows whose deadline passed, and warns about rows near it.
 */
@Injectable()
export class IysOutboxProcessor implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger('IysOutbox');

  constructor(
    private readonly queue: JobQueue,
    private readonly sender: IysOutboxSender,
    private readonly monitor: IysOutboxMonitor,
    private readonly scheduler: IysWorkScheduler,
    private readonly telemetry: IysSyncTelemetry,
    private readonly sweeps: SweepService,
    private readonly role: RuntimeRole,
  ) {}

  onModuleInit(): void {
    this.sweeps.register({
      name: 'iys-outbox',
      sweep: async () => {
        const overdue = await this.monitor.finalizeOverdue();
        if (overdue.length)
          this.log.error(
            { outboxIds: overdue.slice(0, 50), count: overdue.length },
            'İYS registration deadline passed: movements rejected (H467)',
          );
        const followUps = await this.sender.sweep();
        await this.scheduler.schedule(followUps);
        await this.telemetry.logRisk();
        return followUps.sends.length + followUps.flushes.length + followUps.polls.length;
      },
    });
  }

  onApplicationBootstrap(): void {
    if (!this.role.runsWorkers) return;
    this.queue.process<SendJobData>(
      QueueName.IYS_OUTBOX,
      IysOutboxJob.SEND,
      (job) => this.run(job, (d) => this.sender.sendOne(String(d.outboxId))),
      SEND_CONCURRENCY,
    );
    this.queue.process<FlushJobData>(
      QueueName.IYS_BATCHES,
      IysBatchJob.FLUSH_BATCH,
      (job) => this.run(job, (d) => this.sender.flushBatch(String(d.brandId))),
      FLUSH_CONCURRENCY,
    );
    this.queue.process<PollJobData>(
      QueueName.IYS_BATCHES,
      IysBatchJob.POLL_BATCH,
      (job) => this.run(job, (d) => this.sender.pollBatch(String(d.batchId))),
      POLL_CONCURRENCY,
    );
  }

  private async run<T>(job: JobContext<T>, step: (data: T) => Promise<SendReport>): Promise<void> {
    if (!job.data || typeof job.data !== 'object') {
      this.log.warn({ jobId: job.id }, 'İYS outbox job without a payload; dropped');
      return;
    }
    const report = await step(job.data);
    this.telemetry.observeSend(report);
    await this.scheduler.schedule(report.followUps);
  }
}
