// Small helpers shared by the benchmarks: timing, percentiles and the JSON result file.
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
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

/**
 * CPU time spent so far, in milliseconds, from Linux's /proc: by this process's main thread (the event loop, not
 * its worker threads) and by the whole machine (all cores, every process). Null where /proc cannot be read. Read
 * before and after a phase, the difference per request is steadier than a throughput figure on a shared machine.
 */
function cpuMsSoFar(): { mainThread: number; machine: number } | null {
  try {
    const tick = 10; // USER_HZ is 100 on Linux: a jiffy is 10 ms.
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis; utime and stime are the 14th and 15th fields overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const mainThread = (Number(fields[11]) + Number(fields[12])) * tick;
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq: busy is all but idle and iowait (steal is other guests' time).
    const machine = (cpu.slice(0, 7).reduce((a, b) => a + b, 0) - cpu[3] - cpu[4]) * tick;
    return { mainThread, machine };
  } catch {
    return null;
  }
}

/** CPU per item over a phase, in milliseconds: this process's main thread, and the whole machine. */
export interface CpuPerItem {
  apiLoopMs: number;
  machineMs: number;
}

/**
 * Starts measuring a phase: the function returned, called when the phase ends, divides the CPU spent since by the
 * number of items (requests, messages) it handled. Null where /proc cannot be read or nothing was handled.
 */
export function startCpuMeter(): (items: number) => CpuPerItem | null {
  const before = cpuMsSoFar();
  return (items) => {
    const after = cpuMsSoFar();
    if (!before || !after || items <= 0) return null;
    return {
      apiLoopMs: (after.mainThread - before.mainThread) / items,
      machineMs: (after.machine - before.machine) / items,
    };
  };
}
