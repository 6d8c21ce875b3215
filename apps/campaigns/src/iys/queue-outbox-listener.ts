import { Injectable } from '@nestjs/common';
import { CommittedMovements, OutboxListener } from '@izinli/consent';
import { JobQueue } from '@izinli/queue';
import { IysOutboxJob, QueueName, WebhookJob } from '../jobs/queue-names';
import { IYS_OUTBOX_JOB_OPTIONS, sendJobId, SendJobData } from './iys-work-scheduler';

export interface FanoutJobData {
  movementIds: string[];
}

/**
 * "At once" (compliance.md §3.2): the moment a write commits, each movement Izinli must send gets its send job, and
 * the movements get a webhook fan-out. Both are only dispatch: the rows are already stored, and the sweepers find
 * anything whose job never arrived.
 */
@Injectable()
export class QueueOutboxListener extends OutboxListener {
  constructor(private readonly queue: JobQueue) {
    super();
  }

  async movementsCommitted(event: CommittedMovements): Promise<void> {
    const pending = event.outbox.filter((o) => o.state === 'PENDING');
    if (pending.length) {
      await this.queue.addBulk<SendJobData>(
        QueueName.IYS_OUTBOX,
        pending.map((o) => ({ name: IysOutboxJob.SEND, data: { outboxId: o.id }, options: { ...IYS_OUTBOX_JOB_OPTIONS, jobId: sendJobId(o.id, 'a0') } })),
      );
    }
    if (event.movementIds.length) {
      await this.queue.add<FanoutJobData>(QueueName.WEBHOOKS, WebhookJob.FANOUT, { movementIds: event.movementIds }, { attempts: 5, backoffMs: 1_000, jobId: `fanout:${event.movementIds[0]}` });
    }
  }
}
