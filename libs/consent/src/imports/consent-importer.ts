import { Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BusinessCalendar } from '../calendar';
import { Clock } from '../clock';
import type { ConsentBrand } from '../registry/consent.types';
import { validateMovement } from '../registry/movement-rules';
import { OutboxListener } from '../sync/outbox-listener';
import { ImportHeader, isBlankRow, readCsvRecords, readImportHeader, rowToMovementInput } from './import-csv';
import { consentKeyOf, KeyState, planImportBatch, ValidImportRow } from './import-plan';
import { BatchKey, ImportRepository, ImportRow, StoredBatch } from './import.repository';
import {
  IMPORT_DEFAULTS,
  ImportErrorPage,
  ImportProcessOptions,
  ImportRejectedError,
  ImportRowError,
  ImportRunResult,
  ImportSummary,
  ImportUploadOptions,
} from './import.types';

/** Rows read but not yet written: the unit of one transaction. */
interface PendingBatch {
  rows: ValidImportRow[];
  errors: ImportRowError[];
  /** Last physical line of the batch's last row: what `lines_done` becomes when it commits. */
  lastLine: number;
}

/** Another run moved the import on (a queue redelivered the job while the first run was alive). */
class ImportTakenOverError extends Error {}

/** An import ended on its own terms (bad header, unreadable CSV): recorded as FAILED, never retried. */
class ImportFailure extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_MESSAGE = 500;

/**
 * Streamed CSV imports of consent movements (design.md §3).
 *
 * `receive` stores the body as ~1 MiB chunk rows while it arrives and refuses a bad header before anything is
 * kept; the host then queues `process`, which streams the chunks through csv-parse, validates every row with
 * the same rules as the API (`validateMovement`), and writes batches set-wise, one transaction each, with the
 * progress. A crash loses at most the batches in flight: the next run re-reads the file and skips every line up
 * to `lines_done`.
 */
@Injectable()
export class ConsentImporter {
  private readonly log = new Logger('ConsentImporter');

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ImportRepository,
    private readonly calendar: BusinessCalendar,
    private readonly clock: Clock,
    @Optional() private readonly listener?: OutboxListener,
  ) {}

  /**
   * Stores an upload and answers its id, status QUEUED. The header line is checked as soon as it has arrived, so
   * a wrong file is refused (`ImportRejectedError`) before a single chunk is written; a body over the limit is
   * refused as soon as it passes it, and what was stored of it is removed.
   */
  async receive(
    brand: ConsentBrand,
    body: AsyncIterable<Uint8Array | string>,
    options: ImportUploadOptions,
  ): Promise<string> {
    const maxBytes = options.maxBytes ?? IMPORT_DEFAULTS.maxBytes;
    const chunkBytes = options.chunkBytes ?? IMPORT_DEFAULTS.chunkBytes;
    let imp: ImportRow | undefined;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let received = 0;
    let seq = 0;
    const writeFullChunks = async (final: boolean) => {
      if (pendingBytes < chunkBytes && !(final && pendingBytes > 0)) return;
      let all = Buffer.concat(pending, pendingBytes);
      while (all.length >= chunkBytes || (final && all.length > 0)) {
        const piece = all.subarray(0, Math.min(chunkBytes, all.length));
        await this.repo.appendChunk(this.ds, imp!.id, seq++, piece);
        all = all.subarray(piece.length);
      }
      pending = all.length ? [Buffer.from(all)] : [];
      pendingBytes = all.length;
    };
    try {
      for await (const part of body) {
        const buf =
          typeof part === 'string'
            ? Buffer.from(part, 'utf8')
            : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
        received += buf.length;
        if (received > maxBytes)
          throw new ImportRejectedError('PAYLOAD_TOO_LARGE', `The file is larger than ${maxBytes} bytes.`);
        pending.push(buf);
        pendingBytes += buf.length;
        if (!imp) {
          if (buf.indexOf(10) < 0 && pendingBytes <= IMPORT_DEFAULTS.maxHeaderBytes) continue;
          await this.checkHeader(Buffer.concat(pending, pendingBytes));
          imp = await this.repo.create(this.ds, brand, options.recordedBy, this.clock.now());
        }
        await writeFullChunks(false);
      }
      if (!imp) {
        await this.checkHeader(Buffer.concat(pending, pendingBytes));
        imp = await this.repo.create(this.ds, brand, options.recordedBy, this.clock.now());
      }
      await writeFullChunks(true);
      await this.repo.markQueued(this.ds, imp.id, seq);
    } catch (err) {
      if (imp) await this.repo.discard(this.ds, imp.id).catch(() => undefined);
      throw err;
    }
    this.log.log({ importId: imp.id, brandId: brand.id, bytes: received, chunks: seq }, 'import received');
    return imp.id;
  }

  /**
   * Processes an import, or resumes it from its last committed batch. Safe to call any number of times and from
   * any number of workers: a final or unknown import is left alone, and of two runs on one import only one can
   * commit each batch. Infrastructure errors propagate so the caller's queue retries; a file that cannot be
   * imported ends FAILED with its reason.
   */
  async process(importId: string, options: ImportProcessOptions = {}): Promise<ImportRunResult> {
    if (!UUID.test(importId)) return { status: null, ran: false };
    const found = await this.repo.find(this.ds, importId);
    if (!found || found.status === 'RECEIVING' || found.status === 'COMPLETED' || found.status === 'FAILED') {
      return { status: found?.status ?? null, ran: false };
    }
    const imp = await this.repo.startProcessing(this.ds, importId);
    if (!imp) return { status: (await this.repo.find(this.ds, importId))?.status ?? null, ran: false };
    const resumed = imp.lines_done > 0;
    this.log.log(
      { importId, resumedAfterLine: resumed ? imp.lines_done : undefined },
      resumed ? 'import resumed' : 'import started',
    );
    try {
      await this.run(imp, options);
    } catch (err) {
      if (err instanceof ImportTakenOverError) {
        this.log.warn({ importId }, 'import is being processed by another run; this one stops');
        return { status: 'PROCESSING', ran: false };
      }
      if (err instanceof ImportFailure) {
        await this.repo.finish(this.ds, importId, 'FAILED', err.message);
        this.log.warn({ importId, failure: err.message }, 'import failed');
        return { status: 'FAILED', ran: true };
      }
      throw err;
    }
    await this.repo.finish(this.ds, importId, 'COMPLETED', null);
    const done = await this.repo.find(this.ds, importId);
    this.log.log(
      { importId, total: done?.total, accepted: done?.accepted, rejected: done?.rejected },
      'import completed',
    );
    return { status: 'COMPLETED', ran: true };
  }

  /** The import as its owner sees it; undefined when it does not exist or belongs to another tenant. */
  async summary(importId: string, tenantId: string, page: ImportErrorPage = {}): Promise<ImportSummary | undefined> {
    if (!UUID.test(importId) || !UUID.test(tenantId)) return undefined;
    const imp = await this.repo.findOwned(this.ds, importId, tenantId);
    if (!imp) return undefined;
    const limit = Math.min(Math.max(Math.trunc(page.limit ?? 100), 1), 1000);
    const errors = await this.repo.errorsPage(this.ds, importId, page.afterLine ?? 0, limit + 1);
    const more = errors.length > limit;
    if (more) errors.length = limit;
    const iys = await this.repo.iysCounts(this.ds, importId);
    return {
      id: imp.id,
      brandCode: imp.brand_code,
      status: imp.status,
      total: imp.total,
      accepted: imp.accepted,
      rejected: imp.rejected,
      firstRefusals: imp.first_refusals,
      errors,
      nextAfterLine: more ? errors[errors.length - 1].line : null,
      iys: {
        pending: iys.PENDING ?? 0,
        accepted: iys.ACCEPTED ?? 0,
        rejected: iys.REJECTED ?? 0,
        notRequired: iys.NOT_REQUIRED ?? 0,
      },
      failure: imp.failure,
      createdAt: new Date(imp.created_at),
      finishedAt: imp.finished_at ? new Date(imp.finished_at) : null,
    };
  }

  /**
   * Ids of the imports whose processing is due (QUEUED, or PROCESSING by a worker that may have died), for the
   * host's sweeper. Uploads left RECEIVING longer than `abandonedAfterMs` belonged to a process that died
   * mid-upload; their client never got an id, so they are removed.
   */
  async unfinished(abandonedAfterMs = 6 * 3600_000): Promise<string[]> {
    const removed = await this.repo.discardAbandoned(this.ds, new Date(this.clock.now().getTime() - abandonedAfterMs));
    if (removed > 0) this.log.warn({ removed }, 'removed abandoned uploads');
    return (await this.repo.unfinishedIds(this.ds)).map((r) => r.id);
  }

  private async checkHeader(firstBytes: Buffer): Promise<void> {
    const newline = firstBytes.indexOf(10);
    if (newline < 0 && firstBytes.length > IMPORT_DEFAULTS.maxHeaderBytes) {
      throw new ImportRejectedError(
        'INVALID_CSV_HEADER',
        `The first line is longer than ${IMPORT_DEFAULTS.maxHeaderBytes} bytes; it must be the header.`,
      );
    }
    const line = newline < 0 ? firstBytes : firstBytes.subarray(0, newline + 1);
    let first: string[] | undefined;
    for await (const items of readCsvRecords(oneChunk(line), IMPORT_DEFAULTS.maxRecordChars)) {
      const record = items.find((i) => i.kind === 'record');
      if (record && record.kind === 'record') first = record.fields;
      break;
    }
    if (!first || isBlankRow(first))
      throw new ImportRejectedError(
        'INVALID_CSV_HEADER',
        'The file is empty or its first line is blank; it must start with the header line.',
      );
    const header = readImportHeader(first);
    if (!header.ok) throw new ImportRejectedError('INVALID_CSV_HEADER', header.message);
  }

  private async run(imp: ImportRow, options: ImportProcessOptions): Promise<void> {
    const batchSize = options.batchSize ?? IMPORT_DEFAULTS.batchSize;
    const writers = Math.max(1, options.writers ?? IMPORT_DEFAULTS.writers);
    const uploadedAt = new Date(imp.created_at);
    let header: ImportHeader | undefined;
    let linesDone = imp.lines_done;
    let batch = newBatch();
    let now = this.clock.now();
    let committed = 0;
    // Work overlaps on three fronts: node reads and validates the next batch while up to `writers` batches are
    // being written, each in its own transaction on its own connection, and the stored state of the next batch's
    // keys is read meanwhile. A batch's plan must see the outcome of every batch before it, so:
    // - a batch sharing a key with one still being written waits for it;
    // - the state read cannot see batches still being written, so their outcomes are laid over it;
    // - each transaction, its rows written, waits for the previous batch to commit before it moves `lines_done`
    //   on from the value that batch left, so batches commit in file order and a crash always leaves a prefix
    //   of the file committed.
    const flights: Flight[] = [];
    const settleOldest = async () => {
      await flights[0].done;
      flights.shift();
    };
    const submit = async () => {
      if (batch.rows.length === 0 && batch.errors.length === 0) return;
      const b = batch;
      batch = newBatch();
      now = this.clock.now();
      const keys = batchKeys(b.rows);
      const unseen = [...flights];
      const prefetch = keys.size
        ? this.repo.currentStates(this.ds, imp.brand_id, [...keys.values()])
        : Promise.resolve(new Map<string, KeyState>());
      prefetch.catch(() => undefined);
      while (flights.length >= writers || flights.some((f) => sharesKey(f.keys, keys))) await settleOldest();
      const current = await prefetch;
      for (const f of unseen) {
        if (flights.includes(f)) continue;
        const after = await f.done;
        for (const k of keys.keys()) {
          const state = after.get(k);
          if (state) current.set(k, state);
        }
      }
      const expected = linesDone;
      linesDone = b.lastLine;
      const previous = flights.length ? flights[flights.length - 1].committed : Promise.resolve();
      const written = this.writeBatch(imp, b, current, expected, previous);
      const done = written.then(async ({ states, stored }) => {
        await this.notify(imp, stored);
        committed++;
        await options.afterBatch?.(committed);
        return states;
      });
      // Handled where they are awaited; this only keeps a failure between two awaits from counting as unhandled.
      written.catch(() => undefined);
      done.catch(() => undefined);
      flights.push({ keys: new Set(keys.keys()), committed: written, done });
    };

    try {
      for await (const items of readCsvRecords(this.chunks(imp), IMPORT_DEFAULTS.maxRecordChars)) {
        for (const item of items) {
          if (item.kind === 'problem') {
            if (item.line <= linesDone) continue;
            if (!header) throw new ImportFailure(`Line ${item.line}: ${item.message}`);
            if (!item.recoverable) {
              await submit();
              while (flights.length) await settleOldest();
              throw new ImportFailure(
                `Line ${item.line}: ${item.message} Reading stopped there; the rows before it were imported.`,
              );
            }
            batch.errors.push({ line: item.line, code: 'MALFORMED_CSV', message: item.message });
            batch.lastLine = item.line;
            continue;
          }
          if (!header) {
            const read = readImportHeader(item.fields);
            if (!read.ok) throw new ImportFailure(read.message);
            header = read.header;
            continue;
          }
          if (item.line <= linesDone || isBlankRow(item.fields)) continue;
          batch.lastLine = item.endLine;
          if (item.fields.length !== header.width) {
            batch.errors.push({
              line: item.line,
              code: 'WRONG_FIELD_COUNT',
              message: `The row has ${item.fields.length} field(s); the header has ${header.width}.`,
            });
          } else {
            const checked = validateMovement(rowToMovementInput(item.fields, header), now, this.calendar, {
              defaultConsentDate: uploadedAt,
            });
            if (checked.ok) batch.rows.push({ line: item.line, movement: checked.value });
            else
              batch.errors.push({
                line: item.line,
                code: checked.problems[0].code,
                message: checked.problems
                  .map((p) => p.message)
                  .join('; ')
                  .slice(0, MAX_MESSAGE),
              });
          }
          if (batch.rows.length + batch.errors.length >= batchSize) await submit();
        }
      }
      if (!header) throw new ImportFailure('The file is empty; it must start with the header line.');
      await submit();
      while (flights.length) await settleOldest();
    } finally {
      // Never leave a transaction running behind a failure: the next run must find the import settled.
      await Promise.allSettled(flights.map((f) => f.done));
    }
  }

  /**
   * One transaction: plan the batch against the stored state of its keys, store it, record its errors and move
   * `lines_done`. Answers the states the batch leaves its keys in.
   */
  private async writeBatch(
    imp: ImportRow,
    batch: PendingBatch,
    current: Map<string, KeyState>,
    expectedLinesDone: number,
    previousCommitted: Promise<unknown>,
  ): Promise<{ states: Map<string, KeyState>; stored: StoredBatch }> {
    const stored = await this.ds.transaction(async (tx) => {
      const plan = planImportBatch(batch.rows, current, { iysSync: imp.iys_sync });
      const added = await this.repo.storeRows(tx, imp, plan.stored);
      const errors = plan.refused.length ? [...batch.errors, ...plan.refused] : batch.errors;
      await this.repo.insertErrors(tx, imp.id, errors);
      // The rows are written side by side with the previous batch's; the commit waits for it. Nothing the
      // previous batch does waits on this one (their keys and lines are disjoint), so this cannot deadlock.
      await previousCommitted.catch(() => {
        throw new ImportTakenOverError();
      });
      const at = await this.repo.lockProgress(tx, imp.id);
      if (!at || at.status !== 'PROCESSING' || at.lines_done !== expectedLinesDone) throw new ImportTakenOverError();
      await this.repo.advance(tx, imp.id, {
        linesDone: batch.lastLine,
        total: batch.rows.length + batch.errors.length,
        accepted: plan.stored.length + plan.unchanged,
        rejected: errors.length,
        firstRefusals: plan.firstRefusals,
      });
      return added;
    });
    return { states: current, stored };
  }

  /**
   * Tells the host a batch has committed, as the registry does for single movements, so the rows start for İYS
   * at once. A lost notification is only a delay: the host's outbox sweep finds every pending row.
   */
  private async notify(imp: ImportRow, stored: StoredBatch): Promise<void> {
    if (!this.listener || stored.movementIds.length === 0) return;
    try {
      await this.listener.movementsCommitted({
        brandId: imp.brand_id,
        movementIds: stored.movementIds,
        outbox: stored.outbox,
      });
    } catch (err) {
      this.log.warn(
        { importId: imp.id, err: (err as Error).message },
        'outbox listener failed; the sweep will pick the rows up',
      );
    }
  }

  /** The stored chunks in order, one at a time: never more than one chunk of the file in memory. */
  private async *chunks(imp: ImportRow): AsyncGenerator<Buffer> {
    for (let seq = 0; seq < imp.chunks; seq++) {
      const data = await this.repo.readChunk(this.ds, imp.id, seq);
      if (!data) throw new Error(`chunk ${seq} of import ${imp.id} is missing`);
      yield Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
  }
}

/** A batch being written: its keys, and the states it leaves them in once committed. */
interface Flight {
  keys: Set<string>;
  /** Settles when its transaction has committed (or failed). */
  committed: Promise<unknown>;
  /** Settles after the `afterBatch` hook too. */
  done: Promise<Map<string, KeyState>>;
}

function sharesKey(a: Set<string>, b: Map<string, BatchKey>): boolean {
  for (const k of b.keys()) if (a.has(k)) return true;
  return false;
}

/** The batch's distinct keys; whether İYS knows a key matters only when the batch has a RET for it. */
function batchKeys(rows: ValidImportRow[]): Map<string, BatchKey> {
  const keys = new Map<string, BatchKey>();
  for (const { movement: m } of rows) {
    const k = consentKeyOf(m);
    const seen = keys.get(k);
    if (seen) seen.needsIys ||= m.status === 'RET';
    else
      keys.set(k, {
        type: m.type,
        recipient: m.recipient,
        recipientType: m.recipientType,
        needsIys: m.status === 'RET',
      });
  }
  return keys;
}

function newBatch(): PendingBatch {
  return { rows: [], errors: [], lastLine: 0 };
}

async function* oneChunk(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}
