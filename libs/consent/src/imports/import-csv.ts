import { Parser } from 'csv-parse';
import { finished } from 'stream/promises';
import type { MovementInput } from '../registry/consent.types';

/** The columns of an import file, as the API documents them. Only the first three are required. */
export const IMPORT_COLUMNS = ['recipient', 'type', 'status', 'source', 'consentDate', 'recipientType'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly ImportColumn[] = ['recipient', 'type', 'status'];

/** Where each column sits in a row (-1 when the file leaves an optional column out) and how many fields a row has. */
export interface ImportHeader {
  index: Record<ImportColumn, number>;
  width: number;
}

/**
 * Reads the header line. Names are matched without regard to case or surrounding spaces, in any order; an
 * unknown or repeated name is refused rather than ignored, because a misspelt `consentDate` column would
 * otherwise silently date every row "now".
 */
export function readImportHeader(
  fields: string[],
): { ok: true; header: ImportHeader } | { ok: false; message: string } {
  const byName = new Map(IMPORT_COLUMNS.map((c) => [c.toLowerCase(), c]));
  const index = Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, -1])) as Record<ImportColumn, number>;
  const unknown: string[] = [];
  const repeated: string[] = [];
  fields.forEach((raw, i) => {
    const name = raw.replace(/^\ufeff/, '').trim();
    const column = byName.get(name.toLowerCase());
    if (!column) unknown.push(name === '' ? `(empty, column ${i + 1})` : `"${name.slice(0, 40)}"`);
    else if (index[column] >= 0) repeated.push(column);
    else index[column] = i;
  });
  const missing = REQUIRED_COLUMNS.filter((c) => index[c] < 0);
  const problems: string[] = [];
  if (missing.length) problems.push(`missing column(s) ${missing.join(', ')}`);
  if (unknown.length) problems.push(`unknown column(s) ${unknown.join(', ')}`);
  if (repeated.length) problems.push(`repeated column(s) ${repeated.join(', ')}`);
  if (problems.length) {
    return {
      ok: false,
      message: `The first line must be the header ${IMPORT_COLUMNS.join(',')} (the last three optional): ${problems.join('; ')}.`,
    };
  }
  return { ok: true, header: { index, width: fields.length } };
}

/**
 * A row as a movement input, before any validation. Enum cells are upper-cased (İYS spells them upper-case
 * and a spreadsheet may not). An empty cell is a value left out, exactly as a field left out of the API's body:
 * `validateMovement` then dates the row at the time of the upload (given to it as the default, fixed, so a resumed
 * import reads the row exactly as the first attempt did), except a merchant's row without a source, which stays
 * undated as İYS allows for a merchant's first record.
 */
export function rowToMovementInput(fields: string[], header: ImportHeader): MovementInput {
  const cell = (c: ImportColumn) => (header.index[c] >= 0 ? fields[header.index[c]].trim() : '');
  const consentDate = cell('consentDate');
  const source = cell('source').toUpperCase();
  const recipientType = cell('recipientType').toUpperCase();
  return {
    recipient: fields[header.index.recipient],
    type: cell('type').toUpperCase() as MovementInput['type'],
    status: cell('status').toUpperCase() as MovementInput['status'],
    source: source === '' ? undefined : source,
    consentDate: consentDate === '' ? undefined : consentDate,
    recipientType: recipientType === '' ? undefined : (recipientType as MovementInput['recipientType']),
  };
}

/** True for a line with nothing in it but separators and spaces: not a row, neither counted nor refused. */
export function isBlankRow(fields: string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

const PARSE_SLICE_BYTES = 16 * 1024;

/** One parsed record with the physical lines it spans (1-based; a quoted field may span several lines). */
export interface CsvRecord {
  kind: 'record';
  line: number;
  endLine: number;
  fields: string[];
}

/**
 * The parser could not read on from `line`. `recoverable` problems end at the end of the file (a quote opened and
 * never closed swallows everything after it); the others leave the parser in an unknown state, so nothing after
 * them can be trusted.
 */
export interface CsvProblem {
  kind: 'problem';
  line: number;
  recoverable: boolean;
  message: string;
}

export type CsvItem = CsvRecord | CsvProblem;

/**
 * Streams CSV records out of a sequence of byte chunks, with the line number each record starts on. Chunks may
 * split a line, a quoted field or a multi-byte character anywhere. csv-parse runs synchronously inside each
 * `write`, so records and problems reach `out` in file order and every slice's records are handed on before the
 * next slice is parsed: memory holds one slice's worth of records, never the file.
 *
 * Line numbers are counted here rather than taken from csv-parse, whose counter counts a CRLF inside a quoted
 * field twice: a record starts on the line after the previous record ends and ends after the line breaks inside
 * its fields. Blank lines arrive as records too (no `skip_empty_lines`) so the count never drifts.
 */
export async function* readCsvRecords(
  chunks: AsyncIterable<Uint8Array>,
  maxRecordChars: number,
): AsyncGenerator<CsvItem[]> {
  let out: CsvItem[] = [];
  let lastLine = 0;
  let stopped = false;
  const parser = new SynchronousParser(
    {
      bom: true,
      relax_column_count: true,
      // A quote inside an unquoted field is kept as text: the row then fails validation with its own line number
      // instead of derailing the parser for the rest of the file.
      relax_quotes: true,
      skip_records_with_error: true,
      max_record_size: maxRecordChars,
      on_skip: (err: (Error & { code?: string }) | undefined) => {
        if (stopped) return;
        const line = lastLine + 1;
        if (err?.code === 'CSV_QUOTE_NOT_CLOSED') {
          out.push({
            kind: 'problem',
            line,
            recoverable: true,
            message:
              'A quoted field opened on this line is never closed; this line and every line after it were read as one field.',
          });
        } else if (err?.code === 'CSV_MAX_RECORD_SIZE') {
          stopped = true;
          out.push({
            kind: 'problem',
            line,
            recoverable: false,
            message: `The row starting on this line is longer than ${maxRecordChars} characters, most likely because a quote is never closed.`,
          });
        } else {
          stopped = true;
          out.push({
            kind: 'problem',
            line,
            recoverable: false,
            message: `The file cannot be read from this line on: ${err?.message ?? 'malformed CSV'}.`,
          });
        }
      },
    },
    (record) => {
      if (stopped) return;
      const line = lastLine + 1;
      lastLine = line + lineBreaksIn(record);
      out.push({ kind: 'record', line, endLine: lastLine, fields: record });
    },
  );
  const done = finished(parser);
  done.catch(() => undefined);
  try {
    for await (const chunk of chunks) {
      // Fed in slices so that only a slice's records wait for the consumer: records kept across its awaits
      // outlive the young generation, and a whole chunk's worth of them would swell the old one.
      for (let at = 0; at < chunk.length && !stopped; at += PARSE_SLICE_BYTES) {
        parser.write(chunk.subarray(at, at + PARSE_SLICE_BYTES));
        if (out.length) {
          const ready = out;
          out = [];
          yield ready;
        }
      }
      if (stopped) return;
    }
    parser.end();
    await done;
    if (out.length) yield out;
  } finally {
    if (!parser.destroyed) parser.destroy();
  }
}

/**
 * csv-parse hands each record to `push` synchronously, in file order, interleaved in order with its `on_skip`
 * calls. Taking records there, rather than through `on_record` (which builds an info object per record) or the
 * readable side (which buffers and defers writes once full), keeps both the order and the pace in our hands.
 */
class SynchronousParser extends Parser {
  constructor(
    options: ConstructorParameters<typeof Parser>[0],
    private readonly onRecord: (record: string[]) => void,
  ) {
    super(options);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) {
      super.push(null, encoding);
      // Nothing was buffered on the readable side; reading lets the stream end.
      this.resume();
      return false;
    }
    this.onRecord(chunk as string[]);
    return true;
  }
}

/** Physical line breaks inside a record's fields: CRLF, LF or a lone CR each count once. */
function lineBreaksIn(fields: string[]): number {
  let n = 0;
  for (const f of fields) {
    if (f.indexOf('\n') < 0 && f.indexOf('\r') < 0) continue;
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c === 10) n++;
      else if (c === 13 && f.charCodeAt(i + 1) !== 10) n++;
    }
  }
  return n;
}
