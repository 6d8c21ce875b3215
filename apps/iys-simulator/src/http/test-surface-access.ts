import { createHash, timingSafeEqual } from 'crypto';
import type { IncomingHttpHeaders } from 'http';

/** 127.0.0.0/8 and ::1, also in their IPv4-mapped IPv6 spelling (::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** The token a caller presents: `Authorization: Bearer <token>` or `X-Simulator-Token: <token>`. */
export function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  const header = headers['x-simulator-token'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** Compares in time that does not depend on where the two differ (nor on their lengths: both are hashed first). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * Whether a request may use the test surface (/_sim/), which can reset the simulator, invent citizen-side consents
 * and read every request it received. With a token configured (IYS_SIMULATOR_TOKEN), every caller must present it,
 * wherever it comes from. Without one, only callers on this machine may: the address is the socket's own, never
 * X-Forwarded-For, which any caller can write.
 */
export function mayUseTestSurface(
  request: { socket: { remoteAddress?: string }; headers: IncomingHttpHeaders },
  token: string | undefined,
): boolean {
  if (token !== undefined) {
    const presented = presentedToken(request.headers);
    return presented !== undefined && sameSecret(presented, token);
  }
  return isLoopbackAddress(request.socket.remoteAddress);
}
