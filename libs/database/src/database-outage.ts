/**
 * Tells a lost database connection from an error in a statement. A worker that has handed mail to SMTP keeps
 * trying to record it through an outage (a restart, a fail-over) instead of giving up and leaving the rows to
 * be sent again; the API answers 503 with Retry-After instead of 500.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown: the server is restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300', // too_many_connections
]);

const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /terminating connection/i,
  /connection (?:error|ended|closed)/i,
  /not currently accepting connections/i,
  /timeout exceeded when trying to connect/i,
  /the database system is (?:starting up|shutting down)/i,
  /Client has encountered a connection error/i,
];

export function isConnectionError(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = err;
  // TypeORM wraps the driver's error; look through the wrapper.
  while (e && typeof e === 'object' && !seen.has(e)) {
    seen.add(e);
    const o = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && CONNECTION_CODES.has(o.code)) return true;
    if (typeof o.message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(o.message as string))) return true;
    e = o.driverError ?? o.cause;
  }
  return false;
}

/** Runs `fn`, retrying while the database is unreachable, for up to `maxMs`; any other error is thrown at once. */
export async function retryThroughOutage<T>(
  fn: () => Promise<T>,
  maxMs: number,
  shouldStop: () => boolean = () => false,
): Promise<T> {
  const deadline = Date.now() + maxMs;
  let delay = 200;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() + delay > deadline || shouldStop()) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
