import { ERROR_CATALOGUE } from '../core/iys-errors';

// Faults a client must survive: slow answers, random İYS errors, bursts of 429 and a full outage (connections
// reset). They apply to İYS paths only, never to /_sim/, so a test can always switch them off again. Their
// durations run on real time, not on the simulated clock: an outage is about the network, not about İYS's day.

export interface FaultSettings {
  /** Added to every answer. */
  latencyMs?: number;
  /** Probability (0–1) that a request is answered with one of `errorCodes` instead of being served. */
  errorRate?: number;
  /** İYS codes to answer with (default H015); each keeps its own HTTP status, e.g. H192 → 503. */
  errorCodes?: string[];
  /** For this many seconds every connection is reset without an answer. */
  outageSeconds?: number;
  /** For this many seconds every request is answered 429 H124. */
  tooManyRequestsFor?: number;
  /** Regular expression on the request path; when set, faults touch only matching paths. */
  pathPattern?: string;
}

export interface FaultView {
  latencyMs: number;
  errorRate: number;
  errorCodes: string[];
  outageUntil: string | null;
  tooManyRequestsUntil: string | null;
  pathPattern: string | null;
}

export type FaultOutcome = { kind: 'pass' } | { kind: 'reset' } | { kind: 'error'; code: string };

export class FaultValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const SETTING_NAMES: ReadonlySet<string> = new Set([
  'latencyMs',
  'errorRate',
  'errorCodes',
  'outageSeconds',
  'tooManyRequestsFor',
  'pathPattern',
]);

export class FaultInjector {
  private latencyMs = 0;
  private errorRate = 0;
  private errorCodes: string[] = ['H015'];
  private outageUntilMs: number | null = null;
  private tooManyUntilMs: number | null = null;
  private pathPattern: RegExp | null = null;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Replaces the active faults with `settings` (validated as a whole; nothing changes on a bad value). */
  set(settings: unknown): void {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
      throw new FaultValidationError(['the body must be an object']);
    const s = settings as Record<string, unknown>;
    const problems: string[] = [];
    for (const name of Object.keys(s)) if (!SETTING_NAMES.has(name)) problems.push(`${name} is not a fault setting`);
    const num = (name: string, max: number) => {
      const v = s[name];
      if (v === undefined) return 0;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max)
        problems.push(`${name} must be a number between 0 and ${max}`);
      return typeof v === 'number' ? v : 0;
    };
    const latencyMs = num('latencyMs', 120_000);
    const errorRate = num('errorRate', 1);
    const outageSeconds = num('outageSeconds', 86_400);
    const tooManyFor = num('tooManyRequestsFor', 86_400);
    let codes = ['H015'];
    if (s.errorCodes !== undefined) {
      if (
        !Array.isArray(s.errorCodes) ||
        s.errorCodes.length === 0 ||
        !s.errorCodes.every((c) => typeof c === 'string' && c in ERROR_CATALOGUE)
      ) {
        problems.push(
          'errorCodes must be a non-empty list of İYS codes the simulator knows (e.g. H015, H101, H123, H192)',
        );
      } else codes = [...(s.errorCodes as string[])];
    }
    let pattern: RegExp | null = null;
    if (s.pathPattern !== undefined) {
      try {
        if (typeof s.pathPattern !== 'string') throw new Error();
        pattern = new RegExp(s.pathPattern);
      } catch {
        problems.push('pathPattern must be a regular expression');
      }
    }
    if (problems.length) throw new FaultValidationError(problems);
    const now = this.now();
    this.latencyMs = latencyMs;
    this.errorRate = errorRate;
    this.errorCodes = codes;
    this.outageUntilMs = outageSeconds > 0 ? now + outageSeconds * 1000 : null;
    this.tooManyUntilMs = tooManyFor > 0 ? now + tooManyFor * 1000 : null;
    this.pathPattern = pattern;
  }

  clear(): void {
    this.latencyMs = 0;
    this.errorRate = 0;
    this.errorCodes = ['H015'];
    this.outageUntilMs = null;
    this.tooManyUntilMs = null;
    this.pathPattern = null;
  }

  view(): FaultView {
    const now = this.now();
    const iso = (ms: number | null) => (ms !== null && ms > now ? new Date(ms).toISOString() : null);
    return {
      latencyMs: this.latencyMs,
      errorRate: this.errorRate,
      errorCodes: [...this.errorCodes],
      outageUntil: iso(this.outageUntilMs),
      tooManyRequestsUntil: iso(this.tooManyUntilMs),
      pathPattern: this.pathPattern?.source ?? null,
    };
  }

  /** True when nothing is configured: the hot path skips everything else. */
  isIdle(): boolean {
    return this.latencyMs === 0 && this.errorRate === 0 && this.outageUntilMs === null && this.tooManyUntilMs === null;
  }

  latencyFor(path: string): number {
    return this.latencyMs > 0 && this.applies(path) ? this.latencyMs : 0;
  }

  /** Whether the connection is to be dropped (checked before anything else). */
  isOutage(path: string): boolean {
    if (this.outageUntilMs === null) return false;
    if (this.now() >= this.outageUntilMs) {
      this.outageUntilMs = null;
      return false;
    }
    return this.applies(path);
  }

  /** What to do with a request that reached the fault stage. */
  decide(path: string): FaultOutcome {
    if (!this.applies(path)) return { kind: 'pass' };
    if (this.tooManyUntilMs !== null) {
      if (this.now() < this.tooManyUntilMs) return { kind: 'error', code: 'H124' };
      this.tooManyUntilMs = null;
    }
    if (this.errorRate > 0 && this.random() < this.errorRate) {
      return { kind: 'error', code: this.errorCodes[Math.floor(this.random() * this.errorCodes.length)] };
    }
    return { kind: 'pass' };
  }

  private applies(path: string): boolean {
    return this.pathPattern === null || this.pathPattern.test(path);
  }
}
