/**
 * The knobs of the transactional API's delivery. The defaults suit production; tests shorten the delays on the
 * app's instance. Nothing here is read from the environment: the module builds it from AppConfig.
 */
export class MessageSettings {
  /** Base of links in mail (PUBLIC_URL). */
  publicUrl = 'http://localhost:3000';
  /**
   * How long an accepted message waits for others to share its job (at most 50 do). A few milliseconds of handoff
   * buy one job, one claim and one SENT record for a burst instead of one each: against 10 ms, 5-12% less CPU per
   * message for a few milliseconds more handoff (docs/benchmarks/messages.md).
   */
  dispatchLingerMs = 30;
  /** Message jobs one worker process runs at once (about twice SMTP_POOL_SIZE keeps every connection busy). */
  sendConcurrency = 10;
  /** SMTP 4xx answers a message may get before it is recorded as FAILED. */
  maxAttempts = 5;
  /** First delay after an SMTP 4xx; doubles with each further one. */
  retryBaseMs = 60_000;
  /** Queue retries of a job that failed on infrastructure (database, no answer from SMTP), with backoff. */
  jobAttempts = 20;
  jobBackoffMs = 1_000;
  /** How long results of mail already handed to SMTP are retried into the database through an outage. */
  recordRetryMs = 120_000;
  /** A worker's claim on a message older than this belongs to a dead worker: the message may be taken again. */
  claimLeaseMs = 120_000;
  /** A QUEUED message due for this long with no live claim has lost its job: the sweep offers a new one. */
  staleAfterMs = 30_000;
  /** Idempotency keys are kept at least 24 h (the contract); they are purged after this. */
  idempotencyRetentionMs = 48 * 3600_000;
  /** How long a brand looked up by (service provider, brandCode) is reused by the accept path. */
  brandCacheMs = 10_000;

  constructor(overrides: Partial<MessageSettings> = {}) {
    Object.assign(this, overrides);
  }
}
