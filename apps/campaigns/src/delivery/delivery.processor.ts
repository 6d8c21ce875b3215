import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { JobContext, JobQueue } from '@izinli/queue';
import { CampaignDeliveryJob, QueueName } from '../jobs/queue-names';
import { RuntimeRole } from '../jobs/runtime-role';
import type { SendChunkJob } from './campaign-dispatcher';
import { ChunkSender } from './chunk-sender';
import { DeliverySettings } from './delivery-settings';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isSendChunkJob(data: unknown): data is SendChunkJob {
  const d = data as Partial<SendChunkJob> | null;
  return (
    !!d &&
    typeof d.campaignId === 'string' &&
    UUID.test(d.campaignId) &&
    Number.isInteger(d.seq) &&
    d.seq! >= 0 &&
    Number.isInteger(d.generation)
  );
}

/** Registers the chunk handler in processes that run workers. Thin: check the payload, hand it to ChunkSender. */
@Injectable()
export class DeliveryProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('DeliveryProcessor');

  constructor(
    private readonly queue: JobQueue,
    private readonly role: RuntimeRole,
    private readonly sender: ChunkSender,
    private readonly settings: DeliverySettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.role.runsWorkers) return;
    this.queue.process<unknown>(
      QueueName.CAMPAIGN_DELIVERY,
      CampaignDeliveryJob.SEND_CHUNK,
      (job) => this.handle(job),
      this.settings.chunkConcurrency,
    );
  }

  /**
   * A stopping worker takes no new job, lets its chunks finish or hands them back (ChunkSender.stop), then lets the
   * queue close; main.ts ends the process if all that has not happened within SHUTDOWN_DEADLINE_MS.
   */
  async onModuleDestroy(): Promise<void> {
    if (this.role.runsWorkers) await this.queue.stopTaking().catch(() => undefined);
    await this.sender.stop();
  }

  async handle(job: JobContext<unknown>): Promise<void> {
    if (!isSendChunkJob(job.data)) {
      // A malformed payload never becomes valid by retrying; the sweep re-creates jobs from the rows anyway.
      this.log.error({ jobId: job.id }, 'dropped a chunk job with a malformed payload');
      return;
    }
    await this.sender.send(job.data);
  }
}
