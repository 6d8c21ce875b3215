import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { JobContext, JobQueue } from '@izinli/queue';
import { MessageJob, QueueName } from '../jobs/queue-names';
import { RuntimeRole } from '../jobs/runtime-role';
import { SweepService } from '../jobs/sweep.service';
import { MESSAGES_PER_JOB, MessageDispatcher } from './message-dispatcher';
import { MessageSender } from './message-sender';
import { MessageSettings } from './message-settings';
import { MessagesRepository } from './messages.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The messages a job payload names: `{ messageIds }`, or `{ messageId }` from before jobs carried several; null when malformed. */
export function messagesOfJob(data: unknown): string[] | null {
  const d = data as { messageIds?: unknown; messageId?: unknown } | null;
  if (!d || typeof d !== 'object') return null;
  if (typeof d.messageId === 'string' && d.messageIds === undefined)
    return UUID.test(d.messageId) ? [d.messageId] : null;
  const ids = d.messageIds;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MESSAGES_PER_JOB) return null;
  return ids.every((id) => typeof id === 'string' && UUID.test(id)) ? (ids as string[]) : null;
}

/**
 * Registers the message handler in processes that run workers (thin: check the payload, hand it to MessageSender)
 * and the sweeper that brings back messages whose job was lost and purges old idempotency keys.
 */
@Injectable()
export class MessagesProcessor implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger('MessagesProcessor');

  constructor(
    private readonly queue: JobQueue,
    private readonly role: RuntimeRole,
    private readonly sweeps: SweepService,
    private readonly sender: MessageSender,
    private readonly dispatcher: MessageDispatcher,
    private readonly repo: MessagesRepository,
    private readonly settings: MessageSettings,
  ) {}

  onModuleInit(): void {
    // Registered before any bootstrap hook, so the sweep that runs at worker start already includes it.
    this.sweeps.register({ name: 'messages', sweep: () => this.sweep() });
  }

  onApplicationBootstrap(): void {
    if (!this.role.runsWorkers) return;
    this.queue.process<unknown>(
      QueueName.MESSAGES,
      MessageJob.SEND,
      (job) => this.handle(job),
      this.settings.sendConcurrency,
    );
  }

  async handle(job: JobContext<unknown>): Promise<void> {
    const ids = messagesOfJob(job.data);
    if (!ids) {
      // A malformed payload never becomes valid by retrying; the sweep re-creates jobs from the rows anyway.
      this.log.error({ jobId: job.id }, 'dropped a message job with a malformed payload');
      return;
    }
    await this.sender.send(ids);
  }

  /** Offers a fresh job for every QUEUED message whose job is gone; purges idempotency keys past retention. */
  async sweep(): Promise<number> {
    const stale = await this.repo.redispatchStale(this.settings.staleAfterMs, this.settings.claimLeaseMs);
    await Promise.all(stale.map((s) => this.dispatcher.dispatch(s.id, s.attempts, s.dispatch)));
    await this.repo.purgeIdempotencyKeys(this.settings.idempotencyRetentionMs);
    return stale.length;
  }
}
