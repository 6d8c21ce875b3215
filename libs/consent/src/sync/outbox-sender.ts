import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { Clock } from '../clock';
import { IysClient } from '../iys/iys-client';
import { IysApiError, IysUnavailableError } from '../iys/iys-errors';
import { ClassifiedFailure, classifyIysFailure, iysErrorAction } from '../iys/retry-policy';
import { IysBrandRef, toIysConsentBody } from '../iys/iys-wire';
import { ConsentRegistry } from '../registry/consent-registry';
import { outcomeOfFailure } from './outbox-outcome';
import { BatchRow, FinishedRow, NextRow, OutboxRepository, OutboxRow, RowFinal, RowRetry } from './outbox.repository';
import { IysSyncSettings, mergeFollowUps, noFollowUps, SyncFollowUps } from './sync-settings';

export const IYS_SYNC_SETTINGS = Symbol('IYS_SYNC_SETTINGS');

/** How long after a single add found no slot the sender behaves as in a burst. */
const BURST_MEMORY_MS = 3_000;

/** What one step of the sender did: the rows it finished (for metrics) and what must happen next. */
export interface SendReport {
  followUps: SyncFollowUps;
  finished: FinishedRow[];
  /** Rows that went back to wait, with the code of their failure. */
  retried: { id: string; errorCode: string; needsOperator: boolean }[];
  /** A single add that found no request slot and joined a batch instead. */
  diverted: number;
}

function emptyReport(followUps: SyncFollowUps = noFollowUps()): SendReport {
  return { followUps, finished: [], retried: [], diverted: 0 };
}

/** A row and the İYS answer it got, on its way to being recorded. */
interface Decided {
  row: OutboxRow;
  final?: RowFinal;
  retry?: RowRetry & { needsOperator: boolean; delayMs: number };
  readIysState?: boolean;
}

/**
 * Sends the outbox to İYS (compliance.md §3.2): each movement at once with the v2 single add, which is safe to send
 * again; in order per consent key (a row waits while an earlier row of its key is unfinished) and never two of one
 * key within a second; and, when the per-second limit is taken, in batches of up to 1000 with their results polled.
 * Every row ends ACCEPTED, REJECTED or NOT_REQUIRED, and the key's current state follows it. The sender knows no
 * queue: each method answers the follow-ups its host must schedule.
 */
@Injectable()
export class IysOutboxSender {
  private readonly log = new Logger('IysOutbox');
  /** When this process last sent a movement to a batch for want of a slot: a burst is under way. */
  private lastDiversionMs = 0;

  constructor(
    private readonly repo: OutboxRepository,
    private readonly client: IysClient,
    private readonly registry: ConsentRegistry,
    private readonly clock: Clock,
    @Inject(IYS_SYNC_SETTINGS) private readonly settings: IysSyncSettings,
  ) {}

  /** Sends one row with a single add, if it is its turn; otherwise says when to offer it again. */
  async sendOne(id: string): Promise<SendReport> {
    if (!/^\d{1,18}$/.test(id)) return emptyReport();
    const now = this.nowMs();
    const token = randomUUID();
    const row = await this.repo.claimSingle(
      id,
      token,
      new Date(now),
      new Date(now + this.settings.claimTtlMs),
      this.spacingCutoff(now),
    );
    if (!row) return emptyReport(await this.offerLater(id, now));

    const early = this.finishWithoutSending(row, now);
    if (early) return this.record([early], token);
    const sentAt = new Date(this.nowMs());
    try {
      // During a burst a single add takes a free slot or none: a movement that waits for one is better off in the next
      // batch, which is on its way anyway. Otherwise it may wait a moment, so a steady stream never waits for a batch.
      const burst = sentAt.getTime() - this.lastDiversionMs < BURST_MEMORY_MS;
      const answer = await this.client.addConsent(this.refOf(row), toIysConsentBody(this.outgoing(row)), {
        priority: 'normal',
        maxWaitMs: burst ? 0 : this.settings.singleMaxWaitMs,
      });
      const answeredAt = new Date(this.nowMs());
      return this.record(
        [
          {
            row,
            final: {
              id: row.id,
              state: 'ACCEPTED',
              reason: null,
              errorCode: null,
              transactionId: answer.transactionId,
              creationDate: answer.creationDate,
              consentState: 'ACCEPTED',
              sentAt,
              answeredAt,
            },
          },
        ],
        token,
      );
    } catch (err) {
      if (err instanceof IysUnavailableError && err.reason === 'NO_SLOT') {
        // The second's requests are taken: this movement goes out with the brand's next batch instead of waiting.
        const report = emptyReport();
        this.lastDiversionMs = this.nowMs();
        if (await this.repo.divertToBatch(row.id, token)) {
          report.diverted = 1;
          report.followUps.flushes.push({ brandId: row.brand_id, delayMs: 0 });
        }
        return report;
      }
      const failure = classifyIysFailure(err);
      if (!failure) throw err;
      return this.record([this.decide(row, failure, sentAt)], token);
    }
  }

  /** Sends the brand's waiting BATCH rows (up to the batch size) as one batch add. */
  async flushBatch(brandId: string): Promise<SendReport> {
    if (!/^[0-9a-f-]{36}$/i.test(brandId)) return emptyReport();
    const now = this.nowMs();
    const leaseToken = randomUUID();
    const opened = await this.repo.openBatch(
      brandId,
      leaseToken,
      new Date(now),
      new Date(now + this.settings.claimTtlMs),
      this.spacingCutoff(now),
      this.settings.batchMaxItems,
    );
    if (!opened) return emptyReport();
    const report = await this.sendBatch(opened.batch, opened.rows, leaseToken);
    // A full batch means more may be waiting behind it.
    if (opened.rows.length >= this.settings.batchMaxItems) report.followUps.flushes.push({ brandId, delayMs: 0 });
    return report;
  }

  /**
   * One step of an open batch: sends it (again) when it never got a requestId (its sender died, or it was put back
   * after a failure), otherwise reads its results and finishes what İYS has decided.
   */
  async pollBatch(batchId: string): Promise<SendReport> {
    if (!/^\d{1,18}$/.test(batchId)) return emptyReport();
    const now = this.nowMs();
    const leaseToken = randomUUID();
    const batch = await this.repo.leaseBatch(
      batchId,
      leaseToken,
      new Date(now),
      new Date(now + this.settings.claimTtlMs),
    );
    if (!batch) return emptyReport();
    const rows = await this.repo.batchRows(batch.id);
    if (batch.state === 'SENDING') {
      this.log.debug({ batchId, rows: rows.length, sends: batch.sends }, 'sending a batch that has no requestId');
      return this.sendBatch(batch, rows, leaseToken);
    }
    if (rows.length === 0) {
      await this.repo.closeBatch(batch.id, new Date(now));
      return emptyReport();
    }
    let results;
    try {
      results = await this.client.batchResults(this.refOf(batch), batch.request_id!, {
        priority: 'normal',
        maxWaitMs: this.settings.batchMaxWaitMs,
      });
    } catch (err) {
      const failure = classifyIysFailure(err);
      if (!failure) throw err;
      const delayMs = Math.max(1_000, Math.min(this.settings.batchPollEveryMs, this.settings.backoff.maxMs));
      await this.repo.reschedulePoll(batch.id, leaseToken, new Date(now + delayMs));
      return emptyReport({
        sends: [],
        flushes: [],
        polls: [{ batchId: batch.id, delayMs, dedupe: `p${batch.polls + 1}` }],
      });
    }
    const byIndex = new Map(results.map((r) => [r.index, r]));
    const decided: Decided[] = [];
    let waiting = 0;
    const answeredAt = new Date(this.nowMs());
    for (const row of rows) {
      const item = byIndex.get(row.batch_index!);
      if (!item || item.status === 'enqueue') {
        waiting++;
        continue;
      }
      if (item.status === 'success') {
        decided.push({
          row,
          final: {
            id: row.id,
            state: 'ACCEPTED',
            reason: null,
            errorCode: null,
            transactionId: item.transactionId!,
            creationDate: item.creationDate!,
            consentState: 'ACCEPTED',
            sentAt: answeredAt,
            answeredAt,
          },
        });
      } else {
        const code = item.errorCode ?? 'UNKNOWN';
        // Batch items carry only a code; its HTTP status is the one a single add would have had.
        decided.push(
          this.decide(
            row,
            {
              action: iysErrorAction(code, /^H(1[01]\d|179|192|412|47[06])$/.test(code) ? 500 : 400),
              code,
              retryAt: null,
            },
            answeredAt,
            answeredAt,
          ),
        );
      }
    }
    const report = await this.record(decided, `batch:${batch.id}`);
    if (waiting > 0) {
      if (results.length === 0 && batch.polls + 1 >= this.settings.batchMaxPolls) {
        // İYS keeps results 60 days; a batch that never shows any was lost on its side. The v2 batch links an
        // identical, already stored movement to its first request, so sending again cannot register it twice.
        this.log.warn({ batchId, polls: batch.polls + 1 }, 'batch results never appeared; sending the batch again');
        await this.repo.markBatchForResend(batch.id, leaseToken, new Date(now));
        report.followUps.polls.push({ batchId: batch.id, delayMs: 0, dedupe: `r${batch.sends}` });
      } else {
        await this.repo.reschedulePoll(batch.id, leaseToken, new Date(now + this.settings.batchPollEveryMs));
        report.followUps.polls.push({
          batchId: batch.id,
          delayMs: this.settings.batchPollEveryMs,
          dedupe: `p${batch.polls + 1}`,
        });
      }
    } else {
      await this.repo.closeBatch(batch.id, new Date(this.nowMs()));
    }
    return report;
  }

  /**
   * What the sweeper offers again: due rows whose job was lost (a Redis flush, a killed worker), imported rows
   * (they go in batches), and open batches whose holder is gone or whose poll is due.
   */
  async sweep(limit = 2000): Promise<SyncFollowUps> {
    const now = this.nowMs();
    const { rows, batches } = await this.repo.dueWork(new Date(now), limit);
    const epoch = Math.floor(now / 10_000);
    const followUps = noFollowUps();
    const brands = new Set<string>();
    for (const r of rows) {
      if (r.mode === 'BATCH') brands.add(r.brand_id);
      else followUps.sends.push({ id: r.id, delayMs: 0, dedupe: `a${r.attempts}:s${epoch}` });
    }
    for (const brandId of brands) followUps.flushes.push({ brandId, delayMs: 0 });
    for (const b of batches) followUps.polls.push({ batchId: b.id, delayMs: 0, dedupe: `s${epoch}` });
    return followUps;
  }

  private async sendBatch(batch: BatchRow, rows: OutboxRow[], leaseToken: string): Promise<SendReport> {
    const token = `batch:${batch.id}`;
    const now = this.nowMs();
    const early: Decided[] = [];
    const toSend: OutboxRow[] = [];
    for (const row of rows) {
      const done = this.finishWithoutSending(row, now);
      if (done) early.push(done);
      else toSend.push(row);
    }
    const report = await this.record(early, token);
    if (toSend.length === 0) {
      await this.repo.closeBatch(batch.id, new Date(now));
      return report;
    }
    // İYS answers by position in the list sent; the positions are stored before the list leaves.
    await this.repo.renumberBatch(
      batch.id,
      toSend.map((r) => r.id),
    );
    toSend.forEach((r, i) => (r.batch_index = i));
    const sentAt = new Date(this.nowMs());
    try {
      const { requestId } = await this.client.addConsentBatch(
        this.refOf(batch),
        toSend.map((r) => toIysConsentBody(this.outgoing(r))),
        { priority: 'urgent', maxWaitMs: this.settings.batchMaxWaitMs },
      );
      const firstPoll = this.settings.batchFirstPollMs;
      await this.repo.markBatchSent(batch.id, leaseToken, requestId, sentAt, new Date(this.nowMs() + firstPoll));
      this.log.debug({ batchId: batch.id, items: toSend.length }, 'batch sent');
      report.followUps.polls.push({ batchId: batch.id, delayMs: firstPoll, dedupe: `p0s${batch.sends + 1}` });
      return report;
    } catch (err) {
      const failure = classifyIysFailure(err);
      if (!failure) throw err;
      if (err instanceof IysUnavailableError && err.reason === 'NO_SLOT') {
        await this.repo.markBatchForResend(batch.id, leaseToken, new Date(this.nowMs() + this.settings.batchGatherMs));
        report.followUps.polls.push({
          batchId: batch.id,
          delayMs: this.settings.batchGatherMs,
          dedupe: `n${this.nowMs()}`,
        });
        return report;
      }
      const indexed =
        err instanceof IysApiError ? err.errors.filter((e) => typeof e.index === 'number' && toSend[e.index!]) : [];
      if (indexed.length > 0) {
        // A list refused as a whole for some items' schema: those items end with their code; the rest go again.
        const refused = new Map(indexed.map((e) => [e.index!, e.code]));
        const decided = toSend.flatMap((r, i) =>
          refused.has(i)
            ? [
                this.decide(
                  r,
                  { action: iysErrorAction(refused.get(i)!, 422), code: refused.get(i)!, retryAt: null },
                  sentAt,
                ),
              ]
            : [],
        );
        const more = await this.record(decided, token);
        await this.repo.markBatchForResend(batch.id, leaseToken, new Date(this.nowMs()));
        more.followUps.polls.push({ batchId: batch.id, delayMs: 0, dedupe: `x${batch.sends}` });
        return this.merge(report, more);
      }
      // The request failed as a whole (İYS down, 429, 5xx): every row waits for another try, then a new batch.
      // A whole-list refusal that names no item (a malformed request) is a fault of ours, not of the movements:
      // they wait, slowly retried and logged, rather than being rejected together.
      const transient = ['RETRY', 'RATE_LIMITED', 'REFRESH_TOKEN', 'TOKEN_LIMIT', 'NEEDS_OPERATOR'].includes(
        failure.action,
      );
      const decided = toSend.map((r) =>
        this.decide(r, transient ? failure : { ...failure, action: 'NEEDS_OPERATOR' }, sentAt),
      );
      const more = await this.record(decided, token);
      await this.repo.closeBatch(batch.id, new Date(this.nowMs()));
      this.log.warn(
        { batchId: batch.id, items: toSend.length, code: failure.code },
        'batch add failed; its movements will be sent again',
      );
      return this.merge(report, more);
    }
  }

  /** Rows that must not go to İYS at all: İYS already holds a later movement, or the deadline has passed. */
  private finishWithoutSending(row: OutboxRow, now: number): Decided | undefined {
    const base = { id: row.id, transactionId: null, creationDate: null, sentAt: null, answeredAt: null };
    if (row.superseded) {
      return {
        row,
        final: { ...base, state: 'NOT_REQUIRED', reason: 'STALE', errorCode: null, consentState: 'NOT_REQUIRED' },
      };
    }
    if (row.deadline && new Date(row.deadline).getTime() < now) {
      // İYS would answer H467; asking anyway would only lower the success ratio İYS watches (iys-api.md §8).
      return {
        row,
        final: { ...base, state: 'REJECTED', reason: 'DEADLINE_MISSED', errorCode: 'H467', consentState: 'REJECTED' },
      };
    }
    return undefined;
  }

  private decide(
    row: OutboxRow,
    failure: ClassifiedFailure,
    sentAt: Date,
    answeredAt: Date = new Date(this.nowMs()),
  ): Decided {
    const attempt = row.attempts + 1;
    const outcome = outcomeOfFailure(row.status, failure, attempt, this.nowMs(), this.settings.backoff);
    if (outcome.kind === 'RETRY') {
      return {
        row,
        retry: {
          id: row.id,
          nextAttemptAt: new Date(this.nowMs() + outcome.delayMs),
          errorCode: outcome.errorCode,
          sentAt,
          needsOperator: outcome.needsOperator,
          delayMs: outcome.delayMs,
        },
      };
    }
    return {
      row,
      readIysState: outcome.readIysState,
      final: {
        id: row.id,
        state: outcome.state,
        reason: outcome.reason,
        errorCode: outcome.errorCode,
        transactionId: null,
        creationDate: null,
        consentState: outcome.consentState,
        sentAt,
        answeredAt,
      },
    };
  }

  /** Stores decisions, reads İYS's state where ours was stale, and lines up each key's next row. */
  private async record(decided: Decided[], token: string): Promise<SendReport> {
    const report = emptyReport();
    if (decided.length === 0) return report;
    for (const d of decided.filter((x) => x.readIysState)) await this.readIysState(d.row);
    const finals = decided.flatMap((d) => (d.final ? [d.final] : []));
    const retries = decided.flatMap((d) => (d.retry ? [d.retry] : []));
    const now = this.nowMs();
    report.finished = await this.repo.finalize(finals, token, new Date(now));
    const retried = await this.repo.retry(retries, token);
    const retryById = new Map(retries.map((r) => [r.id, r]));
    for (const r of retried) {
      const info = retryById.get(r.id)!;
      report.retried.push({ id: r.id, errorCode: info.errorCode, needsOperator: info.needsOperator });
      if (info.needsOperator)
        this.log.error(
          { outboxId: r.id, code: info.errorCode },
          'İYS refuses the account (authorisation, subscription or quota): the movement waits for an operator',
        );
      if (r.mode === 'BATCH') report.followUps.flushes.push({ brandId: r.brand_id, delayMs: info.delayMs });
      else report.followUps.sends.push({ id: r.id, delayMs: info.delayMs, dedupe: `a${r.attempts}` });
    }
    // Rows that another step finished meanwhile (a pulled copy of our own movement) still free their key.
    const ended = [
      ...report.finished.map((f) => f.id),
      ...finals.filter((f) => !report.finished.some((x) => x.id === f.id)).map((f) => f.id),
    ];
    report.followUps = mergeFollowUps(report.followUps, this.chain(await this.repo.nextOfKeys(ended)));
    for (const f of report.finished) {
      if (f.state === 'REJECTED')
        this.log.warn({ outboxId: f.id, brandId: f.brand_id }, 'İYS did not register a movement');
    }
    return report;
  }

  /** The next row of a key goes once the spacing after the previous answer has passed. */
  private chain(next: NextRow[]): SyncFollowUps {
    const followUps = noFollowUps();
    const delayMs = this.settings.keySpacingMs;
    const brands = new Set<string>();
    for (const n of next) {
      if (n.mode === 'BATCH') brands.add(n.brand_id);
      else followUps.sends.push({ id: n.id, delayMs, dedupe: `a${n.attempts}` });
    }
    for (const brandId of brands) followUps.flushes.push({ brandId, delayMs });
    return followUps;
  }

  /** After H178: İYS's current movement for the key, applied like a pulled one. Best effort: pull brings it anyway. */
  private async readIysState(row: OutboxRow): Promise<void> {
    try {
      const current = await this.client.consentStatus(
        this.refOf(row),
        { recipient: row.recipient, recipientType: row.recipient_type, type: row.type },
        { priority: 'background', maxWaitMs: 5_000 },
      );
      if (current) await this.registry.applyIysMovements({ id: row.brand_id }, [current], 'IYS_PULL');
    } catch (err) {
      this.log.warn(
        { outboxId: row.id, err: (err as Error).message },
        'could not read İYS state after H178; the next pull will bring it',
      );
    }
  }

  /** When a row that could not be claimed should be offered again; nothing when its turn will come by itself. */
  private async offerLater(id: string, now: number): Promise<SyncFollowUps> {
    const followUps = noFollowUps();
    const why = await this.repo.whyNotClaimed(id, new Date(now), this.spacingCutoff(now));
    if (!why || why.state !== 'PENDING' || why.claimed || why.blocked_by_earlier) return followUps;
    if (why.mode === 'BATCH') {
      if (!why.batch_id) followUps.flushes.push({ brandId: why.brand_id, delayMs: 0 });
      return followUps;
    }
    let dueMs = now;
    if (why.not_before) dueMs = Math.max(dueMs, new Date(why.not_before).getTime());
    if (why.key_sent_at) dueMs = Math.max(dueMs, new Date(why.key_sent_at).getTime() + this.settings.keySpacingMs);
    const delayMs = Math.max(dueMs - now, 50);
    followUps.sends.push({ id, delayMs, dedupe: `a${why.attempts}:w${now + delayMs}` });
    return followUps;
  }

  private merge(a: SendReport, b: SendReport): SendReport {
    return {
      followUps: mergeFollowUps(a.followUps, b.followUps),
      finished: [...a.finished, ...b.finished],
      retried: [...a.retried, ...b.retried],
      diverted: a.diverted + b.diverted,
    };
  }

  private outgoing(row: OutboxRow) {
    return {
      recipient: row.recipient,
      type: row.type,
      status: row.status,
      source: row.source,
      // A merchant's first record may go without consentDate and source, exactly as it was recorded (H462/H463 are
      // checked before it is stored); toIysConsentBody leaves absent fields out.
      consentDate: row.consent_date === null ? null : new Date(row.consent_date),
      recipientType: row.recipient_type,
    };
  }

  private refOf(r: { iys_code: string; brand_code: string }): IysBrandRef {
    return { iysCode: r.iys_code, brandCode: r.brand_code };
  }

  private spacingCutoff(now: number): Date {
    return new Date(now - this.settings.keySpacingMs);
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}
