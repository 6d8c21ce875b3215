// İYS unsubscribe latency: 5 unsubscribes (RET) a second for a minute, each recorded through ConsentRegistry on
// PostgreSQL, against the İYS simulator with its default limits. Measured per movement from the database, not from the
// load generator: from the outgoing row's creation (inside the recording transaction, so a little before the commit)
// to İYS's answer accepting it. Target: p99 at most 1 s.
import { sqlRows } from '@izinli/database';
import { percentile, writeResult } from './bench-kit';
import { seedApprovals, serveSimulator, settle, sleep, startSyncBench } from './iys-sync-bench-setup';

const RATE_PER_SECOND = 5;
const SECONDS = 60;
const TARGET_P99_MS = 1000;

async function run(): Promise<void> {
  const bench = await startSyncBench(__filename);
  try {
    const total = RATE_PER_SECOND * SECONDS;
    const recipients = Array.from({ length: total }, (_, i) => `latency${i}@example.com`);
    await seedApprovals(bench, recipients);
    console.log(`seeded ${total} approvals; unsubscribing ${RATE_PER_SECOND}/s for ${SECONDS} s`);

    const start = Date.now();
    const recording: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE_PER_SECOND;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      recording.push(
        bench.registry.record(
          bench.brand,
          {
            recipient: recipients[i],
            type: 'EPOSTA',
            status: 'RET',
            source: 'HS_EPOSTA',
            evidence: { messageId: `bench-${i}` },
          },
          { origin: 'UNSUBSCRIBE', recordedBy: 'bench' },
        ),
      );
    }
    await Promise.all(recording);
    const left = await settle(bench.ds, 60_000);
    const rows = await sqlRows<{ state: string; mode: string; ms: number; handover_ms: number }>(
      bench.ds,
      `SELECT state, mode, EXTRACT(EPOCH FROM (sent_at - created_at)) * 1000 AS ms, EXTRACT(EPOCH FROM (first_sent_at - created_at)) * 1000 AS handover_ms
         FROM iys_outbox WHERE status = 'RET'`,
    );
    const accepted = rows.filter((r) => r.state === 'ACCEPTED');
    const ms = accepted.map((r) => Number(r.ms)).sort((a, b) => a - b);
    const answers = (await (await bench.sim('/_sim/requests')).json()) as { list: { status: number }[] };
    const tooMany = answers.list.filter((r) => r.status === 429).length;
    const p99 = percentile(ms, 99);
    writeResult(
      'iys-unsubscribe-latency',
      [
        { name: 'unsubscribes', value: rows.length, unit: 'movements' },
        {
          name: 'accepted by İYS',
          value: accepted.length,
          unit: 'movements',
          target: `= ${total}`,
          ok: accepted.length === total && left === 0,
        },
        { name: 'commit → İYS accepted p50', value: percentile(ms, 50), unit: 'ms' },
        {
          name: 'commit → İYS accepted p99',
          value: p99,
          unit: 'ms',
          target: `<= ${TARGET_P99_MS} ms`,
          ok: p99 <= TARGET_P99_MS,
        },
        { name: 'commit → İYS accepted max', value: ms[ms.length - 1] ?? NaN, unit: 'ms' },
        { name: 'sent as single adds', value: accepted.filter((r) => r.mode === 'SINGLE').length, unit: 'movements' },
        { name: '429 answers from İYS', value: tooMany, unit: 'requests', target: '= 0', ok: tooMany === 0 },
      ],
      {
        ratePerSecond: RATE_PER_SECOND,
        seconds: SECONDS,
        elapsedMs: Date.now() - start,
        queue: process.env.BENCH_REDIS_URL ? 'bull' : 'in-process',
        p95: percentile(ms, 95),
      },
    );
  } finally {
    await bench.close();
  }
}

if (process.argv.includes('--serve')) void serveSimulator();
else
  run().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
