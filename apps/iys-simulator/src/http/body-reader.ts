import type { IncomingMessage } from 'http';

// A minimal body reader for the two encodings İYS takes: JSON (every endpoint) and form-encoded (the token
// endpoint, OAuth style). It replaces express.json/urlencoded on the hot path: the single-add benchmark spends a
// noticeable share of its time in their content-type negotiation and charset decoding, none of which İYS needs.

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyError extends Error {
  constructor(readonly reason: 'invalid' | 'too-large') {
    super(reason);
  }
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

function parse(text: string, form: boolean): unknown {
  if (form) return Object.fromEntries(new URLSearchParams(text));
  if (text.trim() === '') return undefined;
  return JSON.parse(text);
}

/** Reads and parses the body; `done` gets the value (undefined when there is none) or a BodyError. */
export function readBody(req: IncomingMessage, done: (error: BodyError | null, body?: unknown) => void): void {
  const form = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
  if (!hasBody(req)) {
    done(null, undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let failed = false;
  req.on('data', (chunk: Buffer) => {
    if (failed) return;
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      failed = true;
      done(new BodyError('too-large'));
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (failed) return;
    let body: unknown;
    try {
      body = parse((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8'), form);
    } catch {
      done(new BodyError('invalid'));
      return;
    }
    done(null, body);
  });
  req.on('error', () => {
    if (failed) return;
    failed = true;
    done(new BodyError('invalid'));
  });
}
