import Bull from 'bull';
import { randomBytes } from 'crypto';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { sqlExec, sqlOne } from '@izinli/database';
import { BullJobQueue, InProcessJobQueue, JobQueue } from '@izinli/queue';
import { createTestDatabase, TestDatabase, testRedisUrl, waitFor } from '@izinli/testing';
import { SweepService } from '../../apps/campaigns/src/jobs/sweep.service';
import { RuntimeRole } from '../../apps/campaigns/src/jobs/runtime-role';
import { QueueName } from '../../apps/campaigns/src/jobs/queue-names';

class CreateWork1700000000001 implements MigrationInterface {
  name = 'CreateWork1700000000001';
  async up(q: QueryRunner) {
    await q.query(
      `CREATE TABLE work_items (id int PRIMARY KEY, state text NOT NULL DEFAULT 'PENDING', done_count int NOT NULL DEFAULT 0)`,
    );
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE work_items`);
  }
}

const redisUrl = testRedisUrl();

/**
 * The recovery principle end to end: work is a row first; the queue is flushed (all jobs lost); the sweep
 * re-enqueues what is still pending and everything completes exactly once.
 */
describe(`sweep re-enqueues lost work (${redisUrl ? 'Bull' : 'in-process'})`, () => {
  let db: TestDatabase;
  let queue: JobQueue;
  let bullQueues: Bull.Queue[] = [];
  beforeAll(async () => {
    db = await createTestDatabase([CreateWork1700000000001]);
  });
  afterAll(async () => {
    await queue?.close();
    await db.close();
  });

  it('loses nothing when every queued job disappears', async () => {
    if (redisUrl) {
      const prefix = `sw${randomBytes(4).toString('hex')}`;
      bullQueues = [new Bull('work', redisUrl, { prefix }), new Bull(QueueName.MAINTENANCE, redisUrl, { prefix })];
      queue = new BullJobQueue(new Map(bullQueues.map((q) => [q.name, q])));
    } else {
      queue = new InProcessJobQueue();
    }
    await sqlExec(db.dataSource, `INSERT INTO work_items (id) SELECT g FROM generate_series(1, 50) g`);
    // Enqueue jobs, then lose them all before any worker runs.
    for (let i = 1; i <= 50; i++) await queue.add('work', 'item', { id: i }, { jobId: `item:${i}` });
    if (redisUrl) {
      await bullQueues[0].empty();
    } else {
      await queue.close();
      queue = new InProcessJobQueue();
    }
    const sut = new SweepService(queue, new RuntimeRole('all'));
    sut.register({
      name: 'work-items',
      sweep: async () => {
        const rows = await db.dataSource.query(`SELECT id FROM work_items WHERE state = 'PENDING' ORDER BY id`);
        await queue.addBulk(
          'work',
          rows.map((r: { id: number }) => ({ name: 'item', data: { id: r.id }, options: { jobId: `item:${r.id}` } })),
        );
        return rows.length;
      },
    });
    queue.process<{ id: number }>(
      'work',
      'item',
      async (j) => {
        // Idempotent completion: only a PENDING row is done, so a duplicate job changes nothing.
        await sqlExec(
          db.dataSource,
          `UPDATE work_items SET state = 'DONE', done_count = done_count + 1 WHERE id = $1 AND state = 'PENDING'`,
          [j.data.id],
        );
      },
      4,
    );
    const offered = await sut.sweepAll();
    expect(offered['work-items']).toBe(50);
    // A second sweep while jobs are alive must not double the work.
    await sut.sweepAll();
    await waitFor(
      () => sqlOne<{ n: number }>(db.dataSource, `SELECT count(*)::int AS n FROM work_items WHERE state = 'DONE'`),
      (r) => r?.n === 50,
      20_000,
    );
    const dup = await sqlOne<{ n: number }>(
      db.dataSource,
      `SELECT count(*)::int AS n FROM work_items WHERE done_count <> 1`,
    );
    expect(dup?.n).toBe(0);
  });
});
