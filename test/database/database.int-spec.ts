import { MigrationInterface, QueryRunner } from 'typeorm';
import { sqlExec, sqlOne, sqlRows } from '@izinli/database';
import { createTestDatabase, TestDatabase, testDatabaseUrl } from '@izinli/testing';
import { allMigrations } from '../../apps/campaigns/src/app.module';

class CreateScratch1700000000000 implements MigrationInterface {
  name = 'CreateScratch1700000000000';
  async up(q: QueryRunner) {
    await q.query(
      `CREATE TABLE scratch (id int PRIMARY KEY, v text NOT NULL); CREATE TABLE scratch_two (id int PRIMARY KEY);`,
    );
  }
  async down(q: QueryRunner) {
    await q.query(`DROP TABLE scratch_two; DROP TABLE scratch;`);
  }
}

const mode = testDatabaseUrl() ? 'PostgreSQL server' : 'embedded PGlite';

describe(`database (${mode})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase([...allMigrations, CreateScratch1700000000000]);
  });
  afterAll(async () => {
    await db.close();
  });

  it('has run every migration, recorded in schema_migrations', async () => {
    const rows = await sqlRows<{ name: string }>(db.dataSource, 'SELECT name FROM schema_migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining([...allMigrations, CreateScratch1700000000000].map((m) => new m().name)),
    );
    const t = await sqlOne<{ n: number }>(
      db.dataSource,
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('service_providers','api_keys','brands')`,
    );
    expect(t?.n).toBe(3);
  });

  it('answers affected counts and typed rows the same way in both modes', async () => {
    expect(
      await sqlExec(db.dataSource, `INSERT INTO scratch (id, v) SELECT g, 'x' || g FROM generate_series(1, 5) g`),
    ).toBe(5);
    expect(await sqlExec(db.dataSource, `UPDATE scratch SET v = 'y' WHERE id <= $1`, [3])).toBe(3);
    const row = await sqlOne<{ n: number; now: Date }>(
      db.dataSource,
      `SELECT count(*)::int AS n, now() AS now FROM scratch WHERE v = 'y'`,
    );
    expect(row?.n).toBe(3);
    expect(row?.now).toBeInstanceOf(Date);
  });

  it('rolls back a transaction that fails midway, leaving nothing half-written', async () => {
    await expect(
      db.dataSource.transaction(async (m) => {
        await sqlExec(m, `INSERT INTO scratch (id, v) VALUES (100, 'a')`);
        await sqlExec(m, `INSERT INTO scratch (id, v) VALUES (100, 'duplicate')`);
      }),
    ).rejects.toThrow();
    expect(await sqlOne(db.dataSource, `SELECT 1 FROM scratch WHERE id = 100`)).toBeUndefined();
  });

  it('keeps concurrent transactions apart', async () => {
    // Two transactions interleaved in time: neither may see the other's uncommitted row, and a rollback of
    // one must not undo the other. (Embedded mode serialises them on its single session.)
    const slow = db.dataSource.transaction(async (m) => {
      await sqlExec(m, `INSERT INTO scratch_two (id) VALUES (1)`);
      await new Promise((r) => setTimeout(r, 100));
      throw new Error('roll me back');
    });
    const fast = db.dataSource.transaction(async (m) => {
      const seen = await sqlOne<{ n: number }>(m, `SELECT count(*)::int AS n FROM scratch_two`);
      await sqlExec(m, `INSERT INTO scratch_two (id) VALUES (2)`);
      return seen?.n;
    });
    const [slowResult, fastSeen] = await Promise.allSettled([slow, fast]);
    expect(slowResult.status).toBe('rejected');
    expect(fastSeen).toEqual({ status: 'fulfilled', value: 0 });
    const ids = await sqlRows<{ id: number }>(db.dataSource, `SELECT id FROM scratch_two ORDER BY id`);
    expect(ids.map((r) => r.id)).toEqual([2]);
  });
});
