import { Injectable } from '@nestjs/common';

export interface CheckResult {
  status: 'up' | 'down' | 'warn';
  detail?: string;
  [more: string]: unknown;
}

/**
 * /health asks every registered check. The foundation registers database, queue, mail and İYS; features add
 * their own (the İYS outbox's deadlines, for one).
 */
@Injectable()
export class HealthService {
  private readonly checks = new Map<string, () => Promise<CheckResult>>();

  register(name: string, check: () => Promise<CheckResult>): void {
    this.checks.set(name, check);
  }

  async report(): Promise<{ status: 'ok' | 'degraded'; checks: Record<string, CheckResult> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const t0 = Date.now();
        try {
          const r = await withTimeout(check(), 3000);
          return [name, { ...r, latencyMs: Date.now() - t0 }] as const;
        } catch (err) {
          return [
            name,
            { status: 'down' as const, detail: (err as Error).message, latencyMs: Date.now() - t0 },
          ] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const down = entries.some(([, r]) => r.status === 'down');
    return { status: down ? 'degraded' : 'ok', checks };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
