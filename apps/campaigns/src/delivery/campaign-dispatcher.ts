import { Injectable, Logger } from '@nestjs/common';
import { JobQueue } from '@izinli/queue';
import { CampaignDeliveryJob, QueueName } from '../jobs/queue-names';
import { DeliverySettings } from './delivery-settings';
import { ChunkJobRef, DeliveryRepository } from './delivery.repository';

/** The payload of a chunk job. */
export interface SendChunkJob {
  campaignId: string;
  seq: number;
  generation: number;
}

export function chunkJobId(campaignId: string, seq: number, generation: number): string {
  return `chunk:${campaignId}:${seq}:${generation}`;
}

/**
 * Turns chunk rows into queue jobs. The rows are the truth; a job id is derived from (campaign, chunk,
 * generation), so offering the same job again while it lives is a no-op, and a new generation is minted only
 * when the old job is known to be unable to finish. A campaign keeps a bounded window of chunks in the queue,
 * topped up as chunks finish, so a million-recipient campaign never puts thousands of jobs in Redis at once.
 */
@Injectable()
export class CampaignDispatcher {
  private readonly log = new Logger('CampaignDispatcher');

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly queue: JobQueue,
    private readonly settings: DeliverySettings,
  ) {}

  /** Fills the campaign's queue window; answers how many chunks were queued. */
  async dispatch(campaignId: string): Promise<number> {
    const refs = await this.repo.queueNextChunks(campaignId, (rate) => this.settings.windowFor(rate));
    await this.enqueue(campaignId, refs);
    return refs.length;
  }

  async afterChunkDone(campaignId: string): Promise<void> {
    // The window first: a chunk it queues was still PENDING, so the campaign cannot be complete and needs no check.
    if ((await this.dispatch(campaignId)) > 0) return;
    if (await this.repo.completeIfDone(campaignId)) this.log.log({ campaignId }, 'campaign completed');
  }

  /** A chunk whose remaining rows wait for a deferred retry gets a job that runs when they are due. */
  async defer(campaignId: string, seq: number, delayMs: number): Promise<void> {
    const ref = await this.repo.deferChunk(campaignId, seq, delayMs);
    if (ref) await this.enqueue(campaignId, [ref]);
  }

  /** After resume: the queued chunks' jobs again (no-ops for those still waiting), then the window. */
  async resume(campaignId: string): Promise<void> {
    await this.enqueue(campaignId, await this.repo.queuedChunks(campaignId));
    await this.dispatch(campaignId);
  }

  /**
   * The recovery pass over every RUNNING campaign, run by each worker every few seconds and by the maintenance
   * sweep: close chunks whose rows are final, mint fresh jobs for chunks left by a dead execution, offer every
   * queued chunk's job again (brings back jobs a Redis flush lost), top up the window, complete what is done.
   */
  async sweep(): Promise<number> {
    let offered = 0;
    for (const campaignId of await this.repo.runningCampaignIds()) {
      try {
        await this.repo.closeFinishedChunks(campaignId);
        const revived = await this.repo.reviveOrphanedChunks(campaignId);
        if (revived.length)
          this.log.log(
            { campaignId, chunks: revived.map((r) => r.seq) },
            'new jobs for chunks left by a stopped worker',
          );
        const queued = await this.repo.queuedChunks(campaignId);
        await this.enqueue(campaignId, queued);
        offered += queued.length;
        offered += await this.dispatch(campaignId);
        if (await this.repo.completeIfDone(campaignId)) this.log.log({ campaignId }, 'campaign completed');
      } catch (err) {
        this.log.warn({ campaignId, err: (err as Error).message }, 'campaign sweep failed');
      }
    }
    return offered;
  }

  private async enqueue(campaignId: string, refs: ChunkJobRef[]): Promise<void> {
    if (refs.length === 0) return;
    await this.queue.addBulk<SendChunkJob>(
      QueueName.CAMPAIGN_DELIVERY,
      refs.map((r) => ({
        name: CampaignDeliveryJob.SEND_CHUNK,
        data: { campaignId, seq: r.seq, generation: r.generation },
        options: {
          jobId: chunkJobId(campaignId, r.seq, r.generation),
          attempts: this.settings.jobAttempts,
          backoffMs: this.settings.jobBackoffMs,
          delayMs: r.delayMs > 0 ? r.delayMs : undefined,
        },
      })),
    );
  }
}
