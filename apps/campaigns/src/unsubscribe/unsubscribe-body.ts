/** What a POST to an unsubscribe link asks for. */
export type UnsubscribeIntent =
  /** RFC 8058: a mail client's one-click (`List-Unsubscribe=One-Click`); answered with an empty 200. */
  | 'one-click'
  /** The confirm form of the page; answered with a page. */
  | 'form'
  /** Anything else: refused with a 400 page, nothing recorded. */
  | 'unknown';

const MAX_PARTS = 20;

/**
 * The form fields of a POST body: the urlencoded parser's object, or the raw bytes of a multipart/form-data body
 * (RFC 8058 allows both). Null when a multipart body cannot be read.
 */
export function readFormFields(body: unknown, contentType: string | undefined): Record<string, string> | null {
  if (Buffer.isBuffer(body)) return readMultipart(body, contentType ?? '');
  // Only a form body counts: the app-wide JSON parser also fills req.body, but RFC 8058 and the page post forms.
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) return {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  return {};
}

export function unsubscribeIntent(fields: Record<string, string>): UnsubscribeIntent {
  // RFC 8058 §3.1: the body names the key and value exactly; mail clients send nothing else that matters.
  if (fields['List-Unsubscribe']?.trim() === 'One-Click') return 'one-click';
  if (fields.action === 'unsubscribe') return 'form';
  return 'unknown';
}

/** A deliberately small multipart/form-data reader: text fields only, a bounded number of parts. */
export function readMultipart(body: Buffer, contentType: string): Record<string, string> | null {
  const m = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  if (!m) return null;
  const delimiter = `--${m[1] ?? m[2]}`;
  const text = body.toString('latin1');
  const start = text.indexOf(delimiter);
  if (start === -1) return null;
  const out: Record<string, string> = {};
  const chunks = text.slice(start + delimiter.length).split(`\r\n${delimiter}`);
  let closed = false;
  for (const [i, raw] of chunks.entries()) {
    if (i >= MAX_PARTS) return null;
    if (raw.startsWith('--')) {
      closed = true;
      break;
    }
    const part = raw.replace(/^\r\n/, '');
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) return null;
    const headers = part.slice(0, split);
    const name = /content-disposition:\s*form-data\s*;(?:[^\r\n]*;)?\s*name="([^"\r\n]*)"/i.exec(headers)?.[1];
    if (name === undefined) return null;
    if (/filename\s*=/i.test(headers)) continue;
    out[name] = Buffer.from(part.slice(split + 4), 'latin1').toString('utf8');
  }
  return closed ? out : null;
}
