import { Logger } from '@nestjs/common';
import { DEFAULT_JOB_OPTIONS, JobHandler, JobOptions, JobQueue, QueueCounts, retryDelay } from './job-queue';

interface Entry {
  id: string;
  name: string;
  data: unknown;
  attempt: number;
  attempts: number;
  backoffMs: number;
}

interface LocalQueue {
  ready: Entry[];
  delayed: Map<string, NodeJS.Timeout>;
  active: number;
  failed: number;
  completed: number;
  handlers: Map<string, JobHandler<unknown>>;
  concurrency: number;
  ids: Set<string>;
}

/**
 * The queue for one process with no Redis: jobs live in memory, with the same retry, delay, de-duplication
 * and repeat behaviour as the Bull adapter. Jobs added before a handler is registered wait for it.
 */
export class InProcessJobQueue extends JobQueue {
  readonly kind = 'in-process' as const;
  private readonly log = new Logger('InProcessJobQueue');
  private readonly queues = new Map<string, LocalQueue>();
  private readonly repeats: NodeJS.Timeout[] = [];
  private seq = 0;
  private closed = false;
  private taking = true;

  private q(name: string): LocalQueue {
    let q = this.queues.get(name);
    if (!q) {
      q = {
        ready: [],
        delayed: new Map(),
        active: 0,
        failed: 0,
        completed: 0,
        handlers: new Map(),
        concurrency: 0,
        ids: new Set(),
      };
      this.queues.set(name, q);
    }
    return q;
  }

  async add<T>(queue: string, name: string, data: T, options: JobOptions = {}): Promise<void> {
    if (this.closed) return;
    const q = this.q(queue);
    const id = options.jobId ?? `local-${++this.seq}`;
    if (options.jobId && q.ids.has(id)) return;
    q.ids.add(id);
    const entry: Entry = {
      id,
      name,
      // A copy, so the handler sees what a serialising queue would: no shared mutable objects.
      data: data === undefined ? undefined : JSON.parse(JSON.stringify(data)),
      attempt: 1,
      attempts: options.attempts ?? DEFAULT_JOB_OPTIONS.attempts,
      backoffMs: options.backoffMs ?? DEFAULT_JOB_OPTIONS.backoffMs,
    };
    if (options.delayMs && options.delayMs > 0) this.schedule(queue, entry, options.delayMs);
    else {
      q.ready.push(entry);
      this.pump(queue);
    }
  }

  async addBulk<T>(queue: string, jobs: { name: string; data: T; options?: JobOptions }[]): Promise<void> {
    for (const j of jobs) await this.add(queue, j.name, j.data, j.options);
  }

  process<T>(queue: string, name: string, handler: JobHandler<T>, concurrency = 1): void {
    const q = this.q(queue);
    q.handlers.set(name, handler as JobHandler<unknown>);
    q.concurrency += concurrency;
    this.pump(queue);
  }

  async repeat(queue: string, name: string, everyMs: number): Promise<void> {
    const key = `repeat:${name}:${everyMs}`;
    if (this.repeats.some((t) => (t as unknown as { key?: string }).key === key)) return;
    const timer = setInterval(
      () => void this.add(queue, name, {}, { jobId: `${key}:${Math.floor(Date.now() / everyMs)}`, attempts: 1 }),
      everyMs,
    );
    timer.unref();
    (timer as unknown as { key?: string }).key = key;
    this.repeats.push(timer);
  }

  async counts(queue: string): Promise<QueueCounts> {
    const q = this.q(queue);
    return {
      waiting: q.ready.length,
      active: q.active,
      delayed: q.delayed.size,
      failed: q.failed,
      completed: q.completed,
    };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('queue closed');
  }

  async stopTaking(): Promise<void> {
    this.taking = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.repeats) clearInterval(t);
    for (const q of this.queues.values()) {
      for (const t of q.delayed.values()) clearTimeout(t);
      q.delayed.clear();
      q.ready.length = 0;
    }
    // Let running handlers finish, so a shutdown never cuts a job in half.
    const deadline = Date.now() + 10_000;
    while ([...this.queues.values()].some((q) => q.active > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private schedule(queue: string, entry: Entry, delayMs: number): void {
    const q = this.q(queue);
    const timer = setTimeout(() => {
      q.delayed.delete(entry.id + ':' + entry.attempt);
      q.ready.push(entry);
      this.pump(queue);
    }, delayMs);
    timer.unref();
    q.delayed.set(entry.id + ':' + entry.attempt, timer);
  }

  private pump(queue: string): void {
    const q = this.q(queue);
    while (!this.closed && this.taking && q.active < q.concurrency) {
      const idx = q.ready.findIndex((e) => q.handlers.has(e.name));
      if (idx < 0) return;
      const [entry] = q.ready.splice(idx, 1);
      q.active++;
      void this.run(queue, q, entry);
    }
  }

  private async run(queue: string, q: LocalQueue, entry: Entry): Promise<void> {
    const handler = q.handlers.get(entry.name)!;
    try {
      await handler({
        id: entry.id,
        name: entry.name,
        data: entry.data,
        attempt: entry.attempt,
        maxAttempts: entry.attempts,
      });
      q.completed++;
      q.ids.delete(entry.id);
    } catch (err) {
      if (entry.attempt < entry.attempts && !this.closed) {
        const delay = retryDelay(entry.backoffMs, entry.attempt);
        entry.attempt++;
        this.schedule(queue, entry, delay);
      } else {
        q.failed++;
        q.ids.delete(entry.id);
        this.log.warn(
          `job ${queue}/${entry.name} ${entry.id} failed after ${entry.attempt} attempt(s): ${(err as Error).message}`,
        );
      }
    } finally {
      q.active--;
      setImmediate(() => this.pump(queue));
    }
  }
}
