import { Logger } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { DEFAULT_JOB_OPTIONS, JobHandler, JobOptions, JobQueue, QueueCounts } from './job-queue';

/**
 * The queue port on Bull (Redis), for any number of worker processes on any number of machines. The Bull queues
 * themselves are registered through @nestjs/bull (QueueModule) and handed in here by name.
 */
export class BullJobQueue extends JobQueue {
  readonly kind = 'bull' as const;
  private readonly log = new Logger('BullJobQueue');

  constructor(private readonly queues: Map<string, Queue>) {
    super();
  }

  /** The Bull queues, for Bull Board. */
  all(): Queue[] {
    return [...this.queues.values()];
  }

  private q(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw new Error(`unknown queue "${name}": add it to the queue catalogue`);
    return q;
  }

  private static toBull(options: JobOptions = {}) {
    return {
      attempts: options.attempts ?? DEFAULT_JOB_OPTIONS.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs ?? DEFAULT_JOB_OPTIONS.backoffMs },
      delay: options.delayMs && options.delayMs > 0 ? options.delayMs : undefined,
      jobId: options.jobId,
      removeOnComplete: true,
      removeOnFail: 1000,
    };
  }

  async add<T>(queue: string, name: string, data: T, options?: JobOptions): Promise<void> {
    await this.q(queue).add(name, data as object, BullJobQueue.toBull(options));
  }

  async addBulk<T>(queue: string, jobs: { name: string; data: T; options?: JobOptions }[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.q(queue).addBulk(
      jobs.map((j) => ({ name: j.name, data: j.data as object, opts: BullJobQueue.toBull(j.options) })),
    );
  }

  process<T>(queue: string, name: string, handler: JobHandler<T>, concurrency = 1): void {
    void this.q(queue)
      .process(name, concurrency, async (job: Job<T>) => {
        await handler({
          id: String(job.id),
          name: job.name,
          data: job.data,
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
        });
      })
      .catch((err: Error) => this.log.error(`processor for ${queue}/${name} stopped: ${err.message}`));
  }

  async repeat(queue: string, name: string, everyMs: number): Promise<void> {
    // Bull keys a repeatable job by name and interval, so every worker registering it at start is harmless.
    await this.q(queue).add(
      name,
      {},
      { repeat: { every: everyMs }, jobId: `repeat:${name}`, removeOnComplete: true, removeOnFail: 100, attempts: 1 },
    );
  }

  async counts(queue: string): Promise<QueueCounts> {
    const c = await this.q(queue).getJobCounts();
    return { waiting: c.waiting, active: c.active, delayed: c.delayed, failed: c.failed, completed: c.completed };
  }

  async ping(): Promise<void> {
    const first = this.queues.values().next().value as Queue | undefined;
    if (first) await first.client.ping();
  }

  async stopTaking(): Promise<void> {
    // A local pause that does not wait for the running jobs: only this process stops taking.
    await Promise.all([...this.queues.values()].map((q) => q.pause(true, true)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
