import { randomUUID } from 'crypto';
import { sqlExec, sqlOne, sqlRows } from '@izinli/database';
import {
  BusinessCalendar,
  Clock,
  ConsentBrand,
  ConsentGate,
  ConsentRegistry,
  consentMigrations,
  decideGate,
  GateReason,
  InvalidMovementError,
  IysSyncState,
  MovementInput,
  RecipientType,
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

// Wednesday 2026-11-25 12:00 Turkey time: three business days later is Monday 2026-11-30, end of day.
const NOW = new Date('2026-11-25T09:00:00Z');

const movement = (over: Partial<MovementInput> = {}): MovementInput => ({
  recipient: `user${Math.random().toString(36).slice(2, 8)}@example.com`,
  type: 'EPOSTA',
  status: 'ONAY',
  source: 'HS_WEB',
  consentDate: '2026-11-25 11:30:00',
  ...over,
});

describe(ConsentRegistry.name, () => {
  let db: TestDatabase;
  let clock: FixedClock;
  let sut: ConsentRegistry;
  let gate: ConsentGate;
  const brand: ConsentBrand = {
    id: randomUUID(),
    tenantId: randomUUID(),
    iysCode: '100001',
    brandCode: '100001',
    iysSync: 'PLATFORM',
  };
  const customerBrand: ConsentBrand = {
    id: randomUUID(),
    tenantId: brand.tenantId,
    iysCode: '100001',
    brandCode: '100009',
    iysSync: 'CUSTOMER',
  };
  const meta = { origin: 'API' as const, recordedBy: 'test' };

  beforeAll(async () => {
    db = await createTestDatabase(consentMigrations);
    clock = new FixedClock(NOW);
    sut = new ConsentRegistry(db.dataSource, new RegistryRepository(), new BusinessCalendar(), clock);
    gate = new ConsentGate(db.dataSource, clock);
  });
  afterAll(() => db.close());
  beforeEach(() => {
    clock.at = NOW;
  });

  const outboxOf = (recipient: string) =>
    sqlRows<{ state: IysSyncState; reason: string | null; status: string; deadline: Date }>(
      db.dataSource,
      `SELECT state, reason, status, deadline FROM iys_outbox WHERE recipient = $1 ORDER BY id`,
      [recipient],
    );

  it('records an ONAY with its evidence, a pending outgoing row and its registration deadline', async () => {
    const input = movement({
      recipient: '  Ayse.Yilmaz@Example.COM ',
      evidence: { ip: '203.0.113.9', consentText: 'Kampanyalardan haberdar olmak istiyorum', consentTextVersion: 'v3' },
    });
    const { consent, stale, duplicate } = await sut.record(brand, input, meta);
    expect({ stale, duplicate }).toEqual({ stale: false, duplicate: false });
    expect(consent).toMatchObject({
      recipient: 'ayse.yilmaz@example.com',
      status: 'ONAY',
      source: 'HS_WEB',
      recipientType: 'BIREYSEL',
      iys: { state: 'PENDING' },
    });
    expect(consent.consentDate).toBe('2026-11-25T08:30:00.000Z');
    expect(consent.history).toHaveLength(1);
    expect(consent.history[0].evidence).toEqual({
      ip: '203.0.113.9',
      consentText: 'Kampanyalardan haberdar olmak istiyorum',
      consentTextVersion: 'v3',
    });
    const out = await outboxOf('ayse.yilmaz@example.com');
    expect(out).toEqual([expect.objectContaining({ state: 'PENDING', status: 'ONAY' })]);
    // End of Monday 2026-11-30 in Turkey time.
    expect(new Date(out[0].deadline).toISOString()).toBe('2026-11-30T20:59:59.999Z');
  });

  it('keeps the latest consentDate and answers an older movement as stale, keeping it in the history', async () => {
    const recipient = 'latest@example.com';
    await sut.record(brand, movement({ recipient, consentDate: '2026-11-25 10:00:00' }), meta);
    await sut.record(brand, movement({ recipient, status: 'RET', consentDate: '2026-11-25 11:00:00' }), meta);
    const older = await sut.record(
      brand,
      movement({ recipient, status: 'ONAY', consentDate: '2026-11-25 10:30:00' }),
      meta,
    );
    expect(older.stale).toBe(true);
    expect(older.consent.status).toBe('RET');
    expect(older.consent.history.map((h) => [h.status, h.stale])).toEqual([
      ['ONAY', false],
      ['ONAY', true],
      ['RET', false],
    ]);
    expect((await outboxOf(recipient)).map((o) => [o.status, o.state, o.reason])).toEqual([
      ['ONAY', 'PENDING', null],
      ['RET', 'PENDING', null],
      ['ONAY', 'NOT_REQUIRED', 'STALE'],
    ]);
  });

  it('keeps a first RET locally without sending it to İYS, and it blocks', async () => {
    const recipient = 'never-seen@example.com';
    const { consent } = await sut.record(brand, movement({ recipient, status: 'RET' }), meta);
    expect(consent.iys).toMatchObject({ state: 'NOT_REQUIRED', reason: 'FIRST_RET' });
    const [d] = await gate.check(
      { brandId: brand.id, tenantId: brand.tenantId },
      { type: 'EPOSTA', kind: 'COMMERCIAL', recipients: [recipient], recipientType: 'BIREYSEL' },
    );
    expect(d).toMatchObject({ allowed: false, reason: 'REFUSED' });
  });

  it("records a merchant's first record without consentDate and source, and refuses a later one without them", async () => {
    const recipient = 'esnaf@example.com';
    const tacir = { recipient, type: 'EPOSTA' as const, recipientType: 'TACIR' as const };
    const first = await sut.record(brand, { ...tacir, status: 'ONAY' }, meta);
    expect(first.consent).toMatchObject({ status: 'ONAY', source: null, consentDate: null, iys: { state: 'PENDING' } });
    expect(first.consent.history).toEqual([expect.objectContaining({ source: null, consentDate: null })]);
    // A retry of the same first record is the same movement, not a later one.
    expect((await sut.record(brand, { ...tacir, status: 'ONAY' }, meta)).duplicate).toBe(true);
    const [allowed] = await gate.check(
      { brandId: brand.id, tenantId: brand.tenantId },
      { type: 'EPOSTA', kind: 'COMMERCIAL', recipients: [recipient], recipientType: 'TACIR' },
    );
    expect(allowed).toMatchObject({
      allowed: true,
      reason: 'TACIR_NOT_REFUSED',
      movement: { consentDate: null, source: null },
    });

    for (const [later, code] of [
      [{ status: 'RET' as const }, 'TACIR_CONSENT_DATE_REQUIRED'],
      [{ status: 'RET' as const, source: null, consentDate: null }, 'TACIR_CONSENT_DATE_REQUIRED'],
      [{ status: 'RET' as const, consentDate: '2026-11-25 11:00:00' }, 'TACIR_SOURCE_REQUIRED'],
    ] as const) {
      const err = await sut.record(brand, { ...tacir, ...later }, meta).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidMovementError);
      expect((err as InvalidMovementError).problems[0].code).toBe(code);
    }
    expect(await outboxOf(recipient)).toHaveLength(1);

    // Dated before the undated record was stored, and still its successor: İYS orders an undated record first.
    const ret = await sut.record(
      brand,
      { ...tacir, status: 'RET', source: 'HS_WEB', consentDate: '2026-11-24 09:00:00' },
      meta,
    );
    expect(ret).toMatchObject({ stale: false, consent: { status: 'RET', source: 'HS_WEB' } });
    expect((await outboxOf(recipient)).map((o) => [o.status, o.state])).toEqual([
      ['ONAY', 'PENDING'],
      ['RET', 'PENDING'],
    ]);
    // An individual's record still needs a source.
    await expect(
      sut.record(brand, { recipient, type: 'EPOSTA', status: 'ONAY', recipientType: 'BIREYSEL' }, meta),
    ).rejects.toMatchObject({ problems: [expect.objectContaining({ code: 'INVALID_SOURCE' })] });
  });

  it('treats an identical re-submission as the same movement', async () => {
    const input = movement({ recipient: 'retry@example.com' });
    await sut.record(brand, input, meta);
    const again = await sut.record(brand, input, meta);
    expect(again.duplicate).toBe(true);
    expect(again.consent.history).toHaveLength(1);
    expect(await outboxOf('retry@example.com')).toHaveLength(1);
  });

  it('records a movement given onlyIfInForce only while that movement is still the one in force', async () => {
    const recipient = 'inforce@example.com';
    const first = await sut.record(
      brand,
      movement({ recipient, status: 'RET', source: 'HS_EPOSTA', consentDate: '2026-11-25 11:30:00' }),
      meta,
    );
    const read = { status: first.consent.status, source: first.consent.source, consentDate: first.consent.consentDate };
    // Another movement lands after the read, dated before what the caller is about to record.
    await sut.record(
      brand,
      movement({ recipient, status: 'RET', source: 'HS_WEB', consentDate: '2026-11-25 11:30:05' }),
      meta,
    );
    const refused = await sut.record(
      brand,
      movement({ recipient, status: 'ONAY', source: 'HS_WEB', consentDate: '2026-11-25 11:30:10' }),
      { ...meta, onlyIfInForce: read },
    );
    expect({ conflict: refused.conflict, stale: refused.stale, duplicate: refused.duplicate }).toEqual({
      conflict: true,
      stale: false,
      duplicate: false,
    });
    expect(refused.consent).toMatchObject({ status: 'RET', source: 'HS_WEB' });
    expect(refused.consent.history).toHaveLength(2);
    expect(await outboxOf(recipient)).toHaveLength(2);
    // Read again, the same movement goes through.
    const now = {
      status: refused.consent.status,
      source: refused.consent.source,
      consentDate: refused.consent.consentDate,
    };
    const recorded = await sut.record(
      brand,
      movement({ recipient, status: 'ONAY', source: 'HS_WEB', consentDate: '2026-11-25 11:30:10' }),
      { ...meta, onlyIfInForce: now },
    );
    expect({ conflict: recorded.conflict, stale: recorded.stale }).toEqual({ conflict: false, stale: false });
    expect(recorded.consent.status).toBe('ONAY');
    // A key with nothing recorded is never "still" anything.
    const unknown = await sut.record(brand, movement({ recipient: 'never@example.com' }), {
      ...meta,
      onlyIfInForce: now,
    });
    expect(unknown.conflict).toBe(true);
    expect(await outboxOf('never@example.com')).toHaveLength(0);
  });

  it('refuses what İYS would refuse and stores nothing', async () => {
    const cases: [Partial<MovementInput>, string][] = [
      [{ recipient: 'şükrü@örnek.com' }, 'INVALID_EMAIL'],
      [{ source: 'IYS_MOBIL' }, 'INVALID_SOURCE'],
      [{ source: 'HS_KARAR', status: 'ONAY' }, 'INVALID_SOURCE'],
      [{ consentDate: '2026-11-19 10:00:00' }, 'REGISTRATION_WINDOW_PASSED'],
      [{ consentDate: '2026-11-26 10:00:00' }, 'CONSENT_DATE_IN_FUTURE'],
      [{ consentDate: '2026-02-30 10:00:00' }, 'INVALID_CONSENT_DATE'],
      [{ type: 'MESAJ', recipient: '+9005321112233' }, 'INVALID_PHONE'],
    ];
    for (const [over, code] of cases) {
      const err = await sut
        .record(brand, movement({ recipient: 'refused@example.com', ...over }), meta)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidMovementError);
      expect((err as InvalidMovementError).problems.map((p) => p.code)).toContain(code);
    }
    const n = await sqlOne<{ n: number }>(
      db.dataSource,
      `SELECT count(*)::int AS n FROM consent_movements WHERE recipient LIKE 'refused%' OR source = 'IYS_MOBIL'`,
    );
    expect(n?.n).toBe(0);
  });

  it('normalises phone numbers for MESAJ', async () => {
    const { consent } = await sut.record(brand, movement({ type: 'MESAJ', recipient: '0532 111 22 33' }), meta);
    expect(consent.recipient).toBe('+905321112233');
  });

  it('never lets evidence be changed or removed', async () => {
    await sut.record(brand, movement({ recipient: 'proof@example.com', evidence: { ip: '198.51.100.1' } }), meta);
    await expect(
      sqlExec(db.dataSource, `UPDATE consent_movements SET evidence = NULL WHERE recipient = 'proof@example.com'`),
    ).rejects.toThrow(/append-only/);
    await expect(
      sqlExec(db.dataSource, `DELETE FROM consent_movements WHERE recipient = 'proof@example.com'`),
    ).rejects.toThrow(/append-only/);
  });

  it('sends nothing to İYS for a brand that syncs İYS itself, and lets its consents through', async () => {
    const recipient = 'customer-sync@example.com';
    const { consent } = await sut.record(customerBrand, movement({ recipient }), meta);
    expect(consent.iys).toMatchObject({ state: 'NOT_REQUIRED', reason: 'CUSTOMER_SYNC' });
    const [d] = await gate.check(
      { brandId: customerBrand.id, tenantId: customerBrand.tenantId },
      { type: 'EPOSTA', kind: 'COMMERCIAL', recipients: [recipient], recipientType: 'BIREYSEL' },
    );
    expect(d).toMatchObject({ allowed: true, reason: 'ONAY_SYNCED_BY_SERVICE_PROVIDER' });
  });

  it('serialises concurrent movements of one key: the latest consentDate wins whatever the arrival order', async () => {
    const recipient = 'race@example.com';
    const dates = ['2026-11-25 09:00:01', '2026-11-25 09:00:05', '2026-11-25 09:00:03', '2026-11-25 09:00:02'];
    await Promise.all(
      dates.map((d, i) =>
        sut.record(brand, movement({ recipient, consentDate: d, status: i % 2 ? 'RET' : 'ONAY' }), meta),
      ),
    );
    const view = await sut.get(brand, 'EPOSTA', recipient);
    expect(view?.consentDate).toBe('2026-11-25T06:00:05.000Z');
    expect(view?.status).toBe('RET');
    expect(view?.history).toHaveLength(4);
  });
});

describe(`${ConsentGate.name} agrees with decideGate`, () => {
  let db: TestDatabase;
  const clock = new (class extends Clock {
    now() {
      return NOW;
    }
  })();
  const brandId = randomUUID();
  const tenantId = randomUUID();
  beforeAll(async () => {
    db = await createTestDatabase(consentMigrations);
  });
  afterAll(() => db.close());

  it('gives the same answer in SQL as the policy function for every combination of states', async () => {
    const statuses = [null, 'ONAY', 'RET'] as const;
    const states: IysSyncState[] = ['PENDING', 'ACCEPTED', 'REJECTED', 'NOT_REQUIRED'];
    const deadlines = [new Date(NOW.getTime() + 3600_000), new Date(NOW.getTime() - 3600_000)];
    const types: RecipientType[] = ['BIREYSEL', 'TACIR'];
    const cases: {
      recipient: string;
      recipientType: RecipientType;
      status: (typeof statuses)[number];
      state: IysSyncState;
      deadline: Date;
      suppressed: boolean;
    }[] = [];
    let n = 0;
    for (const recipientType of types)
      for (const status of statuses)
        for (const state of states)
          for (const deadline of deadlines)
            for (const suppressed of [false, true])
              cases.push({ recipient: `c${n++}@example.com`, recipientType, status, state, deadline, suppressed });
    const movementId = await sqlOne<{ id: string }>(
      db.dataSource,
      `INSERT INTO consent_movements (brand_id, type, recipient, recipient_type, status, source, consent_date, origin, recorded_by)
       VALUES ($1, 'EPOSTA', 'seed@example.com', 'BIREYSEL', 'ONAY', 'HS_WEB', now(), 'API', 'test') RETURNING id`,
      [brandId],
    );
    for (const c of cases) {
      if (c.status) {
        await sqlExec(
          db.dataSource,
          `INSERT INTO consents (brand_id, type, recipient, recipient_type, status, source, consent_date, movement_id, iys_state, registration_deadline)
           VALUES ($1, 'EPOSTA', $2, $3, $4, 'HS_WEB', now(), $5, $6, $7)`,
          [brandId, c.recipient, c.recipientType, c.status, movementId!.id, c.state, c.deadline],
        );
      }
      if (c.suppressed)
        await sqlExec(
          db.dataSource,
          `INSERT INTO suppressions (email, tenant_id, reason, origin) VALUES ($1, NULL, 'HARD_BOUNCE', 'test')`,
          [c.recipient],
        );
    }
    const gate = new ConsentGate(db.dataSource, clock);
    for (const kind of ['COMMERCIAL', 'TRANSACTIONAL'] as const) {
      for (const recipientType of types) {
        const subset = cases.filter((c) => c.recipientType === recipientType);
        const sqlAnswers = await gate.check(
          { brandId, tenantId },
          { type: 'EPOSTA', kind, recipients: subset.map((c) => c.recipient), recipientType },
        );
        const expected: GateReason[] = subset.map((c) =>
          decideGate({
            kind,
            recipientType,
            suppressed: c.suppressed,
            now: NOW,
            consent: c.status ? { status: c.status, iysState: c.state, registrationDeadline: c.deadline } : null,
          }),
        );
        expect(sqlAnswers.map((a) => a.reason)).toEqual(expected);
      }
    }
  });

  it('applies a service provider suppression only to that tenant, and a platform one to all', async () => {
    const other = randomUUID();
    await sqlExec(
      db.dataSource,
      `INSERT INTO suppressions (email, tenant_id, reason, origin) VALUES ('tenant-only@example.com', $1, 'MANUAL', 'test')`,
      [tenantId],
    );
    const gate = new ConsentGate(db.dataSource, clock);
    const mine = await gate.check(
      { brandId, tenantId },
      { type: 'EPOSTA', kind: 'TRANSACTIONAL', recipients: ['tenant-only@example.com'], recipientType: 'BIREYSEL' },
    );
    const theirs = await gate.check(
      { brandId, tenantId: other },
      { type: 'EPOSTA', kind: 'TRANSACTIONAL', recipients: ['tenant-only@example.com'], recipientType: 'BIREYSEL' },
    );
    expect(mine[0].reason).toBe('SUPPRESSED');
    expect(theirs[0].reason).toBe('CONSENT_NOT_REQUIRED');
  });
});
