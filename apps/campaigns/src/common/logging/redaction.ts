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
