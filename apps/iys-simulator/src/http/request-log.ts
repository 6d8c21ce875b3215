// The log of requests the simulated İYS received (/_sim/requests), so a test can assert what a client actually
// sent: the path, the body, the answer's status. A bounded ring: the benchmark sends tens of thousands of
// requests and the log must not grow without end.

export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  body: unknown;
  /** HTTP status answered; 0 while in flight or when the connection was reset by an outage fault. */
  status: number;
  /** Error codes answered, when the answer was an İYS error. */
  codes?: string[];
  username?: string;
  clientIp: string;
  durationMs?: number;
}

// Secrets never enter the log: a test reading it must not learn passwords or live tokens.
const SECRET_FIELDS: ReadonlySet<string> = new Set(['password', 'refresh_token', 'access_token', 'client_secret']);

export function redactSecrets(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(body)) {
    if (SECRET_FIELDS.has(key)) {
      copy ??= { ...(body as Record<string, unknown>) };
      copy[key] = '***';
    }
  }
  return copy ?? body;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private head = 0;

  constructor(private readonly limit: () => number) {}

  add(entry: RequestLogEntry): void {
    const limit = this.limit();
    if (this.entries.length < limit) {
      this.entries.push(entry);
      return;
    }
    // Full: overwrite the oldest slot instead of shifting the whole array on every request.
    if (this.entries.length > limit) {
      // The limit knob was lowered: keep the newest `limit`, oldest at index 0.
      this.entries = this.list().slice(-limit);
      this.head = 0;
    }
    this.entries[this.head] = entry;
    this.head = (this.head + 1) % limit;
  }

  /** Oldest first, newest last. */
  list(): RequestLogEntry[] {
    if (this.head === 0) return [...this.entries];
    return [...this.entries.slice(this.head), ...this.entries.slice(0, this.head)];
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
  }
}
