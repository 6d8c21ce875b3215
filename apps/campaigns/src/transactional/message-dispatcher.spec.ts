import { randomUUID } from 'crypto';
import type { JobOptions, JobQueue } from '@izinli/queue';
import { MessageJob, QueueName } from '../jobs/queue-names';
import { MESSAGES_PER_JOB, MessageDispatcher, messageJobId } from './message-dispatcher';
import { MessageSettings } from './message-settings';
import { messagesOfJob } from './messages.processor';

type Added = { queue: string; jobs: { name: string; data: { messageIds: string[] }; options?: JobOptions }[] };

/** The queue's edge only: what the dispatcher hands to `addBulk`, and an answer it chooses. */
function recordingQueue(fail = false): { queue: JobQueue; added: Added[] } {
  const added: Added[] = [];
  const queue = {
    addBulk: async (q: string, jobs: Added['jobs']) => {
      added.push({ queue: q, jobs });
      if (fail) throw new Error('redis is gone');
    },
  } as unknown as JobQueue;
  return { queue, added };
}

describe('MessageDispatcher', () => {
  const settings = new MessageSettings({ jobAttempts: 7, jobBackoffMs: 250 });

  it('puts a burst into shared jobs of at most MESSAGES_PER_JOB: a full job goes at once, the rest after the linger', async () => {
    const { queue, added } = recordingQueue();
    const d = new MessageDispatcher(queue, settings);
    const ids = Array.from({ length: MESSAGES_PER_JOB * 2 + 3 }, () => randomUUID());
    await Promise.all(ids.map((id) => d.dispatch(id, 0, 0)));
    expect(added.map((a) => a.jobs.length)).toEqual([1, 1, 1]);
    const jobs = added.flatMap((a) => a.jobs);
    expect(added.every((a) => a.queue === QueueName.MESSAGES)).toBe(true);
    expect(jobs.map((j) => j.data.messageIds.length)).toEqual([MESSAGES_PER_JOB, MESSAGES_PER_JOB, 3]);
    expect(jobs.flatMap((j) => j.data.messageIds)).toEqual(ids);
    for (const j of jobs) {
      expect(j.name).toBe(MessageJob.SEND);
      expect(j.options).toMatchObject({ attempts: 7, backoffMs: 250, delayMs: undefined });
      expect(j.options!.jobId).toMatch(/^msgs:[0-9a-f]{32}$/);
      expect(messagesOfJob(j.data)).toEqual(j.data.messageIds);
    }
    expect(new Set(jobs.map((j) => j.options!.jobId)).size).toBe(3);
  });

  it('lets messages dispatched a little apart share a job, and adds what still lingers at shutdown', async () => {
    const { queue, added } = recordingQueue();
    const d = new MessageDispatcher(queue, new MessageSettings({ dispatchLingerMs: 50 }));
    const [a, b] = [randomUUID(), randomUUID()];
    const first = d.dispatch(a, 0, 0);
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([first, d.dispatch(b, 0, 0)]);
    expect(added.map((x) => x.jobs.map((j) => j.data.messageIds))).toEqual([[[a, b]]]);

    const late = new MessageDispatcher(queue, new MessageSettings({ dispatchLingerMs: 60_000 }));
    const c = randomUUID();
    void late.dispatch(c, 0, 0);
    await late.onModuleDestroy();
    expect(added[1].jobs.map((j) => j.data.messageIds)).toEqual([[c]]);
  });

  it('names a job by what it carries: the same messages offered again get the same id, another generation another', async () => {
    const ids = [randomUUID(), randomUUID()];
    const jobIdsFor = async (dispatch: number) => {
      const { queue, added } = recordingQueue();
      const d = new MessageDispatcher(queue, settings);
      await Promise.all(ids.map((id) => d.dispatch(id, 0, dispatch)));
      return added[0].jobs.map((j) => j.options!.jobId);
    };
    expect(await jobIdsFor(0)).toEqual(await jobIdsFor(0));
    expect(await jobIdsFor(1)).not.toEqual(await jobIdsFor(0));
  });

  it('gives a delayed retry a job of its own, named by message, try and generation', async () => {
    const { queue, added } = recordingQueue();
    const d = new MessageDispatcher(queue, settings);
    const [a, b, later] = [randomUUID(), randomUUID(), randomUUID()];
    await Promise.all([d.dispatch(a, 0, 0), d.dispatch(later, 2, 1, 60_000), d.dispatch(b, 0, 0)]);
    const jobs = added[0].jobs;
    expect(jobs.map((j) => j.data.messageIds)).toEqual([[a, b], [later]]);
    expect(jobs[1].options).toMatchObject({ jobId: messageJobId(later, 2, 1), delayMs: 60_000 });
  });

  it('answers every caller when the queue cannot be reached, without throwing (the sweep offers the jobs again)', async () => {
    const { queue, added } = recordingQueue(true);
    const d = new MessageDispatcher(queue, settings);
    await expect(Promise.all([d.dispatch(randomUUID(), 0, 0), d.dispatch(randomUUID(), 0, 0)])).resolves.toEqual([
      undefined,
      undefined,
    ]);
    expect(added).toHaveLength(1);
  });
});

describe('messagesOfJob', () => {
  const id = randomUUID();
  it('reads both payload shapes and refuses anything else', () => {
    expect(messagesOfJob({ messageIds: [id] })).toEqual([id]);
    expect(messagesOfJob({ messageId: id })).toEqual([id]);
    expect(messagesOfJob({ messageIds: [] })).toBeNull();
    expect(messagesOfJob({ messageIds: Array.from({ length: MESSAGES_PER_JOB + 1 }, () => id) })).toBeNull();
    expect(messagesOfJob({ messageIds: [id, 'not-a-uuid'] })).toBeNull();
    expect(messagesOfJob({ messageId: 42 })).toBeNull();
    expect(messagesOfJob({ messageId: id, messageIds: 'x' })).toBeNull();
    expect(messagesOfJob(null)).toBeNull();
    expect(messagesOfJob('x')).toBeNull();
  });
});
