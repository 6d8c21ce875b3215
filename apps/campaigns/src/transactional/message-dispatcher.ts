import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'crypto';
import { JobQueue } from '@izinli/queue';
import { MessageJob, QueueName } from '../jobs/queue-names';
import { MessageSettings } from './message-settings';

/**
 * The payload of a message job: the messages it sends. A job of the first dispatch carries the messages accepted
 * within `dispatchLingerMs` of each other (up to MESSAGES_PER_JOB); a retry after an SMTP 4xx carries one.
 * `{ messageId }`, the shape of jobs queued before jobs carried several, is still understood.
 */
export interface SendMessageJob {
  messageIds: string[];
}

/** The most messages one job carries: one claim and one SENT record per job, SMTP sends side by side. */
export const MESSAGES_PER_JOB = 50;

/** Deterministic per try and per sweep generation: re-offering a job that is alive adds nothing. */
export function messageJobId(messageId: string, attempts: number, dispatch: number): string {
  return `msg:${messageId}:${attempts}:${dispatch}`;
}

/** A job of several messages is named by what it carries, so the same set offered again adds nothing either. */
function jobIdOf(batch: Pending[]): string {
  if (batch.length === 1) return batch[0].jobId;
  const h = createHash('sha256');
  for (const p of batch) h.update(p.jobId).update('\n');
  return `msgs:${h.digest('hex').slice(0, 32)}`;
}

interface Pending {
  messageId: string;
  jobId: string;
  delayMs: number;
  done: { resolve: () => void; reject: (err: unknown) => void };
}

/** Adds per Redis round trip: a burst bigger than this is split. */
const MAX_PENDING = 2_000;

/**
 * Queues message jobs. Messages dispatched within `dispatchLingerMs` of each other share jobs, up to
 * MESSAGES_PER_JOB each, and all those jobs go to the queue as one bulk add: one Redis round trip for a burst, and
 * one job (one claim, one SENT record) per handful of messages instead of one each. A delayed retry is a job of
 * its own. The promise never rejects: a failure is logged for every message, and since the rows are already
 * committed the sweep offers their jobs again whatever happens here. Jobs still lingering at shutdown are added
 * before the queue closes.
 */
@Injectable()
export class MessageDispatcher implements OnModuleDestroy {
  private readonly log = new Logger('MessageDispatcher');
  private pending: Pending[] = [];
  private immediate = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly adding = new Set<Promise<void>>();

  constructor(
    private readonly queue: JobQueue,
    private readonly settings: MessageSettings,
  ) {}

  dispatch(messageId: string, attempts: number, dispatch: number, delayMs = 0): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({
        messageId,
        jobId: messageJobId(messageId, attempts, dispatch),
        delayMs,
        done: { resolve, reject },
      });
      if (!delayMs) this.immediate++;
      if (this.immediate >= MESSAGES_PER_JOB || this.pending.length >= MAX_PENDING) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.settings.dispatchLingerMs);
    }).catch((err: Error) =>
      this.log.warn({ messageId, err: err.message }, 'could not queue a message job; the sweep will'),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.adding]);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const all = this.pending;
    this.pending = [];
    this.immediate = 0;
    if (all.length === 0) return;
    const groups: Pending[][] = [];
    const due = all.filter((p) => !p.delayMs);
    for (let i = 0; i < due.length; i += MESSAGES_PER_JOB) groups.push(due.slice(i, i + MESSAGES_PER_JOB));
    for (const p of all) if (p.delayMs) groups.push([p]);
    const jobs = groups.map((g) => ({
      name: MessageJob.SEND,
      data: { messageIds: g.map((p) => p.messageId) } satisfies SendMessageJob,
      options: {
        jobId: jobIdOf(g),
        attempts: this.settings.jobAttempts,
        backoffMs: this.settings.jobBackoffMs,
        delayMs: g[0].delayMs || undefined,
      },
    }));
    const added = this.queue.addBulk<SendMessageJob>(QueueName.MESSAGES, jobs).then(
      () => all.forEach((p) => p.done.resolve()),
      (err: unknown) => all.forEach((p) => p.done.reject(err)),
    );
    this.adding.add(added);
    void added.finally(() => this.adding.delete(added));
  }
}
