/**
 * The knobs of campaign delivery. The defaults suit production; integration tests construct their own with
 * shorter delays. Nothing here is read from the environment: the composition root builds it from AppConfig.
 */
export class DeliverySettings {
  /** Base of links in mail (PUBLIC_URL). */
  publicUrl = 'http://localhost:3000';
  /** Eligible ledger rows per chunk, the unit of a queue job. */
  chunkSize = 250;
  /** Rows claimed, re-gated and sent together inside a chunk; also the most a crash can leave in flight per job. */
  subBatchSize = 50;
  /** Chunk jobs one worker process runs at once. */
  chunkConcurrency = 4;
  /**
   * Messages one worker process renders and hands to SMTP at once, across all its chunks. A pooled connection sends
   * one message at a time, so twice SMTP_POOL_SIZE keeps every connection busy; anything more would only wait in
   * the mailer's queue, rendered, long enough to be promoted to the old heap generation and inflate the process.
   */
  sendConcurrency = 10;
  /** Most chunk jobs of one campaign in the queue at once; a rate-limited campaign gets fewer (see windowFor). */
  maxWindow = 32;
  /** A running chunk execution renews its lease this often… */
  heartbeatMs = 2_000;
  /** …and is presumed dead (its SENDING rows in flight at a crash) when the lease is older than this. */
  leaseTtlMs = 10_000;
  /** How often each worker looks for lost jobs, dead executions and due scheduled campaigns. */
  watchdogMs = 5_000;
  /** A queued chunk with no sign of life for this long gets a fresh job (a job lost in a way re-adding cannot fix). */
  orphanAfterMs = 120_000;
  /** SMTP 4xx answers a recipient may get before the row is recorded as FAILED. */
  maxRecipientAttempts = 5;
  /** First delay after an SMTP 4xx; doubles with each further one. */
  recipientRetryBaseMs = 60_000;
  /** Queue retries of a chunk job that failed on infrastructure (database, SMTP connection), with backoff. */
  jobAttempts = 50;
  jobBackoffMs = 1_000;
  /** How long results of mail already handed to SMTP are retried into the database before the job gives up. */
  recordRetryMs = 120_000;
  /**
   * A chunk execution that makes no progress for this long (no message handed to SMTP and answered, no rows claimed
   * or recorded, no rate-limit token waited for) stops renewing its lease and gives it up, so the watchdog hands the
   * chunk to another execution: a hang anywhere cannot hold a chunk, or a worker's queue slot, for good. Three SMTP
   * send deadlines (SMTP_SEND_TIMEOUT_MS, 60 s by default) by default: a live execution's sends always settle
   * within one, and a message may wait for a send slot behind one more.
   */
  stallAfterMs = 180_000;
  /**
   * How long a closing worker waits for its running chunks to finish and record their results. Past it, the sends
   * still in flight are given up (their rows are taken over by another worker, counted as possible duplicates) and
   * the chunks handed back, within the 10 s a worker has to stop.
   */
  shutdownGraceMs = 5_000;

  constructor(overrides: Partial<DeliverySettings> = {}) {
    Object.assign(this, overrides);
  }

  /**
   * Chunks of one campaign allowed in the queue at once: enough to keep every worker busy, but a slow
   * (rate-limited) campaign holds only about two seconds of sending, so it never fills the workers' slots while
   * it waits for its tokens.
   */
  windowFor(ratePerSecond: number | null): number {
    if (!ratePerSecond) return this.maxWindow;
    return Math.min(this.maxWindow, Math.max(2, Math.ceil((2 * ratePerSecond) / this.chunkSize)));
  }
}
