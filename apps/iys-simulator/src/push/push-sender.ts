import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';

export type PostOutcome =
  { kind: 'answered'; status: number } | { kind: 'timeout' } | { kind: 'unreachable'; message: string };

export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * One JSON POST, the way İYS pushes: HTTP Basic auth with the credentials the HS registered, a hard timeout,
 * and a fresh connection each time (no agent), so a closed simulator leaves no sockets behind.
 */
export function postJson(
  url: string,
  body: unknown,
  credentials: BasicCredentials | null,
  timeoutMs: number,
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ kind: 'unreachable', message: 'invalid URL' });
      return;
    }
    const payload = Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': payload.length,
    };
    if (credentials)
      headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = send(target, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => finish({ kind: 'answered', status: res.statusCode ?? 0 }));
      res.on('error', () => finish({ kind: 'answered', status: res.statusCode ?? 0 }));
    });
    const timer = setTimeout(() => {
      finish({ kind: 'timeout' });
      req.destroy();
    }, timeoutMs);
    timer.unref();
    req.on('error', (err) => finish({ kind: 'unreachable', message: err.message }));
    req.end(payload);
  });
}
