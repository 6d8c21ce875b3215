// The consent gate, set-wise (design.md principle 2): decide a 1,000,000-recipient audience against 1,000,000
// consent records with ONE statement, written into a ledger-like table (a real sink, not a count): at most 10 s.
// Then, on a 100,000-recipient sample, the same decisions once set-wise and once one query per recipient
// (`ConsentGate.check` with a single recipient per call): the set-wise way must be at least 20 times faster.
//
// Runs against the PostgreSQL server (IZINLI_BENCH_DATABASE_URL, else DATABASE_URL, else the local default) in a
// database of its own, dropped at the end.
import { randomUUID } from 'crypto';
import { ConsentGate, GateResult, SystemClock } from '@izinli/consent';
import { sqlExec, sqlRows } from '@izinli/database';
import { createBenchDatabase, serverSettings } from './bench-database';
import { timed, writeResult } from './bench-kit';

const CONSENTS = 1_000_000;
const AUDIENCE = 1_000_000;
/** Audience members with no consent record at all (NO_CONSENT), beyond the ones that have one. */
const UNKNOWN = 100_000;
const SAMPLE = 100_000;
const ROUNDS = 3;
const TARGET_MS = 10_000;
const TARGET_RATIO = 20;

async function seed(ds: import('typeorm').DataSource, brandId: string, tenantId: string): Promise<void> {
  // Every tenth address a merchant (TACIR), every seventh refused; the rest approved in every İYS state the gate
  // distinguishes, half of the pending ones past their registration deadline.
  await sqlExec(
    ds,
    `INSERT INTO consent_movements (brand_id, type, recipient, recipient_type, status, source, consent_date, origin, recorded_by, iys_transaction_id)
     SELECT $1, 'EPOSTA', 'user' || g || '@example.com', CASE WHEN g % 10 = 0 THEN 'TACIR' ELSE 'BIREYSEL' END,
            CASE WHEN g % 7 = 0 THEN 'RET' ELSE 'ONAY' END, 'HS_WEB', now() - interval '1 day', 'API', 'bench',
            CASE WHEN g % 5 < 3 THEN 'tx-' || g END
       FROM generate_series(1, $2::int) g`,
    [brandId, CONSENTS],
  );
  await sqlExec(
    ds,
    `INSERT INTO consents (brand_id, type, recipient, recipient_type, status, source, consent_date, movement_id, iys_state, iys_transaction_id, registration_deadline)
     SELECT brand_id, type, recipient, recipient_type, status, source, consent_date, id,
            CASE WHEN id % 5 < 3 THEN 'ACCEPTED' WHEN id % 5 = 3 THEN 'PENDING' WHEN id % 20 = 4 THEN 'REJECTED' ELSE 'NOT_REQUIRED' END,
            iys_transaction_id,
            CASE WHEN id % 2 = 0 THEN now() + interval '2 days' ELSE now() - interval '1 day' END
       FROM consent_movements`,
  );
  await sqlExec(
    ds,
    `CREATE TABLE bench_audience (id int PRIMARY KEY, recipient text NOT NULL, recipient_type text NOT NULL);
     INSERT INTO bench_audience
     SELECT g, 'user' || g || '@example.com', CASE WHEN g % 10 = 0 THEN 'TACIR' ELSE 'BIREYSEL' END
       FROM generate_series(${CONSENTS + UNKNOWN - AUDIENCE + 1}, ${CONSENTS + UNKNOWN}) g`,
  );
  // One address in a hundred suppressed platform-wide, and some more for this tenant only.
  await sqlExec(
    ds,
    `INSERT INTO suppressions (email, tenant_id, reason, origin)
     SELECT 'user' || g || '@example.com', CASE WHEN g % 200 = 0 THEN $1::uuid END, 'HARD_BOUNCE', 'bench'
       FROM generate_series(1, ${CONSENTS + UNKNOWN}, 100) g`,
    [tenantId],
  );
  await sqlExec(
    ds,
    `CREATE TABLE bench_ledger (
       recipient text NOT NULL, recipient_type text NOT NULL, allowed boolean NOT NULL, reason text NOT NULL,
       movement_id bigint, relied_consent_date timestamptz, relied_source text, relied_transaction_id text)`,
  );
  await sqlExec(ds, `VACUUM ANALYZE`);
}

async function main(): Promise<void> {
  const db = await createBenchDatabase('gate');
  try {
    const { ds } = db;
    const brandId = randomUUID();
    const tenantId = randomUUID();
    const settings = await serverSettings(ds);
    const seeded = await timed(() => seed(ds, brandId, tenantId));
    console.log(
      `seeded ${CONSENTS} consents and a ${AUDIENCE}-recipient audience in ${(seeded.ms / 1000).toFixed(1)} s`,
    );

    const gateSql = ConsentGate.buildGateSql('SELECT recipient, recipient_type FROM bench_audience', {
      brandId: '$1',
      tenantId: '$2',
      type: '$3',
      kind: '$4',
      now: '$5',
      suppressionLookup: 'hash',
    });
    const fill = `INSERT INTO bench_ledger (recipient, recipient_type, allowed, reason, movement_id, relied_consent_date, relied_source, relied_transaction_id)
      SELECT g.recipient, g.recipient_type, g.allowed, g.reason, g.movement_id, g.relied_consent_date, g.relied_source, g.relied_transaction_id
        FROM (${gateSql}) g`;
    const rounds: number[] = [];
    let written = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await sqlExec(ds, `TRUNCATE bench_ledger`);
      const r = await timed(() => sqlExec(ds, fill, [brandId, tenantId, 'EPOSTA', 'COMMERCIAL', new Date()]));
      rounds.push(r.ms);
      written = r.value;
      console.log(`round ${i + 1}: ${written} decisions written in ${(r.ms / 1000).toFixed(2)} s`);
    }
    const reasons = await sqlRows<{ reason: string; n: number }>(
      ds,
      `SELECT reason, count(*)::int AS n FROM bench_ledger GROUP BY reason ORDER BY reason`,
    );
    const fullMs = [...rounds].sort((a, b) => a - b)[Math.floor(rounds.length / 2)];

    // The sample: BIREYSEL members in a scattered order, so neither way benefits from reading the table in order.
    const sample = (
      await sqlRows<{ recipient: string }>(
        ds,
        `SELECT recipient FROM bench_audience WHERE recipient_type = 'BIREYSEL' ORDER BY md5(id::text) LIMIT $1`,
        [SAMPLE],
      )
    ).map((r) => r.recipient);
    const gate = new ConsentGate(ds, new SystemClock());
    const scope = { brandId, tenantId };
    const ask = (recipients: string[]) =>
      gate.check(scope, { type: 'EPOSTA', kind: 'COMMERCIAL', recipients, recipientType: 'BIREYSEL' });
    await ask(sample.slice(0, 1000));
    const setWise = await timed(() => ask(sample));
    console.log(`sample set-wise: ${sample.length} decisions in ${(setWise.ms / 1000).toFixed(2)} s`);
    const oneByOne = await timed(async () => {
      const out: GateResult[] = [];
      for (const r of sample) out.push(...(await ask([r])));
      return out;
    });
    console.log(`sample one query per recipient: ${(oneByOne.ms / 1000).toFixed(2)} s`);
    const disagreements = setWise.value.filter((d, i) => d.reason !== oneByOne.value[i]?.reason).length;
    const ratio = oneByOne.ms / setWise.ms;
    // What any one-query-per-recipient scheme pays at the least: a round trip that does nothing, per recipient.
    // It keeps the comparison honest whatever the per-call cost of the gate statement itself.
    const floor = await timed(async () => {
      for (const r of sample) await sqlRows(ds, `SELECT $1::text AS recipient`, [r]);
    });
    console.log(`sample round trips alone: ${(floor.ms / 1000).toFixed(2)} s`);

    writeResult(
      'consent-gate',
      [
        {
          name: 'gate 1M audience into ledger (median)',
          value: fullMs / 1000,
          unit: 's',
          target: `<= ${TARGET_MS / 1000} s`,
          ok: fullMs <= TARGET_MS && written === AUDIENCE,
        },
        { name: 'sample 100k set-wise', value: setWise.ms / 1000, unit: 's' },
        { name: 'sample 100k one query per recipient', value: oneByOne.ms / 1000, unit: 's' },
        {
          name: 'set-wise speed-up',
          value: ratio,
          unit: 'x',
          target: `>= ${TARGET_RATIO}x`,
          ok: ratio >= TARGET_RATIO && disagreements === 0,
        },
        { name: 'speed-up over bare round trips', value: floor.ms / setWise.ms, unit: 'x' },
      ],
      {
        consents: CONSENTS,
        audience: AUDIENCE,
        decisionsWritten: written,
        roundsSeconds: rounds.map((ms) => ms / 1000),
        reasons: Object.fromEntries(reasons.map((r) => [r.reason, r.n])),
        sample: SAMPLE,
        sampleDisagreements: disagreements,
        perRecipientQueryMs: oneByOne.ms / SAMPLE,
        bareRoundTripMs: floor.ms / SAMPLE,
        seedSeconds: seeded.ms / 1000,
        postgres: settings,
      },
    );
  } finally {
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
