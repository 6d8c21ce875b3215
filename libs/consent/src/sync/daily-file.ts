import { createHash } from 'crypto';
import { formatIysDate } from '../calendar';

/**
 * İYS's daily movement file (M4, iys-api.md §5.11): this header, one line per movement, sorted by creationDate and
 * then transactionId, ending with a newline. Izinli writes its own copy of a day the same way and compares the
 * SHA-384 of the two; the bytes are therefore a contract.
 */
export const DAILY_FILE_HEADER = 'creationDate,transactionId,recipient,recipientType,type,status,consentDate,source';

export interface DailyFileRow {
  creationDate: string;
  transactionId: string;
  recipient: string;
  recipientType: string;
  type: string;
  status: string;
  consentDate: string;
  source: string;
}

export function toDailyFileRow(m: {
  creationDate: Date;
  transactionId: string;
  recipient: string;
  recipientType: string;
  type: string;
  status: string;
  consentDate: Date | null;
  source: string;
}): DailyFileRow {
  return {
    creationDate: formatIysDate(m.creationDate),
    transactionId: m.transactionId,
    recipient: m.recipient,
    recipientType: m.recipientType,
    type: m.type,
    status: m.status,
    consentDate: m.consentDate ? formatIysDate(m.consentDate) : '',
    source: m.source,
  };
}

export function lineOf(r: DailyFileRow): string {
  return `${r.creationDate},${r.transactionId},${r.recipient},${r.recipientType},${r.type},${r.status},${r.consentDate},${r.source}`;
}

export function buildDailyFile(rows: readonly DailyFileRow[]): string {
  const sorted = [...rows].sort((a, b) => cmp(a.creationDate, b.creationDate) || cmp(a.transactionId, b.transactionId));
  return `${DAILY_FILE_HEADER}\n${sorted.map((r) => `${lineOf(r)}\n`).join('')}`;
}

/** Reads İYS's file; lines that do not have the eight columns are returned apart, never guessed at. */
export function parseDailyFile(text: string): { rows: DailyFileRow[]; malformed: number } {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const rows: DailyFileRow[] = [];
  let malformed = 0;
  for (const [i, line] of lines.entries()) {
    if (i === 0 && line.trim() === DAILY_FILE_HEADER) continue;
    const f = line.split(',');
    if (f.length !== 8) {
      malformed++;
      continue;
    }
    rows.push({
      creationDate: f[0],
      transactionId: f[1].toLowerCase(),
      recipient: f[2],
      recipientType: f[3],
      type: f[4],
      status: f[5],
      consentDate: f[6],
      source: f[7],
    });
  }
  return { rows, malformed };
}

export function sha384Hex(text: string): string {
  return createHash('sha384').update(text, 'utf8').digest('hex');
}

export type DifferenceKind = 'MISSING_LOCALLY' | 'MISSING_AT_IYS' | 'DIFFERENT';

export interface DailyFileDifference {
  transactionId: string;
  kind: DifferenceKind;
  local?: string;
  iys?: string;
}

/** Movements one side has and the other lacks, or holds differently, matched by transactionId. */
export function diffDailyFiles(local: readonly DailyFileRow[], iys: readonly DailyFileRow[]): DailyFileDifference[] {
  const byTx = (rows: readonly DailyFileRow[]) => {
    const m = new Map<string, string[]>();
    for (const r of rows) m.set(r.transactionId, [...(m.get(r.transactionId) ?? []), lineOf(r)]);
    return m;
  };
  const l = byTx(local);
  const i = byTx(iys);
  const out: DailyFileDifference[] = [];
  for (const [tx, lines] of i) {
    const mine = l.get(tx);
    if (!mine) out.push({ transactionId: tx, kind: 'MISSING_LOCALLY', iys: lines[0] });
    else if (mine.join('\n') !== lines.join('\n'))
      out.push({ transactionId: tx, kind: 'DIFFERENT', local: mine[0], iys: lines[0] });
  }
  for (const [tx, lines] of l) if (!i.has(tx)) out.push({ transactionId: tx, kind: 'MISSING_AT_IYS', local: lines[0] });
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
