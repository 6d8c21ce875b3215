import { Injectable, Logger } from '@nestjs/common';
import { JobQueue } from '@izinli/queue';
import { MessageJob, QueueName } from '../jobs/queue-names';
import { MessageSettings } from './message-settings';

export interface SendMessageJob {
  messageId: string;
}

/** Deterministic per try and per sweep generation: re-offering a job that is alive adds nothing. */
export function messageJobId(messageId: string, attempts: number, dispatch: number): string {
  return `msg:${messageId}:${attempts}:${dispatch}`;
}

interface Pending {
  messageId: string;
  jobId: string;
  delayMs: number;
  done: { resolve: () => void; reject: (err: unknown) => void };
}

const MAX_BATCH = 500;

/**
 * Queues message jobs. Adds arriving in the same turn of the event loop (concurrent requests) go to the queue as
 * one bulk add: one Redis round trip for a burst instead of one each. A failure is reported to every caller; the
 * rows are already committed, so the sweep offers their jobs again whatever happens here.
 */
@Injectable()
export class MessageDispatcher {
  private readonly log = new Logger('MessageDispatcher');
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly settings: MessageSettings,
  ) {}

  dispatch(messageId: string, attempts: number, dispatch: number, delayMs = 0): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ messageId, jobId: messageJobId(messageId, attempts, dispatch), delayMs, done: { resolve, reject } });
      if (this.pending.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }).catch((err: Error) => this.log.warn({ messageId, err: err.message }, 'could not queue a message job; the sweep will'));
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const jobs = batch.map((p) => ({
      name: MessageJob.SEND,
      data: { messageId: p.messageId } satisfies SendMessageJob,
      options: { jobId: p.jobId, attempts: this.settings.jobAttempts, backoffMs: this.settings.jobBackoffMs, delayMs: p.delayMs || undefined },
    }));
    this.queue.addBulk<SendMessageJob>(QueueName.MESSAGES, jobs).then(
      () => batch.forEach((p) => p.done.resolve()),
      (err: unknown) => batch.forEach((p) => p.done.reject(err)),
    );
  }
}
