import { BackoffSettings, DEFAULT_BACKOFF } from '../iys/retry-policy';

/** The sync engine's timing. The defaults suit the real İYS; a host talking to the simulator shortens the batch polls. */
export interface IysSyncSettings {
  /** How long a sender owns a row it is sending; a crashed sender's rows come back after this. */
  claimTtlMs: number;
  /**
   * Minimum time between the answer to one movement of a consent key and the sending of the next one. İYS gives
   * two movements of one key created in the same second the same transactionId (iys-api.md §7 rule 19).
   */
  keySpacingMs: number;
  /** How long a single add waits for a request slot before its movement joins the next batch instead. */
  singleMaxWaitMs: number;
  /**
   * The gathering window of batches: movements that join a brand's batch within one window leave together at its
   * end. The movements of a burst arrive together, and every batch costs two requests (the add and its poll) of the
   * ten a second.
   */
  batchGatherMs: number;
  /** Largest batch (İYS: 1000, H091/H125). */
  batchMaxItems: number;
  /** How long a batch sender waits for a request slot before trying again later. */
  batchMaxWaitMs: number;
  /** First look at a batch's results after sending it (İYS asks for at least 300 s). */
  batchFirstPollMs: number;
  /** Between two looks at a batch that is not finished. */
  batchPollEveryMs: number;
  /** A batch still unanswered after this many polls is sent again (the v2 add links an identical item to the first). */
  batchMaxPolls: number;
  /** Page size of the change feed (İYS: at most 1000). */
  pullPageSize: number;
  /** Pages read per brand and source in one run; the next run goes on from the stored cursor. */
  pullMaxPages: number;
  /** How long one puller owns a brand's cursor. */
  pullLeaseMs: number;
  /** A PENDING row is "at risk" when this many business days or fewer remain before its deadline. */
  atRiskBusinessDays: number;
  backoff: BackoffSettings;
}

export const DEFAULT_SYNC_SETTINGS: IysSyncSettings = {
  claimTtlMs: 30_000,
  keySpacingMs: 1_100,
  singleMaxWaitMs: 120,
  batchGatherMs: 400,
  batchMaxItems: 1000,
  batchMaxWaitMs: 5_000,
  batchFirstPollMs: 300_000,
  batchPollEveryMs: 60_000,
  batchMaxPolls: 30,
  pullPageSize: 1000,
  pullMaxPages: 50,
  pullLeaseMs: 120_000,
  atRiskBusinessDays: 1,
  backoff: DEFAULT_BACKOFF,
};

/**
 * What the engine asks its host to schedule next; the host turns these into queue jobs. `dedupe` tells offers of
 * the same step apart from offers of a later one (a retry after a failure is a new step), so a host whose queue
 * drops a job id it already holds keeps one job per step, and never drops the next step while the current job runs.
 */
export interface SyncFollowUps {
  sends: { id: string; delayMs: number; dedupe: string }[];
  /** Flush the brand's batch rows no earlier than `delayMs` from now, at the end of a gathering window. */
  flushes: { brandId: string; delayMs: number }[];
  polls: { batchId: string; delayMs: number; dedupe: string }[];
}

export function noFollowUps(): SyncFollowUps {
  return { sends: [], flushes: [], polls: [] };
}

export function mergeFollowUps(...all: SyncFollowUps[]): SyncFollowUps {
  return {
    sends: all.flatMap((f) => f.sends),
    flushes: all.flatMap((f) => f.flushes),
    polls: all.flatMap((f) => f.polls),
  };
}
