// The change feed's `after` cursor (iys-api.md §5.7): "<creation timestamp>_<transactionId>" of the last movement
// a page listed. İYS's examples use 10-digit seconds, the older pages 13-digit milliseconds; the simulator emits
// seconds and reads both. Because two movements of one key in the same second share a transactionId (rule 19),
// the cursor resolves to the *last* movement with that id in that second.

export interface FeedEntry {
  creationMs: number;
  seq: number;
  transactionId: string;
}

export interface PullCursor {
  seconds: number;
  transactionId: string;
}

const CURSOR_PATTERN = /^(\d{1,13})_([0-9a-f]{64})$/;

export function encodeCursor(entry: FeedEntry): string {
  return `${Math.floor(entry.creationMs / 1000)}_${entry.transactionId}`;
}

export function decodeCursor(raw: string): PullCursor | null {
  const m = CURSOR_PATTERN.exec(raw);
  if (!m) return null;
  const stamp = Number(m[1]);
  return { seconds: m[1].length === 13 ? Math.floor(stamp / 1000) : stamp, transactionId: m[2] };
}

/** First index whose creationMs is >= `ms`, in a list sorted by (creationMs, seq). */
export function lowerBound(list: readonly FeedEntry[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].creationMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where reading resumes after `cursor`. An id no longer in the list falls back to "after that second". */
export function resumeIndex(list: readonly FeedEntry[], cursor: PullCursor): number {
  const secondStart = cursor.seconds * 1000;
  let i = lowerBound(list, secondStart);
  let resume = -1;
  for (; i < list.length && list[i].creationMs < secondStart + 1000; i++) {
    if (list[i].transactionId === cursor.transactionId) resume = i + 1;
  }
  return resume >= 0 ? resume : lowerBound(list, secondStart + 1000);
}

export interface PageOptions<T extends FeedEntry> {
  after: PullCursor | null;
  /** Window start and end, inclusive (7 days back; now minus the lag). */
  fromMs: number;
  toMs: number;
  limit: number;
  accept: (entry: T) => boolean;
}

/** One page of the feed, oldest first. */
export function readPage<T extends FeedEntry>(list: readonly T[], options: PageOptions<T>): T[] {
  let start = lowerBound(list, options.fromMs);
  if (options.after) start = Math.max(start, resumeIndex(list, options.after));
  const page: T[] = [];
  for (let i = start; i < list.length && page.length < options.limit; i++) {
    const entry = list[i];
    if (entry.creationMs > options.toMs) break;
    if (options.accept(entry)) page.push(entry);
  }
  return page;
}

/** Inserts keeping (creationMs, seq) order; appends in O(1) in the usual case where time only moves forward. */
export function insertSorted<T extends FeedEntry>(list: T[], entry: T): void {
  const last = list[list.length - 1];
  if (!last || last.creationMs < entry.creationMs || (last.creationMs === entry.creationMs && last.seq < entry.seq)) {
    list.push(entry);
    return;
  }
  let i = lowerBound(list, entry.creationMs);
  while (i < list.length && list[i].creationMs === entry.creationMs && list[i].seq < entry.seq) i++;
  list.splice(i, 0, entry);
}
