import { Inject, Injectable } from '@nestjs/common';
import {
  CommittedMovements,
  IYS_SYNC_SETTINGS,
  IysSyncSettings,
  OutboxListener,
  OutboxRepository,
} from '@izinli/consent';
import { JobQueue } from '@izinli/queue';
import { IysBatchJob, IysOutboxJob, QueueName, WebhookJob } from '../jobs/queue-names';
import { FlushJobData, flushJob, IYS_OUTBOX_JOB_OPTIONS, sendJobId, SendJobData } from './iys-work-scheduler';

export interface FanoutJobData {
  movementIds: string[];
}

/** A commit that carries more movements than this is a bulk load (an import batch): its rows go to batches at once. */
export const BULK_COMMIT = 10;

/**
 * "At once" (compliance.md §3.2): the moment a write commits, each movement Izinli must send gets its send job (or,
 * for a bulk load, the brand's next batch), and the movements get a webhook fan-out. All of it is only dispatch: the
 * rows are already stored, and the sweepers find anything whose job never arrived.
 */
@Injectable()
export class QueueOutboxListener extends OutboxListener {
  constructor(
    private readonly queue: JobQueue,
    private readonly outbox: OutboxRepository,
    @Inject(IYS_SYNC_SETTINGS) private readonly settings: IysSyncSettings,
  ) {
    super();
  }

  async movementsCommitted(event: CommittedMovements): Promise<void> {
    const pending = event.outbox.filter((o) => o.state === 'PENDING');
    if (pending.length > BULK_COMMIT) {
      await this.outbox.joinBatches(pending.map((o) => o.id));
      const job = flushJob(event.brandId, 0, this.settings.batchGatherMs, Date.now());
      await this.queue.add<FlushJobData>(
        QueueName.IYS_BATCHES,
        IysBatchJob.FLUSH_BATCH,
        { brandId: event.brandId },
        { ...IYS_OUTBOX_JOB_OPTIONS, delayMs: job.delayMs, jobId: job.jobId },
      );
    } else if (pending.length) {
      await this.queue.addBulk<SendJobData>(
        QueueName.IYS_OUTBOX,
        pending.map((o) => ({
          name: IysOutboxJob.SEND,
          data: { outboxId: o.id },
          options: { ...IYS_OUTBOX_JOB_OPTIONS, jobId: sendJobId(o.id, 'a0') },
        })),
      );
    }
    if (event.movementIds.length) {
      await this.queue.add<FanoutJobData>(
        QueueName.WEBHOOKS,
        WebhookJob.FANOUT,
        { movementIds: event.movementIds },
        { attempts: 5, backoffMs: 1_000, jobId: `fanout:${event.movementIds[0]}` },
      );
    }
  }
}
