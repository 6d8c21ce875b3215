import { HttpStatus, Injectable, Logger, Module, OnModuleDestroy } from '@nestjs/common';
import { availableParallelism } from 'os';
import { join } from 'path';
import { Worker } from 'worker_threads';
import { classifyMessage, type ClassificationDecision, type ClassifyMessageInput } from '@izinli/consent';
import { ApiError } from '../common/http/api-error';
import { LARGE_CONTENT } from '../transactional/message-content';

/** The longest one message may take in a thread, queueing included, before its request is answered 503. */
export const CLASSIFICATION_TIMEOUT_MS = 5_000;

/**
 * Each thread requires its entry file. Compiled, that is the .js beside this module; under the TypeScript test
 * runner (whose loader threads do not inherit) it is the .ts, loaded through @swc-node/register.
 */
const ENTRY = join(__dirname, `classification-thread${__filename.endsWith('.ts') ? '.ts' : '.js'}`);
const EXEC_ARGV = __filename.endsWith('.ts') ? ['--require', '@swc-node/register'] : [];

/** Half a megabyte of HTML becomes a few copies of its text while it is read; far below this. */
const THREAD_HEAP_LIMITS = { maxOldGenerationSizeMb: 256 };

interface Task {
  id: number;
  input: ClassifyMessageInput;
  resolve: (d: ClassificationDecision) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface ClassifierThread {
  worker: Worker;
  /** The task in the thread, one at a time: a stuck one is ended by ending its thread, which holds nothing else. */
  busy: Task | null;
}

/** The message could not be classified in time, or its thread stopped: the request fails rather than guess. */
export class ClassificationUnavailableError extends ApiError {
  constructor(detail: string) {
    super(
      HttpStatus.SERVICE_UNAVAILABLE,
      'SERVICE_UNAVAILABLE',
      `The message content could not be classified just now (${detail}). Retry in a few seconds.`,
    );
  }
}

/**
 * Classifies message content, large content on threads of its own. Every pass of the classifier is linear, but a
 * few hundred kilobytes still cost tens of milliseconds of CPU on a quiet machine and several times that on a busy
 * one, and inline that time is taken from every other request. Content of LARGE_CONTENT characters or more goes to
 * a small pool (started on first use) that runs the library's same classifier; smaller content, the usual case,
 * is classified inline and pays no thread hop. A failure is an error for the request, never a guessed kind: doubt
 * must not let commercial mail through as transactional.
 */
@Injectable()
export class ClassificationThreads implements OnModuleDestroy {
  private readonly log = new Logger('ClassificationThreads');
  private readonly threads: (ClassifierThread | null)[];
  private readonly queue: Task[] = [];
  private seq = 0;
  private closed = false;

  constructor(
    size: number = ClassificationThreads.defaultSize(),
    private readonly timeoutMs: number = CLASSIFICATION_TIMEOUT_MS,
  ) {
    this.threads = Array.from({ length: Math.max(1, size) }, () => null);
  }

  /** One thread, two where the machine has cores to spare: large messages are rare and a thread costs memory. */
  static defaultSize(): number {
    return availableParallelism() > 2 ? 2 : 1;
  }

  /** The classifier's decision; large content is decided on a thread. Rejects with ClassificationUnavailableError. */
  async classify(input: ClassifyMessageInput): Promise<ClassificationDecision> {
    const length = (input.subject?.length ?? 0) + (input.html?.length ?? 0) + (input.text?.length ?? 0);
    if (length < LARGE_CONTENT) return classifyMessage(input);
    return this.onThread(input);
  }

  /** Classifies on a thread whatever the size (classify decides by size; tests compare the two paths). */
  onThread(input: ClassifyMessageInput): Promise<ClassificationDecision> {
    if (this.closed) return Promise.reject(new ClassificationUnavailableError('the service is shutting down'));
    return new Promise<ClassificationDecision>((resolve, reject) => {
      const id = ++this.seq;
      const task: Task = {
        id,
        input: {
          channel: input.channel,
          purpose: input.purpose,
          subject: input.subject,
          html: input.html,
          text: input.text,
        },
        resolve,
        reject,
        timer: setTimeout(() => this.expire(task), this.timeoutMs),
      };
      this.queue.push(task);
      this.dispatch();
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) this.fail(task, 'the service is shutting down');
    const running = this.threads.filter((t): t is ClassifierThread => t !== null);
    this.threads.fill(null);
    for (const t of running) if (t.busy) this.fail(t.busy, 'the service is shutting down');
    await Promise.all(running.map((t) => t.worker.terminate()));
  }

  private dispatch(): void {
    for (let slot = 0; slot < this.threads.length && this.queue.length > 0; slot++) {
      let thread = this.threads[slot];
      if (thread?.busy) continue;
      thread ??= this.threads[slot] = this.start(slot);
      const task = this.queue.shift()!;
      thread.busy = task;
      try {
        thread.worker.postMessage({ id: task.id, input: task.input });
      } catch (err) {
        thread.busy = null;
        this.fail(task, (err as Error).message);
      }
    }
  }

  private start(slot: number): ClassifierThread {
    const worker = new Worker(ENTRY, { execArgv: EXEC_ARGV, resourceLimits: THREAD_HEAP_LIMITS });
    const thread: ClassifierThread = { worker, busy: null };
    // Never what keeps a process alive: a request waiting on an answer does that until the answer or its timeout.
    worker.unref();
    worker.on('message', (msg: { id: number; decision?: ClassificationDecision; error?: string }) => {
      const task = thread.busy;
      if (!task || task.id !== msg.id) return;
      thread.busy = null;
      clearTimeout(task.timer);
      if (msg.decision) task.resolve(msg.decision);
      else task.reject(new ClassificationUnavailableError(msg.error ?? 'classification failed'));
      this.dispatch();
    });
    const stopped = (reason: string) => {
      if (this.threads[slot] !== thread) return;
      this.threads[slot] = null;
      if (thread.busy) this.fail(thread.busy, reason);
      thread.busy = null;
      // The next queued message starts a fresh thread in this slot.
      if (!this.closed) this.dispatch();
    };
    worker.on('error', (err) => {
      this.log.error({ err }, 'a classification thread failed');
      stopped('its thread failed');
    });
    worker.on('exit', () => stopped('its thread stopped'));
    return thread;
  }

  private expire(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.fail(task, 'timed out');
      return;
    }
    const slot = this.threads.findIndex((t) => t?.busy === task);
    if (slot < 0) return;
    // A thread still busy after the timeout is stuck on this message: end it, and the slot starts afresh.
    const thread = this.threads[slot]!;
    this.threads[slot] = null;
    thread.busy = null;
    this.fail(task, 'timed out');
    void thread.worker.terminate();
    this.log.warn({ timeoutMs: this.timeoutMs }, 'a classification thread timed out and was restarted');
    this.dispatch();
  }

  private fail(task: Task, reason: string): void {
    clearTimeout(task.timer);
    task.reject(new ClassificationUnavailableError(reason));
  }
}

/** The one pool of classification threads, shared by every module that classifies content. */
@Module({
  providers: [{ provide: ClassificationThreads, useFactory: () => new ClassificationThreads() }],
  exports: [ClassificationThreads],
})
export class ClassificationThreadsModule {}
