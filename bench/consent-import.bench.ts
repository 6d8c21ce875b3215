// Streamed CSV import: a 1,000,000-row file, generated as a stream (never held in memory), uploaded through the
// importer's chunk API and processed: at most 60 s from the first byte to COMPLETED, with memory flat. "Flat" is
// measured, not assumed: the resident set is sampled every 50 ms, and the peak of the second half of the run may
// not exceed the peak of the first half by more than 32 MB. Memory that grew with the rows read (a leak, or the
// file held whole) would climb through the second half; a bounded working set (a few batches in flight) does not.
// The absolute growth over the start is reported too.
//
// The rows are what a real migration looks like: mostly approvals (e-mail and SMS, some merchants), plus the kinds
// İYS would refuse (a bad address, a date past the 3-business-day window), first RETs (kept locally, never sent to
// İYS, counted in firstRefusals) and RETs that follow an approval. Runs against the PostgreSQL server in a database of its own, dropped at the end.
import { randomUUID } from 'crypto';
import { loadavg } from 'os';
import { Logger } from '@nestjs/common';
import {
  BusinessCalendar,
  ConsentBrand,
  ConsentImporter,
  formatIysDate,
  IMPORT_DEFAULTS,
  ImportRepository,
  SystemClock,
} from '@izinli/consent';
import { sqlOne } from '@izinli/database';
import { createBenchDatabase, serverSettings, trackServerCpu } from './bench-database';
import { timed, writeResult } from './bench-kit';

const ROWS = Number(process.env.IZINLI_BENCH_IMPORT_ROWS ?? 1_000_000);
const TARGET_SECONDS = 60;
const FLAT_TOLERANCE_MB = 32;
const MB = 1024 * 1024;

/** The file, 64 KiB at a time. */
async function* csvFile(rows: number, consentDate: Date): AsyncGenerator<Buffer> {
  const date = formatIysDate(consentDate);
  const later = formatIysDate(new Date(consentDate.getTime() + 1000));
  const tooOld = '2020-01-06 10:00:00';
  let lines: string[] = ['recipient,type,status,source,consentDate,recipientType'];
  let size = 0;
  for (let i = 1; i <= rows; i++) {
    let line: string;
    switch (i % 100) {
      case 13:
        line = `user${i}@example,EPOSTA,ONAY,HS_WEB,${date},`; // no top-level domain: INVALID_EMAIL
        break;
      case 27:
        line = `user${i}@example.com,EPOSTA,ONAY,HS_WEB,${tooOld},`; // REGISTRATION_WINDOW_PASSED
        break;
      case 41:
        line = `never${i}@example.com,EPOSTA,RET,HS_WEB,${date},`; // a first RET: kept locally, counted in firstRefusals
        break;
      case 55:
        line = `user${i - 1}@example.com,EPOSTA,RET,HS_EPOSTA,${later},`; // withdraws the approval one line up
        break;
      default:
        if (i % 10 === 7) line = `+90532${String(i).padStart(7, '0')},MESAJ,ONAY,HS_MOBIL,${date},`;
        else line = `user${i}@example.com,EPOSTA,ONAY,HS_WEB,${date},${i % 20 === 3 ? 'TACIR' : 'BIREYSEL'}`;
    }
    lines.push(line);
    size += line.length + 1;
    if (size >= 64 * 1024) {
      yield Buffer.from(lines.join('\n') + '\n', 'utf8');
      lines = [];
      size = 0;
    }
  }
  if (lines.length) yield Buffer.from(lines.join('\n') + '\n', 'utf8');
}

async function main(): Promise<void> {
  // The importer's progress lines would drown the figures.
  Logger.overrideLogger(['warn', 'error']);
  const db = await createBenchDatabase('import');
  try {
    const { ds } = db;
    const settings = await serverSettings(ds);
    const importer = new ConsentImporter(ds, new ImportRepository(), new BusinessCalendar(), new SystemClock());
    const brand: ConsentBrand = {
      id: randomUUID(),
      tenantId: randomUUID(),
      iysCode: '100001',
      brandCode: '100001',
      iysSync: 'PLATFORM',
    };
    // A few minutes ago: inside the registration window whatever the day.
    const consentDate = new Date(Date.now() - 5 * 60_000);

    (global as { gc?: () => void }).gc?.();
    const rssStart = process.memoryUsage().rss;
    let rssPeak = rssStart;
    let heapPeak = process.memoryUsage().heapUsed;
    const timeline: { s: number; rssMB: number }[] = [];
    const samples: { t: number; rss: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      samples.push({ t: Date.now() - t0, rss: m.rss });
      rssPeak = Math.max(rssPeak, m.rss);
      heapPeak = Math.max(heapPeak, m.heapUsed);
      if (timeline.length === 0 || Date.now() - t0 - timeline[timeline.length - 1].s * 1000 >= 5000)
        timeline.push({ s: Math.round((Date.now() - t0) / 1000), rssMB: Math.round(m.rss / MB) });
    }, 50);

    let bytes = 0;
    const counted = async function* () {
      for await (const b of csvFile(ROWS, consentDate)) {
        bytes += b.length;
        yield b;
      }
    };
    const upload = await timed(() => importer.receive(brand, counted(), { recordedBy: 'bench' }));
    console.log(`uploaded ${(bytes / MB).toFixed(1)} MiB in ${(upload.ms / 1000).toFixed(1)} s`);
    const cpuBefore = process.cpuUsage();
    const serverCpu = trackServerCpu(db.name);
    const processing = await timed(() => importer.process(upload.value));
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpuSeconds = await serverCpu.stop();
    clearInterval(sampler);
    const totalSeconds = (upload.ms + processing.ms) / 1000;
    console.log(
      `processed in ${(processing.ms / 1000).toFixed(1)} s (${processing.value.status}); CPU: node ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, PostgreSQL ${serverCpuSeconds?.toFixed(1) ?? '?'} s; load ${loadavg()[0].toFixed(1)}`,
    );

    const summary = (await importer.summary(upload.value, brand.tenantId, { limit: 5 }))!;
    const stored = await sqlOne<{ movements: number; outbox: number; consents: number }>(
      ds,
      `SELECT (SELECT count(*) FROM consent_movements WHERE import_id = $1)::int AS movements,
              (SELECT count(*) FROM iys_outbox)::int AS outbox,
              (SELECT count(*) FROM consents)::int AS consents`,
      [upload.value],
    );
    const growthMB = (rssPeak - rssStart) / MB;
    const half = (Date.now() - t0) / 2;
    const peakOf = (xs: { rss: number }[]) => xs.reduce((a, x) => Math.max(a, x.rss), 0) / MB;
    const firstHalfPeakMB = peakOf(samples.filter((x) => x.t < half));
    const secondHalfPeakMB = peakOf(samples.filter((x) => x.t >= half));
    const climbMB = secondHalfPeakMB - firstHalfPeakMB;
    const complete = summary.status === 'COMPLETED' && summary.total === ROWS;
    writeResult(
      'consent-import',
      [
        {
          name: 'import 1M-row CSV (upload + process)',
          value: totalSeconds,
          unit: 's',
          target: `<= ${TARGET_SECONDS} s`,
          ok: totalSeconds <= TARGET_SECONDS && complete,
        },
        { name: 'rows per second', value: ROWS / totalSeconds, unit: 'rows/s' },
        {
          name: 'RSS climb, second half over first half',
          value: climbMB,
          unit: 'MB',
          target: `<= ${FLAT_TOLERANCE_MB} MB (flat)`,
          ok: climbMB <= FLAT_TOLERANCE_MB,
        },
        { name: 'peak RSS growth over start', value: growthMB, unit: 'MB' },
      ],
      {
        rows: ROWS,
        fileMiB: bytes / MB,
        uploadSeconds: upload.ms / 1000,
        processSeconds: processing.ms / 1000,
        processNodeCpuSeconds: (cpu.user + cpu.system) / 1e6,
        processServerCpuSeconds: serverCpuSeconds,
        loadAverageAtEnd: loadavg(),
        batchSize: IMPORT_DEFAULTS.batchSize,
        writers: IMPORT_DEFAULTS.writers,
        rssStartMB: rssStart / MB,
        rssPeakMB: rssPeak / MB,
        firstHalfPeakMB,
        secondHalfPeakMB,
        heapPeakMB: heapPeak / MB,
        rssTimeline: timeline,
        summary: {
          status: summary.status,
          total: summary.total,
          accepted: summary.accepted,
          rejected: summary.rejected,
          firstRefusals: summary.firstRefusals,
          iys: summary.iys,
          firstErrors: summary.errors,
        },
        stored,
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
