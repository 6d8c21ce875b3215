/**
 * Logs carry ids, never addresses. Any field with one of these names is censored wherever pino meets it in
 * the first three levels of a log object, as are credentials in request headers.
 */
const SENSITIVE = [
  'email',
  'recipient',
  'recipients',
  'to',
  'phone',
  'address',
  'fromEmail',
  'replyTo',
  'password',
  'apiKey',
  'ip',
];

export const REDACTED_LOG_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  ...SENSITIVE.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

/** A path segment that looks like an address: an e-mail (raw or percent-encoded @) or a phone number. */
const ADDRESS_SEGMENT = /@|%40|^(\+|%2B)?\d{7,}$/i;
const CHANNELS = /^(EPOSTA|MESAJ|ARAMA)$/i;

/**
 * A request's path as logs may carry it: no query string, and no address or unsubscribe token. Some routes name
 * an address in the path (`/v1/brands/{code}/consents/{type}/{recipient}`, `/v1/suppressions/{email}`), and links
 * minted before the tokens became opaque (`/u/{token}`, format 1) carry their recipient in readable base64; a token is
 * a bearer credential for its link either way. Those segments are replaced by a
 * placeholder, as is any other segment that looks like an address, whichever route it reached.
 */
export function loggablePath(url: string): string {
  const segments = url.split('?')[0].split('/');
  return segments
    .map((segment, i) => {
      if (!segment) return segment;
      if (i === 2 && segments[1] === 'u') return '[token]';
      if (segments[i - 1] === 'suppressions' && segments[i - 2] === 'v1') return '[address]';
      if (segments[i - 2] === 'consents' && CHANNELS.test(segments[i - 1])) return '[address]';
      return ADDRESS_SEGMENT.test(segment) ? '[address]' : segment;
    })
    .join('/');
}

/** An e-mail address or a phone number inside free text (an error's message, a stack's first line). */
const ADDRESS_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\+?\d{10,}/g;

/** Free text with any address in it replaced. */
export function scrubAddresses(text: string): string {
  return text.replace(ADDRESS_IN_TEXT, '[address]');
}

/**
 * An error as logs may carry it: its type, message, stack and code, with any address in them replaced, and
 * nothing else. pino's own serializer copies every property, and a database error's include the statement's
 * parameters and PostgreSQL's `detail` ("Key (email)=(…) already exists"): personal data. Takes an Error, or what
 * pino-http's wrapping has already made of one (a plain object with `type`, `message` and `stack`).
 */
export function loggableError(err: unknown, depth = 0): Record<string, unknown> {
  if (err === null || typeof err !== 'object') return { type: typeof err, message: scrubAddresses(String(err)) };
  const e = err as Record<string, unknown>;
  const type =
    typeof e.type === 'string' ? e.type : err instanceof Error ? (err.constructor?.name ?? err.name) : 'Object';
  const out: Record<string, unknown> = {
    type,
    message: scrubAddresses(typeof e.message === 'string' ? e.message : ''),
  };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.constraint === 'string') out.constraint = e.constraint;
  if (typeof e.stack === 'string') out.stack = scrubAddresses(e.stack);
  if (e.cause !== undefined && depth < 3) out.cause = loggableError(e.cause, depth + 1);
  return out;
}

/**
 * The application's pino-http options: redaction by field name, request paths without addresses or tokens, errors
 * without their parameters, addresses replaced in every message text, and one line per request only at `debug`
 * or `trace`.
 */
export function pinoHttpOptions(level: string) {
  return {
    level,
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
    autoLogging: level === 'debug' || level === 'trace',
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: loggablePath(req.url),
      }),
      // Some callers log `err: err.message`, a string.
      err: (err: unknown) => (typeof err === 'string' ? scrubAddresses(err) : loggableError(err)),
    },
    hooks: {
      // Message texts are built by code all over the app (an SMTP answer, a job's failure): scrubbed on the way out.
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? scrubAddresses(a) : a)),
        );
      },
    },
  };
}
