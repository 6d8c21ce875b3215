#!/usr/bin/env node
// Runs the benchmarks one after another (each in its own process, so one's memory never colours another's),
// then prints the table of every result file they wrote. `npm run bench -- gate` runs only names containing "gate".
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const dir = __dirname;
const filter = process.argv[2];
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', '@swc-node/register', path.join(dir, file)], {
    stdio: 'inherit',
    env: { ...process.env, SWC_NODE_PROJECT: path.join(dir, '..', 'tsconfig.json') },
  });
  if (r.status !== 0) failed++;
}
const resultsDir = path.join(dir, 'results');
const rows = [];
for (const f of fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir).filter((x) => x.endsWith('.json')) : []) {
  const res = JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8'));
  for (const m of res.metrics ?? [])
    rows.push({
      bench: res.name,
      metric: m.name,
      value: m.value,
      unit: m.unit,
      target: m.target ?? '',
      ok: m.ok === undefined ? '' : m.ok ? 'yes' : 'NO',
    });
}
if (rows.length) console.table(rows);
process.exit(failed ? 1 : 0);
