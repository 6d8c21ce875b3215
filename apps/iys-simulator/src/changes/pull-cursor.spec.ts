import { type FeedEntry, decodeCursor, encodeCursor, insertSorted, readPage } from './pull-cursor';

const tx = (n: number) => n.toString(16).padStart(64, '0');
const entry = (seq: number, creationMs: number, id = tx(seq)): FeedEntry => ({ seq, creationMs, transactionId: id });

describe('pull-cursor', () => {
  const feed = [entry(1, 1_000), entry(2, 2_000), entry(3, 2_500), entry(4, 3_000)];
  const all = { fromMs: 0, toMs: 10_000, limit: 10, accept: () => true };

  it('encodes "<seconds>_<transactionId>" and reads 10- or 13-digit stamps', () => {
    expect(encodeCursor(entry(7, 1_597_740_617_123))).toBe(`1597740617_${tx(7)}`);
    expect(decodeCursor(`1597740617123_${tx(7)}`)).toEqual({ seconds: 1597740617, transactionId: tx(7) });
    expect(decodeCursor('2025-01-01')).toBeNull();
  });

  it('resumes after the cursor, oldest first, within the window', () => {
    const after = decodeCursor(encodeCursor(feed[1]))!;
    expect(readPage(feed, { ...all, after }).map((e) => e.seq)).toEqual([3, 4]);
    expect(readPage(feed, { ...all, after: null, toMs: 2_600 }).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(readPage(feed, { ...all, after: null, fromMs: 2_000, limit: 1 }).map((e) => e.seq)).toEqual([2]);
  });

  it('resumes after the last movement of a shared same-second id', () => {
    const shared = [entry(1, 1_000, tx(9)), entry(2, 1_400, tx(9)), entry(3, 1_700)];
    expect(readPage(shared, { ...all, after: { seconds: 1, transactionId: tx(9) } }).map((e) => e.seq)).toEqual([3]);
  });

  it('falls back to "after that second" for an id it no longer holds', () => {
    expect(readPage(feed, { ...all, after: { seconds: 2, transactionId: tx(99) } }).map((e) => e.seq)).toEqual([4]);
  });

  it('inserts out-of-order entries in place', () => {
    const list = [entry(1, 1_000), entry(3, 3_000)];
    insertSorted(list, entry(4, 2_000));
    insertSorted(list, entry(5, 4_000));
    expect(list.map((e) => e.seq)).toEqual([1, 4, 3, 5]);
  });
});
