import { Inject, Injectable } from '@nestjs/common';
import { IYS_SYNC_SETTINGS, IysSyncSettings, SyncFollowUps } from '@izinli/consent';
import { JobOptions, JobQueue } from '@izinli/queue';
import { IysBatchJob, IysOutboxJob, QueueName } from '../jobs/queue-names';

export interface SendJobData {
  outboxId: string;
}
export interface FlushJobData {
  brandId: string;
}
export interface PollJobData {
  batchId: string;
}

/**
 * İYS answers are handled inside the sender (they end in the row, never in a failed job); a job fails only when the
 * database does, and a few quick retries cover a restart. Whatever is still pending after that is the sweeper's.
 */
export const IYS_OUTBOX_JOB_OPTIONS: JobOptions = { attempts: 3, backoffMs: 1_000 };

/** Turns the sync engine's follow-ups into jobs (single adds on `iys-outbox`, batches on `iys-batches`), with ids that keep one job per step. */
@Injectable()
export class IysWorkScheduler {
  constructor(
    private readonly queue: JobQueue,
    @Inject(IYS_SYNC_SETTINGS) private readonly settings: IysSyncSettings,
  ) {}

  async schedule(f: SyncFollowUps): Promise<void> {
    const now = Date.now();
    const gather = Math.max(1, this.settings.batchGatherMs);
    const sends = f.sends.map((s) => ({
      name: IysOutboxJob.SEND,
      data: { outboxId: s.id } as SendJobData,
      options: { ...IYS_OUTBOX_JOB_OPTIONS, delayMs: s.delayMs, jobId: sendJobId(s.id, s.dedupe) },
    }));
    const batches = [
      ...[
        ...new Map(
          f.flushes.map((x) => [
            flushJob(x.brandId, x.delayMs, gather, now).jobId,
            flushJob(x.brandId, x.delayMs, gather, now),
          ]),
        ).values(),
      ].map((job) => ({
        name: IysBatchJob.FLUSH_BATCH,
        data: { brandId: job.brandId } as FlushJobData | PollJobData,
        options: { ...IYS_OUTBOX_JOB_OPTIONS, delayMs: job.delayMs, jobId: job.jobId },
      })),
      ...f.polls.map((p) => ({
        name: IysBatchJob.POLL_BATCH,
        data: { batchId: p.batchId },
        options: { ...IYS_OUTBOX_JOB_OPTIONS, delayMs: p.delayMs, jobId: `iys-poll:${p.batchId}:${p.dedupe}` },
      })),
    ];
    if (sends.length) await this.queue.addBulk(QueueName.IYS_OUTBOX, sends);
    if (batches.length) await this.queue.addBulk(QueueName.IYS_BATCHES, batches);
  }
}

export function sendJobId(outboxId: string, step: string): string {
  return `iys-send:${outboxId}:${step}`;
}

/**
 * One flush job per brand and gathering window, run at the window's end: every movement that becomes due within the
 * window is in its batch, and an offer made later in the window finds the job still waiting (its id de-duplicates it)
 * rather than already gone. Movements diverted together therefore leave together, at most one window later.
 */
export function flushJob(
  brandId: string,
  notBeforeMs: number,
  gatherMs: number,
  now: number,
): { brandId: string; jobId: string; delayMs: number } {
  const gather = Math.max(1, gatherMs);
  const slot = Math.floor((now + Math.max(0, notBeforeMs)) / gather);
  return { brandId, jobId: `iys-flush:${brandId}:${slot}`, delayMs: Math.max(0, (slot + 1) * gather - now) };
}
