// İYS unsubscribe burst: 3,000 unsubscribes (RET) in one minute (50 a second, five times İYS's per-second limit),
// recorded through ConsentRegistry on PostgreSQL, against the İYS simulator with its default limits. Every one must
// be handed to İYS within 1 s of its commit (p99) — single adds up to the limit, batches for the rest — with no 429
// received, and every one must end ACCEPTED: none lost. Times come from the rows: creation (inside the recording
// transaction) to the first request that carried the movement, and to İYS's acceptance.
import { sqlRows } from '@izinli/database';
import { percentile, writeResult } from './bench-kit';
import { seedApprovals, serveSimulator, settle, sleep, startSyncBench } from './iys-sync-bench-setup';

const TOTAL = 3000;
const SECONDS = 60;
const TARGET_HANDOVER_P99_MS = 1000;

async function run(): Promise<void> {
  const bench = await startSyncBench(__filename);
  try {
    const recipients = Array.from({ length: TOTAL }, (_, i) => `burst${i}@example.com`);
    await seedApprovals(bench, recipients);
    await bench.sim('/_sim/requests', { method: 'DELETE' });
    console.log(`seeded ${TOTAL} approvals; unsubscribing all of them within ${SECONDS} s`);

    const start = Date.now();
    const recording: Promise<unknown>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const due = start + (i * SECONDS * 1000) / TOTAL;
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
            evidence: { messageId: `burst-${i}` },
          },
          { origin: 'UNSUBSCRIBE', recordedBy: 'bench' },
        ),
      );
    }
    await Promise.all(recording);
    const recordedMs = Date.now() - start;
    const left = await settle(bench.ds, 120_000);
    const rows = await sqlRows<{ state: string; mode: string; handover_ms: number; accepted_ms: number }>(
      bench.ds,
      `SELECT state, mode, EXTRACT(EPOCH FROM (first_sent_at - created_at)) * 1000 AS handover_ms, EXTRACT(EPOCH FROM (sent_at - created_at)) * 1000 AS accepted_ms
         FROM iys_outbox WHERE status = 'RET'`,
    );
    const handover = rows
      .map((r) => Number(r.handover_ms))
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    const acceptedMs = rows
      .filter((r) => r.state === 'ACCEPTED')
      .map((r) => Number(r.accepted_ms))
      .sort((a, b) => a - b);
    const accepted = rows.filter((r) => r.state === 'ACCEPTED').length;
    const answers = (
      (await (await bench.sim('/_sim/requests')).json()) as { list: { method: string; path: string; status: number }[] }
    ).list;
    const tooMany = answers.filter((r) => r.status === 429).length;
    const batchRequests = answers.filter((r) => r.method === 'POST' && r.path.endsWith('/consents/request')).length;
    const singleRequests = answers.filter(
      (r) => r.method === 'POST' && /\/v2\/sps\/\d+\/brands\/\d+\/consents$/.test(r.path),
    ).length;
    const consents = (
      (await (await bench.sim('/_sim/consents?brandCode=100001')).json()) as {
        list: { recipient: string; status: string }[];
      }
    ).list;
    const retAtIys = consents.filter((c) => c.recipient.startsWith('burst') && c.status === 'RET').length;
    const p99 = percentile(handover, 99);
    writeResult(
      'iys-unsubscribe-burst',
      [
        { name: 'unsubscribes recorded', value: rows.length, unit: 'movements' },
        { name: 'recording took', value: recordedMs / 1000, unit: 's' },
        { name: 'commit → handed to İYS p50', value: percentile(handover, 50), unit: 'ms' },
        {
          name: 'commit → handed to İYS p99',
          value: p99,
          unit: 'ms',
          target: `<= ${TARGET_HANDOVER_P99_MS} ms`,
          ok: p99 <= TARGET_HANDOVER_P99_MS,
        },
        { name: 'commit → handed to İYS max', value: handover[handover.length - 1] ?? NaN, unit: 'ms' },
        { name: 'commit → İYS accepted p50', value: percentile(acceptedMs, 50), unit: 'ms' },
        { name: 'commit → İYS accepted p99', value: percentile(acceptedMs, 99), unit: 'ms' },
        { name: 'sent as single adds', value: rows.filter((r) => r.mode === 'SINGLE').length, unit: 'movements' },
        { name: 'sent in batches', value: rows.filter((r) => r.mode === 'BATCH').length, unit: 'movements' },
        { name: 'single add requests', value: singleRequests, unit: 'requests' },
        { name: 'batch add requests', value: batchRequests, unit: 'requests' },
        { name: '429 answers from İYS', value: tooMany, unit: 'requests', target: '= 0', ok: tooMany === 0 },
        {
          name: 'ACCEPTED',
          value: accepted,
          unit: 'movements',
          target: `= ${TOTAL}`,
          ok: accepted === TOTAL && left === 0,
        },
        { name: 'RET held by İYS', value: retAtIys, unit: 'keys', target: `= ${TOTAL}`, ok: retAtIys === TOTAL },
      ],
      {
        total: TOTAL,
        seconds: SECONDS,
        queue: process.env.BENCH_REDIS_URL ? 'bull' : 'in-process',
        handoverP95: percentile(handover, 95),
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
