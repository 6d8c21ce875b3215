/**
 * The queue catalogue. These strings are keys in Redis shared by every running process:
 * never rename a value, only add new ones.
 */
export enum QueueName {
  MAINTENANCE = 'maintenance',
  CONSENT_IMPORTS = 'consent-imports',
  /** Campaign starts (scheduled with sendAt). */
  CAMPAIGNS = 'campaigns',
  /** Chunks of campaign recipients on their way to SMTP. */
  CAMPAIGN_DELIVERY = 'campaign-delivery',
  /** Outgoing İYS movements, one single add per job. */
  IYS_OUTBOX = 'iys-outbox',
  /** Batch adds and their result polls: never queued behind a burst of single adds. */
  IYS_BATCHES = 'iys-batches',
  /** İYS's change feed (pull) and the daily reconciliation. */
  IYS_FEED = 'iys-feed',
  /** Signed consent-change webhooks to brands' own endpoints. */
  WEBHOOKS = 'webhooks',
  /** Transactional API messages on their way to SMTP: the messages accepted together share a job (up to 50). */
  MESSAGES = 'messages',
}

/** Job names per queue; the same rule holds: never rename a value. */
export enum MaintenanceJob {
  SWEEP = 'sweep',
}

export enum ConsentImportJob {
  /** Processes (or resumes) one uploaded CSV import; payload `{ importId }`, job id `import:<importId>`. */
  PROCESS = 'process',
}

export enum CampaignJob {
  /** Starts a SCHEDULED campaign at its sendAt; payload `{ campaignId }`, job id `start:<campaignId>:<sendAt ms>`. */
  START = 'start-campaign',
}

export enum CampaignDeliveryJob {
  /** Sends one chunk of a campaign; payload `{ campaignId, seq, generation }`, job id `chunk:<campaignId>:<seq>:<generation>`. */
  SEND_CHUNK = 'send-chunk',
}

export enum IysOutboxJob {
  /** Sends one outbox row with a single add; payload `{ outboxId }`, job id `iys-send:<outboxId>:<step>`. */
  SEND = 'send',
}

export enum IysBatchJob {
  /** Sends a brand's waiting batch-mode rows as one batch add; payload `{ brandId }`, job id `iys-flush:<brandId>:<slot>`. */
  FLUSH_BATCH = 'flush-batch',
  /** Reads (or re-sends) one open batch; payload `{ batchId }`, job id `iys-poll:<batchId>:<step>`. */
  POLL_BATCH = 'poll-batch',
}

export enum IysFeedJob {
  /** Repeating: offers a pull of every synced brand and source. */
  PULL_ALL = 'pull-all',
  /** Pulls one brand's change feed; payload `{ brandId, source }`, job id `iys-pull:<brandId>:<source>:<slot>`. */
  PULL_BRAND = 'pull-brand',
  /** Repeating (hourly): reconciles yesterday for every synced brand not yet reconciled. */
  RECONCILE = 'reconcile',
}

export enum WebhookJob {
  /** Turns committed movements into deliveries; payload `{ movementIds }`. */
  FANOUT = 'fanout',
  /** Delivers one webhook; payload `{ deliveryId }`, job id `webhook:<deliveryId>:<attempt>`. */
  DELIVER = 'deliver',
}

export enum MessageJob {
  /**
   * Sends messages; payload `{ messageIds }` (up to 50 accepted together, or one retried), job id
   * `msg:<messageId>:<attempts>:<dispatch>` for one and `msgs:<hash of those>` for several. `{ messageId }` from
   * earlier versions is still understood.
   */
  SEND = 'send-message',
}

export const ALL_QUEUES: readonly string[] = Object.values(QueueName);

/** How often the sweeps run after the one at start. */
export const SWEEP_INTERVAL_MS = 30_000;
