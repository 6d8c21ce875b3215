import { parse } from 'csv-parse';
import { isRecipientType, normalizeEmail, type RecipientType } from '@izinli/consent';

/** A contact ready to store: the address normalised as İYS stores it. */
export interface ContactInput {
  email: string;
  recipientType: RecipientType;
  data: Record<string, unknown>;
}

/** Why one row of an upload was not stored. `row` counts contacts from 1; CSV rows also carry their line. */
export interface ContactRowError {
  row: number;
  line?: number;
  field?: string;
  code: string;
  message: string;
}

export type ContactCheck = { ok: true; contact: ContactInput } | { ok: false; error: ContactRowError };

/** Personalisation data is for rendering a mail, not a document store: a row's `data` stays small. */
export const MAX_DATA_BYTES = 8 * 1024;
const JSON_FIELDS = new Set(['email', 'recipientType', 'data']);

function problem(
  row: number,
  code: string,
  message: string,
  field?: string,
  line?: number,
): { ok: false; error: ContactRowError } {
  return {
    ok: false,
    error: { row, ...(line === undefined ? {} : { line }), ...(field ? { field } : {}), code, message },
  };
}

function checkCommon(
  row: number,
  email: unknown,
  recipientType: unknown,
  data: Record<string, unknown>,
  line?: number,
): ContactCheck {
  if (email === undefined || email === null || email === '')
    return problem(row, 'MISSING_EMAIL', 'email is required', 'email', line);
  if (typeof email !== 'string') return problem(row, 'INVALID_EMAIL', 'email must be text', 'email', line);
  const normalised = normalizeEmail(email);
  if (!normalised.ok) return problem(row, normalised.code, normalised.message, 'email', line);
  const type =
    recipientType === undefined || recipientType === null || recipientType === '' ? 'BIREYSEL' : recipientType;
  if (!isRecipientType(type))
    return problem(row, 'INVALID_RECIPIENT_TYPE', 'recipientType must be BIREYSEL or TACIR', 'recipientType', line);
  const size = Buffer.byteLength(JSON.stringify(data), 'utf8');
  if (size > MAX_DATA_BYTES)
    return problem(
      row,
      'DATA_TOO_LARGE',
      `data is ${size} bytes; at most ${MAX_DATA_BYTES} are kept per contact`,
      'data',
      line,
    );
  return { ok: true, contact: { email: normalised.value, recipientType: type, data } };
}

/** One element of a JSON upload: `{ email, recipientType?, data? }` and nothing else. */
export function checkJsonContact(item: unknown, row: number): ContactCheck {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return problem(row, 'INVALID_ROW', 'each contact must be an object');
  const o = item as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !JSON_FIELDS.has(k));
  if (unknown !== undefined)
    return problem(
      row,
      'UNKNOWN_FIELD',
      `unknown field "${unknown.slice(0, 50)}"; personalisation fields go inside data`,
      unknown.slice(0, 50),
    );
  const data = o.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return problem(row, 'INVALID_DATA', 'data must be an object', 'data');
  return checkCommon(row, o.email, o.recipientType, data as Record<string, unknown>);
}

/** The columns of a CSV upload: which holds the address, which the recipient type, and the rest as data. */
export interface CsvColumns {
  email: number;
  recipientType: number | null;
  data: { index: number; name: string }[];
}

export class CsvHeaderError extends Error {}

export function readCsvHeader(fields: string[]): CsvColumns {
  const names = fields.map((f) => f.trim());
  const lower = names.map((n) => n.toLowerCase());
  const email = lower.indexOf('email');
  if (email === -1) throw new CsvHeaderError('the first line must be a header with an "email" column');
  const seen = new Set<string>();
  for (const n of lower) {
    if (n !== '' && seen.has(n)) throw new CsvHeaderError(`the header names the column "${n}" twice`);
    seen.add(n);
  }
  const rt = lower.indexOf('recipienttype');
  const data = names.flatMap((name, index) =>
    index === email || index === rt || name === '' ? [] : [{ index, name }],
  );
  return { email, recipientType: rt === -1 ? null : rt, data };
}

/** One CSV record: every column other than email and recipientType becomes a text field of `data`. */
export function checkCsvContact(
  fields: string[],
  columns: CsvColumns,
  headerWidth: number,
  row: number,
  line: number,
): ContactCheck {
  if (fields.length !== headerWidth) {
    return problem(
      row,
      'COLUMN_COUNT',
      `the row has ${fields.length} field(s) and the header ${headerWidth}`,
      undefined,
      line,
    );
  }
  const data: Record<string, unknown> = {};
  for (const c of columns.data) data[c.name] = fields[c.index];
  const rt = columns.recipientType === null ? undefined : fields[columns.recipientType].trim().toUpperCase();
  return checkCommon(row, fields[columns.email], rt, data, line);
}

export interface CsvRecord {
  fields: string[];
  /** The line the record ends on (1-based; the header is line 1). */
  line: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export class UploadTooLargeError extends Error {}

// Turkish spreadsheets export with ';' (the comma is the decimal mark), others with ',' or a tab.
function detectDelimiter(headerLine: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, headerLine.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

/**
 * Streams CSV records out of the request body: the delimiter is read off the header line, records are handed
 * out one by one with the parser's back-pressure (a slow consumer slows the upload, memory does not grow), and
 * a body over `maxBytes` stops the read.
 */
export async function* readCsvRecords(
  body: AsyncIterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<CsvRecord> {
  const iterator = body[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let total = 0;
  let ended = false;
  // Gather enough to see the whole header line before choosing a delimiter.
  while (headBytes < 64 * 1024) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    headBytes += chunk.length;
    total += chunk.length;
    if (total > maxBytes) throw new UploadTooLargeError();
    if (chunk.includes(0x0a)) break;
  }
  const firstLine = Buffer.concat(head).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  const parser = parse({
    delimiter: detectDelimiter(firstLine),
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // Files assembled from several sources mix line endings; accept both everywhere.
    record_delimiter: ['\r\n', '\n'],
  });

  // Resolves false once the parser is gone (the consumer stopped), so the feed stops reading the request.
  const write = async (chunk: Buffer): Promise<boolean> => {
    if (parser.destroyed) return false;
    if (!parser.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          parser.off('drain', done);
          parser.off('close', done);
          resolve();
        };
        parser.on('drain', done);
        parser.on('close', done);
      });
    }
    return !parser.destroyed;
  };
  const feed = (async () => {
    try {
      for (const chunk of head) if (!(await write(chunk))) return;
      while (!ended) {
        const next = await iterator.next();
        if (next.done) break;
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        total += chunk.length;
        if (total > maxBytes) throw new UploadTooLargeError();
        if (!(await write(chunk))) return;
      }
      if (!parser.destroyed) parser.end();
    } catch (err) {
      parser.destroy(err as Error);
    }
  })();

  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { fields: item.record, line: item.info.lines };
    }
  } catch (err) {
    if (err instanceof UploadTooLargeError) throw err;
    const e = err as Error & { lines?: number; code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) throw new CsvSyntaxError(e.message, e.lines ?? 0);
    throw err;
  } finally {
    // The feed ends on its own at its next chunk; waiting for it would wait for a slow client to finish sending.
    if (!parser.destroyed) parser.destroy();
    void feed;
  }
}
