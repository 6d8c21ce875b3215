import { randomUUID } from 'crypto';
import { sqlExec, sqlOne, sqlRows } from '@izinli/database';
import {
  BusinessCalendar,
  Clock,
  ConsentBrand,
  ConsentGate,
  ConsentImporter,
  IMPORT_DEFAULTS,
  consentMigrations,
  ConsentRegistry,
  CommittedMovements,
  ImportRejectedError,
  ImportRepository,
  OutboxListener,
  RegistryRepository,
} from '@izinli/consent';
import { createTestDatabase, TestDatabase } from '@izinli/testing';

class FixedClock extends Clock {
  constructor(public at: Date) {
    super();
  }
  now(): Date {
    return this.at;
  }
}

// Wednesday 2026-11-25 12:00 Turkey time; consents of that morning are inside their registration window.
const NOW = new Date('2026-11-25T09:00:00Z');
const HEADER = 'recipient,type,status,source,consentDate,recipientType';

/** Feeds a body in pieces of `size` bytes, as a network would. */
async function* pieces(body: string | Buffer, size = 5): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const csv = (...lines: string[]) => lines.join('\n') + '\n';

describe(ConsentImporter.name, () => {
  let db: TestDatabase;
  let sut: ConsentImporter;
  let registry: ConsentRegistry;
  const tenantId = randomUUID();
  const newBrand = (over: Partial<ConsentBrand> = {}): ConsentBrand => ({
    id: randomUUID(),
    tenantId,
    iysCode: '100001',
    brandCode: String(100000 + Math.floor(Math.random() * 899999)),
    iysSync: 'PLATFORM',
    ...over,
  });

  beforeAll(async () => {
    db = await createTestDatabase(consentMigrations);
    const clock = new FixedClock(NOW);
    sut = new ConsentImporter(db.dataSource, new ImportRepository(), new BusinessCalendar(), clock);
    registry = new ConsentRegistry(db.dataSource, new RegistryRepository(), new BusinessCalendar(), clock);
  });
  afterAll(() => db.close());

  async function runImport(
    brand: ConsentBrand,
    body: string | Buffer,
    opts: { chunkBytes?: number; batchSize?: number } = {},
  ) {
    const id = await sut.receive(brand, pieces(body), { recordedBy: 'test', chunkBytes: opts.chunkBytes ?? 32 });
    await sut.process(id, { batchSize: opts.batchSize ?? 3 });
    return (await sut.summary(id, brand.tenantId, { limit: 1000 }))!;
  }

  const movementsOf = (brand: ConsentBrand) =>
    sqlRows<{
      recipient: string;
      status: string;
      stale: boolean;
      import_line: number;
      origin: string;
      state: string;
      reason: string | null;
      deadline: Date | null;
    }>(
      db.dataSource,
      `SELECT m.recipient, m.status, m.stale, m.import_line, m.origin, o.state, o.reason, o.deadline
         FROM consent_movements m JOIN iys_outbox o ON o.movement_id = m.id
        WHERE m.brand_id = $1 ORDER BY m.import_line`,
      [brand.id],
    );
  const currentOf = (brand: ConsentBrand, recipient: string) =>
    sqlOne<{ status: string; consent_date: Date; iys_state: string }>(
      db.dataSource,
      `SELECT status, consent_date, iys_state FROM consents WHERE brand_id = $1 AND recipient = $2`,
      [brand.id, recipient],
    );

  it('turns good rows into movements, pending İYS rows and current state', async () => {
    const brand = newBrand();
    const summary = await runImport(
      brand,
      csv(
        HEADER,
        ' Ayse@Example.com ,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
        '0532 111 22 33,mesaj,onay,hs_mobil,2026-11-25T10:00:00+03:00,BIREYSEL',
        'tacir@example.com,EPOSTA,ONAY,HS_FIZIKSEL_ORTAM,2026-11-24 09:00:00,TACIR',
      ),
    );
    expect(summary).toMatchObject({
      status: 'COMPLETED',
      total: 3,
      accepted: 3,
      rejected: 0,
      errors: [],
      iys: { pending: 3, accepted: 0, rejected: 0, notRequired: 0 },
      failure: null,
    });
    const rows = await movementsOf(brand);
    expect(rows.map((r) => [r.import_line, r.recipient, r.origin, r.state])).toEqual([
      [2, 'ayse@example.com', 'IMPORT', 'PENDING'],
      [3, '+905321112233', 'IMPORT', 'PENDING'],
      [4, 'tacir@example.com', 'IMPORT', 'PENDING'],
    ]);
    // The registration deadline: end of Monday 2026-11-30, Turkey time.
    expect(new Date(rows[0].deadline!).toISOString()).toBe('2026-11-30T20:59:59.999Z');
    expect(await currentOf(brand, 'ayse@example.com')).toMatchObject({ status: 'ONAY', iys_state: 'PENDING' });
    expect((await registry.get(brand, 'MESAJ', '+905321112233'))?.history[0]).toMatchObject({
      origin: 'IMPORT',
      recordedBy: 'test',
    });
    const chunks = await sqlOne<{ n: number }>(
      db.dataSource,
      `SELECT count(*)::int AS n FROM consent_import_chunks WHERE import_id = $1`,
      [summary.id],
    );
    expect(chunks?.n).toBe(0);
  });

  it('reports every row İYS would refuse with its line and code, and stores none of them', async () => {
    const brand = newBrand();
    const summary = await runImport(
      brand,
      csv(
        HEADER,
        'ok@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
        'şükrü@örnek.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
        'citizen@example.com,EPOSTA,ONAY,IYS_MOBIL,2026-11-25 11:30:00,',
        'old@example.com,EPOSTA,ONAY,HS_WEB,2026-11-19 10:00:00,',
        'future@example.com,EPOSTA,ONAY,HS_WEB,2026-11-26 10:00:00,',
        'baddate@example.com,EPOSTA,ONAY,HS_WEB,yesterday,',
        'push@example.com,PUSH,ONAY,HS_WEB,2026-11-25 11:30:00,',
        'maybe@example.com,EPOSTA,BELKI,HS_WEB,2026-11-25 11:30:00,',
        'nosource@example.com,EPOSTA,ONAY,,2026-11-25 11:30:00,',
        '+9005321112233,MESAJ,ONAY,HS_WEB,2026-11-25 11:30:00,',
        'short@example.com,EPOSTA,ONAY',
        'firstret@example.com,EPOSTA,RET,HS_WEB,2026-11-25 11:30:00,',
        'karar@example.com,EPOSTA,ONAY,HS_KARAR,2026-11-25 11:30:00,',
      ),
    );
    expect(summary).toMatchObject({ status: 'COMPLETED', total: 13, accepted: 2, rejected: 11, firstRefusals: 1 });
    expect(summary.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'INVALID_EMAIL'],
      [4, 'INVALID_SOURCE'],
      [5, 'REGISTRATION_WINDOW_PASSED'],
      [6, 'CONSENT_DATE_IN_FUTURE'],
      [7, 'INVALID_CONSENT_DATE'],
      [8, 'INVALID_TYPE'],
      [9, 'INVALID_STATUS'],
      [10, 'INVALID_SOURCE'],
      [11, 'INVALID_PHONE'],
      [12, 'WRONG_FIELD_COUNT'],
      [14, 'INVALID_SOURCE'],
    ]);
    expect(summary.errors[0].message).toContain('ş');
    expect(summary.errors.find((e) => e.line === 10)?.message).toMatch(/source is required/);
    // The first RET (line 13) is not an error: it is kept, and its outgoing row stays local (İYS would answer H175).
    expect((await movementsOf(brand)).map((r) => [r.recipient, r.state, r.reason])).toEqual([
      ['ok@example.com', 'PENDING', null],
      ['firstret@example.com', 'NOT_REQUIRED', 'FIRST_RET'],
    ]);
    expect(summary.iys).toMatchObject({ pending: 1, notRequired: 1 });
  });

  it('keeps the latest consentDate within a batch and across batches, and stores a repeat of the current state once', async () => {
    const brand = newBrand();
    const summary = await runImport(
      brand,
      csv(
        HEADER,
        'x@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 10:00:00,',
        'x@example.com,EPOSTA,RET,HS_WEB,2026-11-25 11:00:00,',
        'y@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 10:00:00,',
        'x@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 10:30:00,',
        'x@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
        'y@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 10:00:00,',
        'z@example.com,EPOSTA,RET,HS_WEB,2026-11-25 09:00:00,',
        'z@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 08:00:00,',
        'z@example.com,EPOSTA,RET,HS_WEB,2026-11-25 09:30:00,',
      ),
      { batchSize: 2 },
    );
    expect(summary).toMatchObject({ status: 'COMPLETED', total: 9, accepted: 9, rejected: 0, firstRefusals: 1 });
    expect(summary.errors).toEqual([]);
    const rows = await movementsOf(brand);
    expect(rows.map((r) => [r.import_line, r.recipient, r.status, r.stale, r.state, r.reason])).toEqual([
      [2, 'x@example.com', 'ONAY', false, 'PENDING', null],
      [3, 'x@example.com', 'RET', false, 'PENDING', null],
      [4, 'y@example.com', 'ONAY', false, 'PENDING', null],
      [5, 'x@example.com', 'ONAY', true, 'NOT_REQUIRED', 'STALE'],
      [6, 'x@example.com', 'ONAY', false, 'PENDING', null],
      // z's first movement is a RET: kept locally, it then wins over the older ONAY, and the next RET is a repeat.
      [8, 'z@example.com', 'RET', false, 'NOT_REQUIRED', 'FIRST_RET'],
      [9, 'z@example.com', 'ONAY', true, 'NOT_REQUIRED', 'STALE'],
      [10, 'z@example.com', 'RET', false, 'NOT_REQUIRED', 'ALREADY_RET'],
    ]);
    expect(await currentOf(brand, 'x@example.com')).toMatchObject({
      status: 'ONAY',
      consent_date: new Date('2026-11-25T08:30:00Z'),
    });
    expect(await currentOf(brand, 'z@example.com')).toMatchObject({ status: 'RET', iys_state: 'NOT_REQUIRED' });
    expect(summary.iys).toEqual({ pending: 4, accepted: 0, rejected: 0, notRequired: 4 });
  });

  it('keeps a RET over a local ONAY İYS never saw, without sending it, and wins against the API only with a later date', async () => {
    const brand = newBrand();
    await registry.record(
      brand,
      {
        recipient: 'api@example.com',
        type: 'EPOSTA',
        status: 'ONAY',
        source: 'HS_WEB',
        consentDate: '2026-11-25 11:00:00',
      },
      { origin: 'API', recordedBy: 'test' },
    );
    await sqlExec(db.dataSource, `UPDATE iys_outbox SET state = 'REJECTED', error_code = 'H120' WHERE brand_id = $1`, [
      brand.id,
    ]);
    await sqlExec(db.dataSource, `UPDATE consents SET iys_state = 'REJECTED' WHERE brand_id = $1`, [brand.id]);
    await registry.record(
      brand,
      {
        recipient: 'newer@example.com',
        type: 'EPOSTA',
        status: 'ONAY',
        source: 'HS_WEB',
        consentDate: '2026-11-25 11:50:00',
      },
      { origin: 'API', recordedBy: 'test' },
    );
    const summary = await runImport(
      brand,
      csv(
        HEADER,
        'api@example.com,EPOSTA,RET,HS_WEB,2026-11-25 11:30:00,',
        'newer@example.com,EPOSTA,RET,HS_WEB,2026-11-25 11:40:00,',
      ),
    );
    expect(summary).toMatchObject({ accepted: 2, rejected: 0 });
    const rows = (await movementsOf(brand)).filter((r) => r.origin === 'IMPORT');
    expect(rows.map((r) => [r.recipient, r.stale, r.state, r.reason])).toEqual([
      ['api@example.com', false, 'NOT_REQUIRED', 'FIRST_RET'],
      ['newer@example.com', true, 'NOT_REQUIRED', 'STALE'],
    ]);
    expect(await currentOf(brand, 'api@example.com')).toMatchObject({ status: 'RET' });
    expect(await currentOf(brand, 'newer@example.com')).toMatchObject({ status: 'ONAY' });
  });

  it('keeps a first RET exactly as the API does, counts it apart, and the gate blocks it', async () => {
    const brand = newBrand();
    const summary = await runImport(
      brand,
      csv(
        HEADER,
        'never-seen@example.com,EPOSTA,RET,HS_WEB,2026-11-25 11:30:00,',
        'agreed@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
      ),
    );
    expect(summary).toMatchObject({ total: 2, accepted: 2, rejected: 0, firstRefusals: 1, errors: [] });
    // The same movement recorded through the API is decided the same way: kept, blocking, not sent.
    const viaApi = await registry.record(
      brand,
      {
        recipient: 'api-never-seen@example.com',
        type: 'EPOSTA',
        status: 'RET',
        source: 'HS_WEB',
        consentDate: '2026-11-25 11:30:00',
      },
      { origin: 'API', recordedBy: 'test' },
    );
    const imported = await registry.get(brand, 'EPOSTA', 'never-seen@example.com');
    expect(imported).toMatchObject({ status: 'RET', iys: { state: 'NOT_REQUIRED', reason: 'FIRST_RET' } });
    expect(imported!.iys).toEqual(viaApi.consent.iys);
    const gate = new ConsentGate(db.dataSource, new FixedClock(NOW));
    const decided = await gate.check(
      { brandId: brand.id, tenantId },
      {
        type: 'EPOSTA',
        kind: 'COMMERCIAL',
        recipientType: 'BIREYSEL',
        recipients: ['never-seen@example.com', 'agreed@example.com'],
      },
    );
    expect(decided.map((d) => [d.recipient, d.allowed, d.reason])).toEqual([
      ['never-seen@example.com', false, 'REFUSED'],
      ['agreed@example.com', true, 'ONAY_IN_REGISTRATION_WINDOW'],
    ]);
  });

  it("stores a merchant's first row without source and consentDate, and refuses its later rows without them", async () => {
    const brand = newBrand();
    await registry.record(
      brand,
      { recipient: 'known@example.com', type: 'EPOSTA', status: 'ONAY', recipientType: 'TACIR' },
      { origin: 'API', recordedBy: 'test' },
    );
    const summary = await runImport(
      brand,
      csv(
        HEADER,
        'esnaf@example.com,EPOSTA,ONAY,,,TACIR',
        'esnaf@example.com,EPOSTA,RET,,,TACIR',
        'dated@example.com,EPOSTA,ONAY,,2026-11-25 10:00:00,tacir',
        'known@example.com,EPOSTA,RET,,2026-11-25 11:00:00,TACIR',
        'esnaf@example.com,EPOSTA,RET,HS_WEB,2026-11-25 11:00:00,TACIR',
        'person@example.com,EPOSTA,ONAY,,,',
      ),
    );
    expect(summary).toMatchObject({ total: 6, accepted: 3, rejected: 3, firstRefusals: 0 });
    expect(summary.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'TACIR_CONSENT_DATE_REQUIRED'],
      [5, 'TACIR_SOURCE_REQUIRED'],
      [7, 'INVALID_SOURCE'],
    ]);
    expect(summary.errors[0].message).toMatch(/H462.*H463/);
    const stored = await sqlRows<{
      recipient: string;
      status: string;
      source: string | null;
      consent_date: Date | null;
      state: string;
    }>(
      db.dataSource,
      `SELECT m.recipient, m.status, m.source, m.consent_date, o.state
         FROM consent_movements m JOIN iys_outbox o ON o.movement_id = m.id
        WHERE m.brand_id = $1 AND m.origin = 'IMPORT' ORDER BY m.import_line`,
      [brand.id],
    );
    expect(stored).toEqual([
      { recipient: 'esnaf@example.com', status: 'ONAY', source: null, consent_date: null, state: 'PENDING' },
      {
        recipient: 'dated@example.com',
        status: 'ONAY',
        source: null,
        consent_date: new Date('2026-11-25T07:00:00Z'),
        state: 'PENDING',
      },
      {
        recipient: 'esnaf@example.com',
        status: 'RET',
        source: 'HS_WEB',
        consent_date: new Date('2026-11-25T08:00:00Z'),
        state: 'PENDING',
      },
    ]);
    const esnaf = await registry.get(brand, 'EPOSTA', 'esnaf@example.com', 'TACIR');
    expect(esnaf).toMatchObject({ status: 'RET', source: 'HS_WEB' });
    expect(esnaf!.history.map((h) => [h.status, h.source, h.consentDate])).toEqual([
      ['ONAY', null, null],
      ['RET', 'HS_WEB', '2026-11-25T08:00:00.000Z'],
    ]);
    expect(await registry.get(brand, 'EPOSTA', 'known@example.com', 'TACIR')).toMatchObject({
      status: 'ONAY',
      history: [expect.objectContaining({ consentDate: null })],
    });
  });

  it('sends nothing to İYS for a brand that syncs İYS itself, first RETs included', async () => {
    const brand = newBrand({ iysSync: 'CUSTOMER' });
    const summary = await runImport(
      brand,
      csv(
        HEADER,
        'c1@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
        'c2@example.com,EPOSTA,RET,HS_WEB,2026-11-25 11:30:00,',
      ),
    );
    expect(summary).toMatchObject({ accepted: 2, rejected: 0, iys: { pending: 0, notRequired: 2 } });
    expect((await movementsOf(brand)).map((r) => [r.state, r.reason])).toEqual([
      ['NOT_REQUIRED', 'CUSTOMER_SYNC'],
      ['NOT_REQUIRED', 'CUSTOMER_SYNC'],
    ]);
  });

  it('resumes after a crash from the last committed batch, without duplicates', async () => {
    const brand = newBrand();
    const lines = [HEADER];
    for (let i = 1; i <= 40; i++)
      lines.push(
        i % 10 === 0
          ? `bad${i},EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,`
          : `r${i}@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,`,
      );
    const id = await sut.receive(brand, pieces(csv(...lines), 64), { recordedBy: 'test', chunkBytes: 100 });
    const crash = new Error('simulated crash');
    await expect(
      sut.process(id, {
        batchSize: 5,
        afterBatch: (n) => {
          if (n === 3) throw crash;
        },
      }),
    ).rejects.toBe(crash);
    const midway = await sqlOne<{ status: string; lines_done: number; total: number }>(
      db.dataSource,
      `SELECT status, lines_done, total FROM consent_imports WHERE id = $1`,
      [id],
    );
    // The crash struck after the third batch; the ones written beside it (up to writers - 1 of them) may have
    // committed too, always as a prefix of the file.
    expect(midway?.status).toBe('PROCESSING');
    expect([16, 21, 26].slice(0, IMPORT_DEFAULTS.writers)).toContain(midway?.lines_done);
    expect(midway?.total).toBe(midway!.lines_done - 1);
    expect(await sut.process(id, { batchSize: 5 })).toEqual({ status: 'COMPLETED', ran: true });
    const summary = (await sut.summary(id, tenantId))!;
    expect(summary).toMatchObject({ status: 'COMPLETED', total: 40, accepted: 36, rejected: 4 });
    expect(summary.errors.map((e) => e.line)).toEqual([11, 21, 31, 41]);
    const stored = await sqlOne<{ n: number; lines: number }>(
      db.dataSource,
      `SELECT count(*)::int AS n, count(DISTINCT import_line)::int AS lines FROM consent_movements WHERE import_id = $1`,
      [id],
    );
    expect(stored).toEqual({ n: 36, lines: 36 });
    // A job delivered again after the end changes nothing.
    expect(await sut.process(id)).toEqual({ status: 'COMPLETED', ran: false });
  });

  it('lets only one of two runs on the same import write each batch', async () => {
    const brand = newBrand();
    const lines = [
      HEADER,
      ...Array.from({ length: 12 }, (_, i) => `twice${i}@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,`),
    ];
    const id = await sut.receive(brand, pieces(csv(...lines)), { recordedBy: 'test', chunkBytes: 50 });
    const runs = await Promise.all([sut.process(id, { batchSize: 2 }), sut.process(id, { batchSize: 2 })]);
    expect(runs.filter((r) => r.ran)).toHaveLength(1);
    expect(await sut.summary(id, tenantId)).toMatchObject({ status: 'COMPLETED', total: 12, accepted: 12 });
    const stored = await sqlOne<{ n: number }>(
      db.dataSource,
      `SELECT count(*)::int AS n FROM consent_movements WHERE import_id = $1`,
      [id],
    );
    expect(stored?.n).toBe(12);
  });

  it('tells the outbox listener about each committed batch, so its rows start for İYS at once', async () => {
    const events: CommittedMovements[] = [];
    const listener = new (class extends OutboxListener {
      async movementsCommitted(e: CommittedMovements) {
        events.push(e);
      }
    })();
    const withListener = new ConsentImporter(
      db.dataSource,
      new ImportRepository(),
      new BusinessCalendar(),
      new FixedClock(NOW),
      listener,
    );
    const brand = newBrand();
    const lines = [
      HEADER,
      ...Array.from({ length: 5 }, (_, i) => `told${i}@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,`),
      'told0@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 10:00:00,',
    ];
    const id = await withListener.receive(brand, pieces(csv(...lines)), { recordedBy: 'test' });
    await withListener.process(id, { batchSize: 2 });
    expect(events.every((e) => e.brandId === brand.id)).toBe(true);
    expect(events.flatMap((e) => e.movementIds)).toHaveLength(6);
    const outbox = events.flatMap((e) => e.outbox);
    expect(outbox.map((o) => o.state).sort()).toEqual([
      'NOT_REQUIRED',
      'PENDING',
      'PENDING',
      'PENDING',
      'PENDING',
      'PENDING',
    ]);
    const pendingIds = await sqlRows<{ id: string }>(
      db.dataSource,
      `SELECT o.id::text AS id FROM iys_outbox o JOIN consent_movements m ON m.id = o.movement_id WHERE m.import_id = $1 AND o.state = 'PENDING' ORDER BY o.id`,
      [id],
    );
    // The same rows, whatever order a batch's INSERT handed out ids in.
    const byNumber = (a: string, b: string) => Number(a) - Number(b);
    expect(
      outbox
        .filter((o) => o.state === 'PENDING')
        .map((o) => String(o.id))
        .sort(byNumber),
    ).toEqual(pendingIds.map((r) => r.id).sort(byNumber));
  });

  it('reads the same rows whatever the chunk boundaries: split lines, quoted fields, multi-byte letters and CRLF', async () => {
    const body = Buffer.from(
      '\ufeff' +
        [
          'Recipient , TYPE,status,source,consentDate',
          '"q1@example.com","EPOSTA","ONAY","HS_WEB","2026-11-25 11:30:00"',
          '',
          '"çağla@example.com",EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00',
          '"multi',
          'line@example.com",EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00',
          'q2@example.com,EPOSTA,ONAY,"HS_WEB","2026-11-25 11:30:00"',
          'q3@example.com,EPOSTA,"ONAY, RET",HS_WEB,2026-11-25 11:30:00',
        ].join('\r\n') +
        '\r\n',
      'utf8',
    );
    const outcomes: unknown[] = [];
    for (const chunkBytes of [1, 2, 3, 7, 1024]) {
      const summary = await runImport(newBrand(), body, { chunkBytes, batchSize: 2 });
      outcomes.push({
        total: summary.total,
        accepted: summary.accepted,
        errors: summary.errors.map((e) => [e.line, e.code, e.message]),
      });
    }
    expect(outcomes[0]).toMatchObject({
      total: 5,
      accepted: 2,
      errors: [
        [4, 'INVALID_EMAIL', expect.stringContaining("'ç'")],
        [5, 'INVALID_EMAIL', expect.any(String)],
        [8, 'INVALID_STATUS', expect.any(String)],
      ],
    });
    for (const o of outcomes) expect(o).toEqual(outcomes[0]);
  });

  it('reports a quote never closed at its line and imports the rows before it', async () => {
    const summary = await runImport(
      newBrand(),
      csv(
        HEADER,
        'a1@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
        '"a2@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
        'a3@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
      ),
    );
    expect(summary).toMatchObject({ status: 'COMPLETED', total: 2, accepted: 1, rejected: 1 });
    expect(summary.errors).toEqual([expect.objectContaining({ line: 3, code: 'MALFORMED_CSV' })]);
  });

  it('fails an import whose row is too long to be a row, keeping the rows before it', async () => {
    const body = csv(
      HEADER,
      'b1@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
      '"b2' + 'x,'.repeat(40_000),
      'b3@example.com,EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,',
    );
    const summary = await runImport(newBrand(), body, { chunkBytes: 4096 });
    expect(summary).toMatchObject({ status: 'FAILED', total: 1, accepted: 1 });
    expect(summary.failure).toMatch(/^Line 3: .*never closed/);
  });

  it('refuses a file without a usable header or over the size limit, and keeps nothing of it', async () => {
    const count = async () =>
      (await sqlOne<{ n: number }>(db.dataSource, `SELECT count(*)::int AS n FROM consent_imports`))!.n;
    const before = await count();
    const brand = newBrand();
    const refusal = (body: string, maxBytes?: number) =>
      sut.receive(brand, pieces(body, 4), { recordedBy: 'test', chunkBytes: 8, maxBytes }).then(
        () => undefined,
        (e: unknown) => e as ImportRejectedError,
      );
    expect(await refusal('')).toMatchObject({ code: 'INVALID_CSV_HEADER' });
    expect(await refusal('a@example.com,EPOSTA,ONAY\n')).toMatchObject({
      code: 'INVALID_CSV_HEADER',
      message: expect.stringContaining('missing column(s) recipient, type, status'),
    });
    expect(await refusal('recipient,type,status,consent_date\nx\n')).toMatchObject({
      code: 'INVALID_CSV_HEADER',
      message: expect.stringContaining('unknown column(s) "consent_date"'),
    });
    expect(
      await refusal(csv(HEADER, 'x@example.com,EPOSTA,ONAY,HS_WEB,,', 'y@example.com,EPOSTA,ONAY,HS_WEB,,'), 60),
    ).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await count()).toBe(before);
    const chunks = await sqlOne<{ n: number }>(
      db.dataSource,
      `SELECT count(*)::int AS n FROM consent_import_chunks c LEFT JOIN consent_imports i ON i.id = c.import_id WHERE i.id IS NULL`,
    );
    expect(chunks?.n).toBe(0);
  });

  it('dates a row without consentDate at the upload and reads a file with only the required columns', async () => {
    const brand = newBrand();
    const summary = await runImport(brand, csv('recipient,type,status', 'nodate@example.com,EPOSTA,ONAY'));
    // No source column: İYS needs one (H113), so the row is refused rather than given an invented source.
    expect(summary.errors.map((e) => e.code)).toEqual(['INVALID_SOURCE']);
    const withSource = await runImport(
      brand,
      csv('recipient,type,status,source', 'nodate@example.com,EPOSTA,ONAY,HS_WEB'),
    );
    expect(withSource).toMatchObject({ accepted: 1, rejected: 0 });
    const row = await currentOf(brand, 'nodate@example.com');
    expect(Math.abs(new Date(row!.consent_date).getTime() - withSource.createdAt.getTime())).toBeLessThan(1000);
  });

  it('shows an import only to its own tenant, with its errors paged by line', async () => {
    const brand = newBrand();
    const lines = [HEADER, ...Array.from({ length: 5 }, (_, i) => `bad${i},EPOSTA,ONAY,HS_WEB,2026-11-25 11:30:00,`)];
    const id = await sut.receive(brand, pieces(csv(...lines)), { recordedBy: 'test' });
    expect((await sut.summary(id, tenantId))?.status).toBe('QUEUED');
    await sut.process(id);
    expect(await sut.summary(id, randomUUID())).toBeUndefined();
    expect(await sut.summary('not-a-uuid', tenantId)).toBeUndefined();
    const first = (await sut.summary(id, tenantId, { limit: 2 }))!;
    expect(first).toMatchObject({ rejected: 5, nextAfterLine: 3 });
    expect(first.errors.map((e) => e.line)).toEqual([2, 3]);
    const last = (await sut.summary(id, tenantId, { limit: 2, afterLine: 5 }))!;
    expect(last.errors.map((e) => e.line)).toEqual([6]);
    expect(last.nextAfterLine).toBeNull();
  });
});
