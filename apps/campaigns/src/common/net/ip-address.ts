import { isIP } from 'net';

/** An IP address as bytes (4 or 16), with its canonical text. */
export interface IpAddress {
  family: 4 | 6;
  bytes: readonly number[];
  text: string;
}

/** A network: an address and how many leading bits of it count. */
export interface IpNetwork {
  family: 4 | 6;
  bytes: readonly number[];
  prefix: number;
}

const IP_CHARS = /^[0-9a-fA-FxX.:]+$/;

/**
 * Parses an IP address in any spelling a URL or the system resolver accepts: dotted decimal, a single decimal, hex
 * or octal number, short forms (`127.1`), mixed forms (`0x7f.0.0.1`), IPv6 with or without brackets, with an
 * embedded dotted IPv4 tail. The WHATWG URL parser does the canonicalising, so the policy and the URL that is
 * finally requested can never read the same text differently. Anything else (a host name, a zone-scoped address)
 * is null.
 */
export function parseIpAddress(input: string): IpAddress | null {
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (!IP_CHARS.test(s)) return null;
  const v6 = s.includes(':');
  let canonical: string;
  try {
    canonical = new URL(`http://${v6 ? `[${s}]` : s}/`).hostname;
  } catch {
    return null;
  }
  if (v6) canonical = canonical.slice(1, -1);
  switch (isIP(canonical)) {
    case 4:
      return { family: 4, bytes: canonical.split('.').map(Number), text: canonical };
    case 6:
      return { family: 6, bytes: ipv6Bytes(canonical), text: canonical };
    default:
      return null;
  }
}

/** Bytes of an IPv6 address in the URL parser's canonical form (hex groups, at most one `::`, no dotted tail). */
function ipv6Bytes(canonical: string): number[] {
  const [head, tail] = canonical.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address (a /32 or /128). Null when it is not one. */
export function parseIpNetwork(input: string): IpNetwork | null {
  const [addr, bits, ...rest] = input.trim().split('/');
  if (rest.length || !addr || isIP(addr.replace(/^\[|\]$/g, '')) === 0) return null;
  const ip = parseIpAddress(addr);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return null;
  const prefix = bits === undefined ? max : Number(bits);
  if (prefix > max) return null;
  return { family: ip.family, bytes: ip.bytes, prefix };
}

export function networkContains(net: IpNetwork, ip: IpAddress): boolean {
  if (net.family !== ip.family) return false;
  let bits = net.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((net.bytes[i] & mask) !== (ip.bytes[i] & mask)) return false;
  }
  return true;
}

/** The IPv4 address carried in four bytes of an IPv6 address (an IPv4-mapped, NAT64 or 6to4 address). */
export function embeddedIpv4(ip: IpAddress, offset: number): IpAddress {
  const bytes = ip.bytes.slice(offset, offset + 4);
  return { family: 4, bytes, text: bytes.join('.') };
}
