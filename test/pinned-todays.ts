// `npm run test:dates`: the suites whose verdict could hang on the date, run once for each of a few awkward
// "todays" under libfaketime, which moves the wall clock of every process it is preloaded into (jest, its workers,
// the app, the in-process İYS simulator and PGlite's now()) while timers keep real time. A suite that derives its
// expectations from the real date instead of fixing its own clock fails here on some pin, whatever today is.
//
// Only the embedded layer runs: a PostgreSQL server's now() and Redis's TTLs would keep the real time.
//
//   npm run test:dates                              every pin
//   npm run test:dates -- --pin friday              one pin (repeatable)
//   npm run test:dates -- --json .ci/out/dates.json  also write the results in jest's --json shape (for CI's totals)
//   npm run test:dates -- --at '2027-02-03 10:00:00' test/sync/outbox-deadlines.int-spec.ts
//                                                   any other Turkey time, and only the suites named (other jest
//                                                   options in their --name=value form)
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseIysDate, RELIGIOUS_HOLIDAYS, tryParseIysDate } from '@izinli/consent';

const ROOT = join(__dirname, '..');

const kurban2027 = RELIGIOUS_HOLIDAYS.find((y) => y.year === 2027)!.kurbanBayrami;
const dayBefore = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** Turkey wall-clock times (YYYY-MM-DD HH:mm:ss) to run as if it were now. */
const PINS: { name: string; turkeyTime: string; why: string }[] = [
  { name: 'tuesday', turkeyTime: '2027-02-02 10:00:00', why: 'a plain Tuesday: 5 calendar days ahead is Sunday' },
  { name: 'friday', turkeyTime: '2027-02-05 16:30:00', why: 'a Friday afternoon: the next business day is Monday' },
  {
    name: 'bayram-eve',
    turkeyTime: `${dayBefore(kurban2027)} 11:00:00`,
    why: 'the eve of Kurban Bayramı 2027: the four days that follow are holidays',
  },
  { name: 'new-years-eve', turkeyTime: '2026-12-31 15:00:00', why: '31 December: 1 January is a holiday, a new year' },
  {
    name: 'turkey-midnight',
    turkeyTime: '2027-02-05 23:59:00',
    why: "23:59 Turkey time (20:59 UTC) on a Friday: Saturday comes a minute in, while UTC's day is still Friday",
  },
];

/** Suites that read the date: the calendars, registration deadlines, the İYS three-business-day rule, daily files. */
const SUITES = [
  'libs/consent/src/calendar/',
  'libs/consent/src/sync/outbox-monitor.spec.ts',
  'apps/iys-simulator/src/core/business-days.spec.ts',
  'apps/iys-simulator/src/core/turkey-time.spec.ts',
  'apps/iys-simulator/src/consents/consent-rules.spec.ts',
  'test/consent/consents.e2e-spec.ts',
  'test/sync/outbox-deadlines.int-spec.ts',
  'test/sync/iys-outbox.e2e-spec.ts',
  'test/sync/reconciliation.int-spec.ts',
  'test/iys-simulator/consent-rules.e2e-spec.ts',
  'test/iys-simulator/batch.e2e-spec.ts',
  'test/iys-simulator/queries.e2e-spec.ts',
  'test/iys-simulator/reconciliation.e2e-spec.ts',
];

interface JestJson {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; message: string; assertionResults: unknown[] }[];
}

function libfaketime(): string {
  const candidates = [process.env.IZINLI_LIBFAKETIME ?? ''];
  for (const base of ['/usr/lib', '/usr/lib64', '/usr/local/lib']) {
    candidates.push(join(base, 'faketime', 'libfaketime.so.1'));
    if (existsSync(base))
      for (const sub of readdirSync(base)) candidates.push(join(base, sub, 'faketime', 'libfaketime.so.1'));
  }
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) {
    console.error('libfaketime not found: install it (Debian: apt-get install faketime) or set IZINLI_LIBFAKETIME');
    process.exit(2);
  }
  return found;
}

interface Options {
  pins: string[];
  at: string[];
  json?: string;
  jestArgs: string[];
  suites: string[];
}

function args(): Options {
  const out: Options = { pins: [], at: [], jestArgs: [], suites: [] };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--pin') out.pins.push(argv[++i]);
    else if (argv[i] === '--at') out.at.push(argv[++i]);
    else if (argv[i] === '--json') out.json = argv[++i];
    else if (argv[i].startsWith('-')) out.jestArgs.push(argv[i]);
    else out.suites.push(argv[i]);
  }
  const badAt = out.at.filter((a) => !tryParseIysDate(a));
  if (badAt.length) {
    console.error(`--at takes a Turkey time "YYYY-MM-DD HH:mm:ss", not ${badAt.join(', ')}`);
    process.exit(2);
  }
  const unknown = out.pins.filter((p) => !PINS.some((pin) => pin.name === p));
  if (unknown.length) {
    console.error(`unknown pin(s) ${unknown.join(', ')}; known: ${PINS.map((p) => p.name).join(', ')}`);
    process.exit(2);
  }
  return out;
}

function fakedEnv(lib: string, offsetSeconds: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LD_PRELOAD: [lib, process.env.LD_PRELOAD].filter(Boolean).join(' '),
    // A relative offset, read by every process alike, so jest, its workers and their children share one clock.
    FAKETIME: `${offsetSeconds >= 0 ? '+' : '-'}${Math.abs(offsetSeconds)}`,
    // Timers, timeouts and performance.now() keep the real monotonic clock.
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
  delete env.IZINLI_TEST_DATABASE_URL;
  delete env.IZINLI_TEST_REDIS_URL;
  return env;
}

function main(): void {
  const opts = args();
  const lib = libfaketime();
  const chosen = [
    ...PINS.filter((p) => opts.pins.includes(p.name)),
    ...opts.at.map((turkeyTime) => ({ name: `at-${turkeyTime.replace(/\D/g, '')}`, turkeyTime, why: 'asked for' })),
  ];
  const pins = chosen.length ? chosen : PINS;
  const suites = opts.suites.length ? opts.suites : SUITES;
  const work = mkdtempSync(join(tmpdir(), 'izinli-dates-'));
  const combined: JestJson = { numPassedTests: 0, numFailedTests: 0, testResults: [] };
  const lines: string[] = [];
  let bad = 0;
  try {
    for (const pin of pins) {
      const target = parseIysDate(pin.turkeyTime).getTime();
      const env = fakedEnv(lib, Math.round((target - Date.now()) / 1000));
      console.log(`\n=== ${pin.name}: ${pin.turkeyTime} Turkey time (${pin.why})`);
      // The check proves nothing unless the preload took: ask a child for its clock first.
      const probe = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(Date.now()))'], { env });
      const seen = Number(probe.stdout?.toString());
      if (!(Math.abs(seen - target) < 60_000)) {
        console.error(`libfaketime did not move the clock (a child saw ${new Date(seen).toISOString()})`);
        combined.testResults.push({ name: `[${pin.name}] clock`, status: 'failed', message: '', assertionResults: [] });
        lines.push(`${pin.name}: the clock could not be pinned`);
        bad++;
        continue;
      }
      const out = join(work, `${pin.name}.json`);
      const jest = spawnSync(
        process.execPath,
        [
          '--experimental-vm-modules',
          '--no-warnings',
          join(ROOT, 'node_modules/jest/bin/jest.js'),
          '--config',
          join(ROOT, 'jest.config.js'),
          '--json',
          '--outputFile',
          out,
          ...opts.jestArgs,
          ...suites,
        ],
        { cwd: ROOT, env, stdio: 'inherit' },
      );
      if (!existsSync(out)) {
        combined.testResults.push({ name: `[${pin.name}] jest`, status: 'failed', message: '', assertionResults: [] });
        lines.push(`${pin.name}: jest crashed (exit ${jest.status ?? jest.signal})`);
        bad++;
        continue;
      }
      const r = JSON.parse(readFileSync(out, 'utf8')) as JestJson;
      const broken = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
      combined.numPassedTests += r.numPassedTests;
      combined.numFailedTests += r.numFailedTests;
      combined.testResults.push(...r.testResults.map((s) => ({ ...s, name: `[${pin.name}] ${s.name}` })));
      lines.push(
        `${pin.name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${broken} suite(s) failed to run`,
      );
      if (jest.status !== 0 && r.numFailedTests === 0 && broken === 0) {
        // Jest failed for a reason of its own (a suite's open handle, a coverage threshold): count it too.
        combined.testResults.push({ name: `[${pin.name}] jest`, status: 'failed', message: '', assertionResults: [] });
        lines.push(`${pin.name}: jest exited with ${jest.status ?? jest.signal}`);
      }
      if (r.numFailedTests > 0 || broken > 0 || jest.status !== 0) bad++;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (opts.json) writeFileSync(opts.json, JSON.stringify(combined));
  console.log(`\n${lines.join('\n')}`);
  console.log(bad ? `${bad} pinned today(s) failed` : 'every pinned today passed');
  process.exit(bad ? 1 : 0);
}

main();
