// Small helpers shared by the benchmarks: timing, percentiles and the JSON result file.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

export interface BenchMetric {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "<= 10 s" or ">= 20x baseline". */
  target?: string;
  ok?: boolean;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export function writeResult(name: string, metrics: BenchMetric[], details: Record<string, unknown> = {}): void {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const body = { name, at: new Date().toISOString(), metrics, details };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(body, null, 2));
  for (const m of metrics) {
    const verdict = m.ok === undefined ? '' : m.ok ? '  ok' : '  MISSED';
    console.log(`${name}: ${m.name} = ${round(m.value)} ${m.unit}${m.target ? ` (target ${m.target})` : ''}${verdict}`);
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
