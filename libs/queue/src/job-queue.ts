/** How a job is retried and scheduled. Both adapters honour every field. */
export interface JobOptions {
  /** Total tries, the first included. Default 5. */
  attempts?: number;
  /** First retry delay; each later retry doubles it. Default 1000 ms. */
  backoffMs?: number;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
  /**
   * A job with the id of one still waiting, delayed or running is not added again. The row-backed sweeps rely on
   * this: re-enqueueing a row whose job is alive is harmless.
   */
  jobId?: string;
}

export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
}

export type JobHandler<T> = (job: JobContext<T>) => Promise<void>;

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/**
 * The queue port. PostgreSQL holds the truth (a unit of work is a row before it is a job); the queue only
 * dispatches, so an adapter may lose jobs (a Redis flush) without losing work: the sweeps re-enqueue.
 */
export abstract class JobQueue {
  abstract readonly kind: 'bull' | 'in-process';
  abstract add<T>(queue: string, name: string, data: T, options?: JobOptions): Promise<void>;
  abstract addBulk<T>(queue: string, jobs: { name: string; data: T; options?: JobOptions }[]): Promise<void>;
  /** Registers the handler of one job name on one queue. Called only in processes that run workers. */
  abstract process<T>(queue: string, name: string, handler: JobHandler<T>, concurrency?: number): void;
  /** A job added every `everyMs`; registering the same (queue, name) again, from any process, is harmless. */
  abstract repeat(queue: string, name: string, everyMs: number): Promise<void>;
  abstract counts(queue: string): Promise<QueueCounts>;
  abstract ping(): Promise<void>;
  /**
   * This process takes no new job from any queue; the running ones go on, and close() still waits for them. The
   * first step of a stopping worker, so that a job it could only refuse is left for another worker.
   */
  abstract stopTaking(): Promise<void>;
  abstract close(): Promise<void>;
}

export const DEFAULT_JOB_OPTIONS = { attempts: 5, backoffMs: 1000 } as const;

/** Delay before retry number `attempt` (1 = the first retry): exponential from backoffMs, capped at 10 minutes. */
export function retryDelay(backoffMs: number, attempt: number): number {
  return Math.min(backoffMs * 2 ** Math.max(0, attempt - 1), 10 * 60_000);
}
