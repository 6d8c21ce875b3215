import Bull from 'bull';
import { randomBytes } from 'crypto';
import { BullJobQueue, InProcessJobQueue, JobContext, JobQueue } from '@izinli/queue';
import { testRedisUrl, waitFor } from '@izinli/testing';

// The same contract for both adapters: `npm test` runs it on the in-process queue, `npm run test:integration`
// on Bull with a real Redis.
const redisUrl = testRedisUrl();
const adapterName = redisUrl ? 'Bull' : 'in-process';

function makeQueue(): JobQueue {
  if (!redisUrl) return new InProcessJobQueue();
  const prefix = `qt${randomBytes(4).toString('hex')}`;
  return new BullJobQueue(new Map(['q'].map((n) => [n, new Bull(n, redisUrl, { prefix })])));
}

describe(`JobQueue (${adapterName})`, () => {
  let sut: JobQueue;
  beforeEach(() => {
    sut = makeQueue();
  });
  afterEach(async () => {
    await sut.close();
  });

  it('runs a job with its data', async () => {
    const seen: unknown[] = [];
    sut.process<{ n: number }>('q', 'job', async (j) => void seen.push(j.data), 2);
    await sut.add('q', 'job', { n: 1 });
    await waitFor(
      async () => seen.length,
      (n) => n === 1,
    );
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    sut.process('q', 'flaky', async (j: JobContext<unknown>) => {
      attempts.push({ attempt: j.attempt, at: Date.now() });
      if (j.attempt < 3) throw new Error('not yet');
    });
    await sut.add('q', 'flaky', {}, { attempts: 4, backoffMs: 100 });
    await waitFor(
      async () => attempts.length,
      (n) => n === 3,
      10_000,
    );
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Exponential: about 100 ms before the second try, about 200 ms before the third.
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(90);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(190);
  });

  it('gives up after the last attempt', async () => {
    let calls = 0;
    sut.process('q', 'doomed', async () => {
      calls++;
      throw new Error('always');
    });
    await sut.add('q', 'doomed', {}, { attempts: 2, backoffMs: 50 });
    await waitFor(
      () => sut.counts('q'),
      (c) => c.failed === 1,
      10_000,
    );
    expect(calls).toBe(2);
  });

  it('holds a delayed job until its time', async () => {
    const ran: number[] = [];
    sut.process('q', 'later', async () => void ran.push(Date.now()));
    const t0 = Date.now();
    await sut.add('q', 'later', {}, { delayMs: 400 });
    await waitFor(
      async () => ran.length,
      (n) => n === 1,
      10_000,
    );
    expect(ran[0] - t0).toBeGreaterThanOrEqual(380);
  });

  it('does not add a job whose id is still waiting', async () => {
    await sut.add('q', 'dedupe', { v: 1 }, { jobId: 'same', delayMs: 300 });
    await sut.add('q', 'dedupe', { v: 2 }, { jobId: 'same', delayMs: 300 });
    const seen: unknown[] = [];
    sut.process('q', 'dedupe', async (j) => void seen.push(j.data));
    await waitFor(
      async () => seen.length,
      (n) => n >= 1,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(seen).toEqual([{ v: 1 }]);
  });

  it('stops taking jobs when told, while the running one finishes', async () => {
    const started: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    sut.process<{ n: number }>('q', 'slow', async (j) => {
      started.push(j.data.n);
      if (j.data.n === 1) await held;
    });
    await sut.add('q', 'slow', { n: 1 });
    await waitFor(
      async () => started.length,
      (n) => n === 1,
    );
    await sut.stopTaking();
    await sut.add('q', 'slow', { n: 2 });
    release();
    await new Promise((r) => setTimeout(r, 500));
    expect(started).toEqual([1]);
  });

  it('repeats a job on its interval', async () => {
    let runs = 0;
    sut.process('q', 'tick', async () => void runs++);
    await sut.repeat('q', 'tick', 200);
    await sut.repeat('q', 'tick', 200);
    await waitFor(
      async () => runs,
      (n) => n >= 3,
      10_000,
    );
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
