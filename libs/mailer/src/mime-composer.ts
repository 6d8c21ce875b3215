import { availableParallelism } from 'os';
import { Worker } from 'worker_threads';
import type Mail from 'nodemailer/lib/mailer';

/** A message built into its final MIME form, ready for SMTP as it is. */
export interface ComposedMessage {
  raw: Buffer;
  envelope: { from: string | false; to: string[] };
  messageId: string;
}

/**
 * The thread's side. It is handed nodemailer's own path (resolved by the caller, so it works from compiled and from
 * registered TypeScript builds alike) and builds each message with nodemailer's stream transport: the same
 * `sendMail` pipeline that sends over SMTP, stopped before the network, so the bytes are the ones nodemailer alone
 * would have sent.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const nodemailer = require(workerData.nodemailerPath);
const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
parentPort.on('message', (task) => {
  transport.sendMail(task.options).then(
    (info) => parentPort.postMessage({ id: task.id, raw: info.message, envelope: info.envelope, messageId: info.messageId }),
    (err) => parentPort.postMessage({ id: task.id, error: String((err && err.message) || err) }),
  );
});
`;

/**
 * A thread holds a few messages at a time and all it allocates dies young, so small heaps suffice, and with them the
 * process's resident set grows about a third less than with V8's default sizes (docs/benchmarks/campaign-launch.md).
 * Past the old generation's limit the thread stops (its messages fail, retryable) and the next message starts another.
 */
const THREAD_HEAP_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

interface Pending {
  resolve: (m: ComposedMessage) => void;
  reject: (e: Error) => void;
}

interface ComposerThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** The composition failed in its thread, or the thread stopped with the message in it. */
export class MimeCompositionError extends Error {
  constructor(detail: string) {
    super(`message composition failed: ${detail}`);
    this.name = 'MimeCompositionError';
  }
}

/**
 * Threads that build messages (MIME structure, quoted-printable or base64 bodies, encoded headers) off the event
 * loop that speaks SMTP. Building is most of nodemailer's CPU per message; a worker sending campaigns is bound by
 * its one event loop while the machine's other cores sit mostly idle. Threads start on the first message, work
 * round-robin, and a thread that stops takes only its own messages with it (they fail, to be retried by their
 * caller) and is replaced by the next message.
 */
export class MimeComposerThreads {
  private readonly threads: (ComposerThread | null)[];
  private next = 0;
  private seq = 0;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly nodemailerPath: string = require.resolve('nodemailer'),
  ) {
    this.threads = Array.from({ length: Math.max(1, size) }, () => null);
  }

  /** One thread per core beyond the first, at most 4; none on a single core (composition stays on the event loop). */
  static defaultSize(): number {
    return Math.min(4, Math.max(0, availableParallelism() - 1));
  }

  compose(options: Mail.Options): Promise<ComposedMessage> {
    if (this.closed) return Promise.reject(new MimeCompositionError('the composer is closed'));
    const slot = this.next;
    this.next = (this.next + 1) % this.threads.length;
    const thread = (this.threads[slot] ??= this.start(slot));
    const id = ++this.seq;
    return new Promise<ComposedMessage>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      try {
        thread.worker.postMessage({ id, options });
      } catch (err) {
        // Something in the options cannot be sent to a thread: nothing was queued.
        thread.pending.delete(id);
        reject(new MimeCompositionError((err as Error).message));
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = this.threads.filter((t): t is ComposerThread => t !== null);
    this.threads.fill(null);
    await Promise.all(running.map((t) => t.worker.terminate()));
  }

  private start(slot: number): ComposerThread {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { nodemailerPath: this.nodemailerPath },
      resourceLimits: THREAD_HEAP_LIMITS,
      // Plain JavaScript: no preloads (a TypeScript loader in development) inherited from the process.
      execArgv: [],
    });
    const thread: ComposerThread = { worker, pending: new Map() };
    // Never what keeps a process alive: whoever waits on a message keeps it alive until the answer.
    worker.unref();
    worker.on(
      'message',
      (msg: {
        id: number;
        raw?: Uint8Array;
        envelope?: ComposedMessage['envelope'];
        messageId?: string;
        error?: string;
      }) => {
        const waiting = thread.pending.get(msg.id);
        if (!waiting) return;
        thread.pending.delete(msg.id);
        if (msg.error !== undefined || !msg.raw)
          waiting.reject(new MimeCompositionError(msg.error ?? 'no message came back'));
        else
          waiting.resolve({
            raw: Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength),
            envelope: msg.envelope!,
            messageId: msg.messageId!,
          });
      },
    );
    const fail = (detail: string) => {
      if (this.threads[slot] === thread) this.threads[slot] = null;
      for (const p of thread.pending.values()) p.reject(new MimeCompositionError(detail));
      thread.pending.clear();
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => fail(`the composer thread stopped (exit code ${code})`));
    return thread;
  }
}
