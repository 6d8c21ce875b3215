/**
 * Logs carry ids, never addresses. Any field with one of these names is censored wherever pino meets it in
 * the first three levels of a log object, as are credentials in request headers.
 */
const SENSITIVE = ['email', 'recipient', 'recipients', 'to', 'phone', 'address', 'fromEmail', 'replyTo', 'password', 'apiKey', 'ip'];

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
 * an address in the path (`/v1/brands/{code}/consents/{type}/{recipient}`, `/v1/suppressions/{email}`), and an
 * unsubscribe token (`/u/{token}`) carries its recipient in readable base64. Those segments are replaced by a
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
