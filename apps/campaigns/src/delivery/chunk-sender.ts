import { Injectable, Logger, Optional } from '@nestjs/common';
import { Clock, SuppressionList } from '@izinli/consent';
import { MailTransport } from '@izinli/mailer';
import { CompiledTemplate, TemplateEngine } from '../templates/template-engine';
import { UnsubscribeTokens } from '../unsubscribe/unsubscribe-token';
import { CampaignDispatcher, SendChunkJob } from './campaign-dispatcher';
import { CampaignRateLimiter } from './campaign-rate-limiter';
import { retryThroughOutage } from '@izinli/database';
import { DeliveryLeases } from './delivery-leases';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliverySettings } from './delivery-settings';
import { CampaignSendContext, DeliveryRepository, GatedRow, RowResult } from './delivery.repository';
import { campaignMessageId, messageHeaders, sharedCampaignHeaders } from './mail-headers';
import { classifySendError } from './smtp-outcome';

/** SMTP (or the connection to it) is down: the job is retried with the queue's backoff. */
export class DeliveryUnavailableError extends Error {
  constructor(detail: string) {
    super(`mail server unavailable: ${detail}`);
    this.name = 'DeliveryUnavailableError';
  }
}

/** The worker is shutting down in the middle of a chunk: the job is retried (here after a restart, or elsewhere). */
export class WorkerStoppingError extends Error {
  constructor() {
    super('worker is stopping');
    this.name = 'WorkerStoppingError';
  }
}

interface PreparedCampaign extends CampaignSendContext {
  compiled: CompiledTemplate;
  /** The headers every message of the campaign shares (List-Id, Feedback-ID), built once. */
  sharedHeaders: Record<string, string>;
}

/** Rows claimed by this execution and re-gated: `allowed` go to SMTP, the others were recorded as BLOCKED. */
interface SubBatch {
  ids: string[];
  rows: GatedRow[];
  allowed: GatedRow[];
  /** Nothing further to claim in the chunk after this one. */
  last: boolean;
}

/** Set by the first send of an execution that found the mail server unavailable; the rest are not attempted. */
interface Halt {
  reason: string | null;
}

/** At most `size` holders at once; the others wait in arrival order. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(size: number) {
    this.free = Math.max(1, size);
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** A promise whose failure is kept as a value, so it can be awaited later without an unhandled rejection meanwhile. */
function settle<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

const CONTEXT_TTL_MS = 60_000;
const MAX_CONTEXTS = 200;

/**
 * Sends one chunk of a campaign. In sub-batches: take tokens (rate-limited campaigns), claim rows atomically,
 * re-gate them against consent and suppression in one statement, render and hand them to SMTP concurrently,
 * then record every outcome in one statement. What a crash can leave behind is at most one sub-batch per running
 * chunk in SENDING; those rows are sent again by whoever takes them over and are counted as possible duplicates.
 */
@Injectable()
export class ChunkSender {
  private readonly log = new Logger('ChunkSender');
  private readonly contexts = new Map<string, { at: number; campaign: PreparedCampaign }>();
  private stopping = false;
  private running = 0;
  private readonly sendSlots: Slots;

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly leases: DeliveryLeases,
    private readonly limiter: CampaignRateLimiter,
    private readonly dispatcher: CampaignDispatcher,
    private readonly engine: TemplateEngine,
    private readonly transport: MailTransport,
    private readonly tokens: UnsubscribeTokens,
    private readonly suppressions: SuppressionList,
    private readonly clock: Clock,
    private readonly settings: DeliverySettings,
    @Optional() private readonly metrics: DeliveryMetrics = new DeliveryMetrics(),
  ) {
    this.sendSlots = new Slots(settings.sendConcurrency);
  }

  get workerId(): string {
    return this.leases.workerId;
  }

  async send(job: SendChunkJob): Promise<void> {
    if (this.stopping) throw new WorkerStoppingError();
    this.running++;
    try {
      await this.run(job);
    } finally {
      this.running--;
    }
  }

  /**
   * Hands nothing more to SMTP and lets running chunks record what they sent; chunks still waiting on SMTP after
   * the grace period give up their leases (their sends in flight are left to the execution that takes the chunk
   * over, counted as possible duplicates), record what was answered and end. Then stops the lease heartbeat.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const sleep = () => new Promise((r) => setTimeout(r, 20));
    const deadline = Date.now() + this.settings.shutdownGraceMs;
    while (this.running > 0 && Date.now() < deadline) await sleep();
    if (this.running > 0) {
      this.log.warn(
        { worker: this.workerId, running: this.running },
        'stopping with chunks still waiting on SMTP; their leases are given up for other workers to take over',
      );
      await this.leases.giveUpAll();
      const unwound = Date.now() + 2_000;
      while (this.running > 0 && Date.now() < unwound) await sleep();
    }
    this.leases.stop();
  }

  private async run(job: SendChunkJob): Promise<void> {
    const chunk = await this.repo.loadChunk(job.campaignId, job.seq);
    // Done, or the campaign paused, cancelled or completed: resume offers the chunk again.
    if (!chunk || chunk.status === 'DONE' || chunk.campaignStatus !== 'RUNNING') return;
    const campaign = await this.prepared(job.campaignId);
    if (!campaign) return;
    const token = await this.leases.open({ campaignId: campaign.id, seq: chunk.seq });
    const lost = this.leases.lost(token);
    const halt: Halt = { reason: null };
    // A sub-batch claimed and re-gated but not yet handed to SMTP: if this execution stops now, its rows go back
    // untouched instead of being left to expire and be counted as possible duplicates.
    let next: SubBatch | null = null;
    let recording: Promise<void> = Promise.resolve();
    // Closed by this execution: the chunk's lease_token is already cleared, nothing to release.
    let closed = false;
    try {
      // Every claim is also the execution's sign of life on the chunk (heartbeat and lease token), as every record is.
      next = await this.prepareSubBatch(campaign, chunk, token);
      while (next) {
        const batch: SubBatch = next;
        next = null;
        // Rendered only when a send slot is free: a message exists just long enough to go out.
        const sending = Promise.all(
          batch.allowed.map((row) => this.sendSlots.run(() => this.handOff(campaign, row, token, lost, halt))),
        );
        // The next sub-batch is claimed and re-gated while this one is on the wire, and the outcomes of this one
        // are recorded while the next is sent: the SMTP pool never waits for the database.
        // A sub-batch that came back short or reached the end of the chunk's range was the last one: no claim that
        // would only answer nothing.
        const upcoming =
          this.stopping || batch.last ? Promise.resolve(null) : settle(this.prepareSubBatch(campaign, chunk, token));
        // A send still in flight when the lease was given up has no result: its row stays SENDING for whoever takes
        // the chunk over, who sends it again as a possible duplicate.
        const results = (await sending).filter((r): r is RowResult => r !== null);
        // One record at a time, and what was just sent is recorded even if the previous record failed: the
        // earlier error is raised only once this sub-batch is on its way into the ledger.
        const previous = await settle(recording);
        recording = this.recordSubBatch(campaign, chunk.seq, batch, results, token);
        const prepared = await upcoming;
        if (prepared && 'value' in prepared) next = prepared.value;
        if ('error' in previous) throw previous.error;
        if (prepared && 'error' in prepared) throw prepared.error;
        if (halt.reason !== null || !this.leases.holds(token)) break;
      }
      await recording;
      if (next) {
        await this.releaseUnsent(next, token);
        next = null;
      }

      if (await this.repo.closeChunkIfFinished(campaign.id, chunk.seq, chunk.firstId, chunk.lastId)) {
        closed = true;
        await this.dispatcher.afterChunkDone(campaign.id);
        return;
      }
      if (halt.reason !== null) {
        this.log.warn(
          { campaignId: campaign.id, chunk: chunk.seq, err: halt.reason },
          'mail server unavailable; the chunk is retried with backoff',
        );
        this.metrics.stalled('SMTP_UNAVAILABLE');
        await this.repo.markWaiting(campaign.id, 'SMTP_UNAVAILABLE').catch(() => undefined);
        throw new DeliveryUnavailableError(halt.reason);
      }
      if (this.stopping) throw new WorkerStoppingError();
      if (!this.leases.holds(token)) {
        // Given up for making no progress (DeliveryLeases logged and counted it): the chunk gets a new job, which
        // takes over what this one left in flight, and this one ends so that it frees its queue slot.
        await this.repo.markWaiting(campaign.id, 'NO_PROGRESS').catch(() => undefined);
        await this.dispatcher.defer(campaign.id, chunk.seq, 0);
        return;
      }
      const state = await this.repo.chunkState(campaign.id, chunk.firstId, chunk.lastId);
      if (state.due === 0 && state.nextAttemptAt) {
        await this.dispatcher.defer(campaign.id, chunk.seq, state.nextAttemptAt.getTime() - Date.now());
      }
      // Otherwise the remaining rows are in another live execution's hands, or the campaign was paused.
    } catch (err) {
      // Mail already sent is recorded before leaving; a failure there leaves its rows to expire (counted).
      await recording.catch(() => undefined);
      if (next) await this.releaseUnsent(next, token);
      throw err;
    } finally {
      if (!closed) await this.repo.releaseChunk(campaign.id, chunk.seq, token).catch(() => undefined);
      await this.leases.close(token);
    }
  }

  /**
   * Takes tokens (rate-limited campaigns), then claims and re-gates up to a sub-batch in one statement; null when
   * nothing is left to claim.
   */
  private async prepareSubBatch(
    c: PreparedCampaign,
    chunk: { seq: number; firstId: string; lastId: string },
    token: string,
  ): Promise<SubBatch | null> {
    if (!this.leases.holds(token)) return null;
    let want = this.settings.subBatchSize;
    if (c.ratePerSecond) {
      // Each answer of the bucket is a sign of life: waiting for the rate is progress, not a stall.
      want = await this.limiter.take(c.id, c.ratePerSecond, want, () => {
        this.leases.progress(token);
        return this.stopping || !this.leases.holds(token);
      });
      if (want === 0) return null;
    }
    const rows = await this.repo.claimAndGate(
      c,
      { firstId: chunk.firstId, lastId: chunk.lastId, seq: chunk.seq },
      want,
      token,
      this.clock.now(),
    );
    this.leases.progress(token);
    if (c.ratePerSecond && rows.length < want) await this.limiter.giveBack(c.id, c.ratePerSecond, want - rows.length);
    if (rows.length === 0) return null;
    // Rows are claimed in id order: fewer than asked for, or the range's last id among them, and nothing claimable
    // is left (rows that become claimable later, deferred or released by another execution, are found by chunkState).
    const last = rows.length < want || rows.some((r) => r.id === chunk.lastId);
    return { ids: rows.map((r) => r.id), rows, allowed: rows.filter((r) => r.allowed), last };
  }

  /** Mail already handed to SMTP must be recorded, or it would be sent again: hold on through a database outage. */
  private async recordSubBatch(
    c: PreparedCampaign,
    seq: number,
    batch: SubBatch,
    results: RowResult[],
    token: string,
  ): Promise<void> {
    // The same statement renews the chunk's sign of life for the watchdog.
    await retryThroughOutage(
      () => this.repo.record(results, token, this.leases.workerId, { campaignId: c.id, seq }),
      this.settings.recordRetryMs,
    );
    this.leases.progress(token);
    await this.suppressHardBounces(c, batch.rows, results);
  }

  /** Only rows still SENDING under this token go back: the blocked ones were already recorded by the re-gate. */
  private async releaseUnsent(batch: SubBatch, token: string): Promise<void> {
    await retryThroughOutage(() => this.repo.release(batch.ids, token), this.settings.recordRetryMs).catch(
      () => undefined,
    );
  }

  /**
   * One row to SMTP, fenced by the lease: nothing is handed over once the lease is given up, the worker is stopping
   * or an earlier send of the execution found the mail server unavailable (the row goes back to PENDING, no attempt
   * counted), and a send still unanswered when the lease is given up answers null.
   */
  private async handOff(
    c: PreparedCampaign,
    row: GatedRow,
    token: string,
    lost: Promise<void>,
    halt: Halt,
  ): Promise<RowResult | null> {
    if (halt.reason !== null || this.stopping || !this.leases.holds(token)) {
      return {
        id: row.id,
        status: 'PENDING',
        messageId: null,
        failure: null,
        smtpCode: null,
        error: null,
        countsAttempt: false,
        retryInMs: null,
      };
    }
    const result = await Promise.race([this.deliver(c, row), lost.then(() => null)]);
    if (result === null) return null;
    this.leases.progress(token);
    if (result.status === 'PENDING' && !result.countsAttempt) halt.reason ??= result.error ?? 'no answer';
    return result;
  }

  private async deliver(c: PreparedCampaign, row: GatedRow): Promise<RowResult> {
    const messageId = campaignMessageId(c.id, row.id, c.fromEmail);
    const bareId = messageId.slice(1, -1);
    const base = { id: row.id, messageId: null, failure: null, smtpCode: null, error: null, retryInMs: null };
    const unsubscribeUrl =
      c.kind === 'COMMERCIAL'
        ? `${this.settings.publicUrl}/u/${this.tokens.sign({ brandId: c.brandId, recipient: row.recipient, recipientType: row.recipientType, messageId: bareId })}`
        : null;
    let rendered;
    try {
      rendered = c.compiled.render({ data: row.data, email: row.recipient, brandName: c.brandName, unsubscribeUrl });
    } catch (err) {
      return {
        ...base,
        status: 'FAILED',
        failure: 'RENDER_FAILED',
        error: (err as Error).message.slice(0, 500),
        countsAttempt: true,
      };
    }
    try {
      await this.transport.send({
        from: { name: c.fromName, address: c.fromEmail },
        to: row.recipient,
        replyTo: c.replyTo ?? undefined,
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        messageId,
        headers: messageHeaders(c.kind, c.sharedHeaders, unsubscribeUrl),
      });
      return { ...base, status: 'SENT', messageId: bareId, countsAttempt: true };
    } catch (err) {
      const outcome = classifySendError(err);
      switch (outcome.kind) {
        case 'SENT':
          return { ...base, status: 'SENT', messageId: bareId, countsAttempt: true };
        case 'REJECTED':
          return {
            ...base,
            status: 'FAILED',
            failure: outcome.hardBounce ? 'HARD_BOUNCE' : 'SMTP_REJECTED',
            smtpCode: outcome.code,
            error: outcome.message,
            countsAttempt: true,
          };
        case 'DEFERRED': {
          const attempts = row.attempts + 1;
          if (attempts >= this.settings.maxRecipientAttempts) {
            return {
              ...base,
              status: 'FAILED',
              failure: 'TEMPORARY_FAILURE_LIMIT',
              smtpCode: outcome.code,
              error: outcome.message,
              countsAttempt: true,
            };
          }
          const retryInMs = Math.min(this.settings.recipientRetryBaseMs * 2 ** (attempts - 1), 6 * 3600_000);
          return {
            ...base,
            status: 'PENDING',
            smtpCode: outcome.code,
            error: outcome.message,
            countsAttempt: true,
            retryInMs,
          };
        }
        case 'UNAVAILABLE':
          return { ...base, status: 'PENDING', error: outcome.message, countsAttempt: false };
      }
    }
  }

  /** Izinli's own SMTP saw the mailbox does not exist: no tenant may mail it again (design.md "Suppression"). */
  private async suppressHardBounces(c: PreparedCampaign, rows: GatedRow[], results: RowResult[]): Promise<void> {
    const bounced = results.filter((r) => r.failure === 'HARD_BOUNCE');
    if (bounced.length === 0) return;
    const byId = new Map(rows.map((r) => [r.id, r.recipient]));
    for (const b of bounced) {
      const recipient = byId.get(b.id);
      if (!recipient) continue;
      await retryThroughOutage(
        () =>
          this.suppressions.add(
            recipient,
            null,
            'HARD_BOUNCE',
            'SMTP',
            `hard bounce ${b.smtpCode ?? ''} in campaign ${c.id}, ledger row ${b.id}`.trim(),
          ),
        this.settings.recordRetryMs,
      ).catch((err: Error) =>
        this.log.warn(
          { campaignId: c.id, ledgerId: b.id, err: err.message },
          'could not add a hard bounce to the suppression list',
        ),
      );
    }
    this.log.log({ campaignId: c.id, count: bounced.length }, 'hard bounces suppressed platform-wide');
  }

  private async prepared(campaignId: string): Promise<PreparedCampaign | undefined> {
    const hit = this.contexts.get(campaignId);
    if (hit && Date.now() - hit.at < CONTEXT_TTL_MS) return hit.campaign;
    const ctx = await this.repo.context(campaignId);
    if (!ctx) return undefined;
    const sharedHeaders = sharedCampaignHeaders({
      campaignId: ctx.id,
      kind: ctx.kind,
      brandCode: ctx.brandCode,
      fromEmail: ctx.fromEmail,
      listId: ctx.listId,
      listName: ctx.listName,
      senderId: ctx.senderId,
    });
    const campaign = { ...ctx, compiled: this.engine.compile(ctx.template), sharedHeaders };
    if (this.contexts.size >= MAX_CONTEXTS) this.contexts.delete(this.contexts.keys().next().value!);
    this.contexts.set(campaignId, { at: Date.now(), campaign });
    return campaign;
  }
}
