import { embeddedIpv4, IpAddress, IpNetwork, networkContains, parseIpAddress, parseIpNetwork } from './ip-address';

/** Why an address is or is not somewhere a tenant-chosen URL may lead. Only `public` and `allowed` may be reached. */
export type AddressCategory =
  | 'public'
  | 'allowed'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'metadata'
  | 'special-purpose'
  | 'documentation'
  | 'benchmarking'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'invalid';

export interface AddressVerdict {
  allowed: boolean;
  category: AddressCategory;
  /** True only for an address inside the operator's exceptions, the one place plain http:// may go. */
  exception: boolean;
}

type Range = readonly [network: string, category: AddressCategory];

/**
 * IPv4 ranges that are not the public internet (IANA's special-purpose registry, RFC 6890 and successors). The first
 * match names the category, so the single cloud metadata addresses come before the ranges that hold them.
 */
const IPV4_RANGES: readonly Range[] = [
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack instance metadata
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud
  ['192.0.0.192/32', 'metadata'], // Oracle Cloud
  ['168.63.129.16/32', 'metadata'], // Azure's host endpoint: a public address the host answers itself
  ['255.255.255.255/32', 'broadcast'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'], // carrier-grade NAT
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'special-purpose'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'special-purpose'], // 6to4 relay anycast
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

/** IPv6 ranges refused outright; the forms that carry an IPv4 address are judged by that address (see classify). */
const IPV6_RANGES: readonly Range[] = [
  ['fd00:ec2::254/128', 'metadata'], // AWS instance metadata over IPv6
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'special-purpose'], // local-use NAT64
  ['100::/64', 'special-purpose'], // discard-only
  ['2001::/23', 'special-purpose'], // IETF protocol assignments, Teredo among them
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'], // the withdrawn site-local range
  ['ff00::/8', 'multicast'],
];

const compile = (ranges: readonly Range[]) =>
  ranges.map(([text, category]) => ({ network: parseIpNetwork(text)!, category }));
const V4 = compile(IPV4_RANGES);
const V6 = compile(IPV6_RANGES);
const net = (text: string) => parseIpNetwork(text)!;
const IPV4_MAPPED = net('::ffff:0:0/96');
const NAT64 = net('64:ff9b::/96');
const SIX_TO_FOUR = net('2002::/16');
/** Global unicast: every IPv6 address outside it is reserved, unspecified, loopback, local or multicast. */
const GLOBAL_UNICAST = net('2000::/3');

/**
 * Host names that never lead to the public internet: `localhost` and its subdomains (RFC 6761), the private-use
 * `.internal` (cloud metadata names such as metadata.google.internal and instance-data.ec2.internal), mDNS `.local`,
 * `.home.arpa`, `.localdomain`, and Google's `metadata.goog`.
 */
const LOCAL_SUFFIXES = ['localhost', 'localdomain', 'internal', 'local', 'home.arpa', 'metadata.goog'];

function categoryOf(ip: IpAddress): AddressCategory {
  if (ip.family === 4) return V4.find((r) => networkContains(r.network, ip))?.category ?? 'public';
  // The IPv4 inside these reaches that IPv4 host, through the kernel, a NAT64 gateway or a 6to4 relay.
  if (networkContains(NAT64, ip)) return categoryOf(embeddedIpv4(ip, 12));
  if (networkContains(SIX_TO_FOUR, ip)) {
    const inner = categoryOf(embeddedIpv4(ip, 2));
    if (inner !== 'public') return inner;
  }
  const listed = V6.find((r) => networkContains(r.network, ip))?.category;
  if (listed) return listed;
  return networkContains(GLOBAL_UNICAST, ip) ? 'public' : 'reserved';
}

/**
 * Decides where a tenant-chosen URL may lead: public unicast addresses only, plus the networks the operator lists
 * as exceptions (WEBHOOK_ALLOWED_NETWORKS). Addresses are compared as bytes after canonicalising, so every spelling
 * of one address (2130706433, 0x7f000001, 0177.0.0.1, 127.1, ::ffff:7f00:1) gets the same answer.
 */
export class OutboundAddressPolicy {
  private readonly exceptions: IpNetwork[];

  constructor(allowedNetworks: readonly string[] = []) {
    this.exceptions = allowedNetworks.map((text) => {
      const n = parseIpNetwork(text);
      if (!n) throw new Error(`not an IP address or network: ${text}`);
      return n;
    });
  }

  classify(address: string): AddressVerdict {
    const parsed = parseIpAddress(address);
    if (!parsed) return { allowed: false, category: 'invalid', exception: false };
    // An IPv4-mapped address is that IPv4 host itself, for the exceptions as for the ranges.
    const ip = networkContains(IPV4_MAPPED, parsed) ? embeddedIpv4(parsed, 12) : parsed;
    if (this.exceptions.some((n) => networkContains(n, ip)))
      return { allowed: true, category: 'allowed', exception: true };
    const category = categoryOf(ip);
    return { allowed: category === 'public', category, exception: false };
  }

  /**
   * Why a host name (not an address) is refused before it is even looked up, or null when it may be looked up.
   * A single label (`metadata`, `redis`) is refused too: the resolver completes it with the machine's search
   * domains, which name internal hosts.
   */
  refuseHostName(hostname: string): string | null {
    const name = hostname.toLowerCase().replace(/\.+$/, '');
    if (LOCAL_SUFFIXES.some((s) => name === s || name.endsWith(`.${s}`))) return 'a local host name';
    if (!name.includes('.')) return 'a single-label host name';
    return null;
  }

  /**
   * Why this URL may not be requested at all, judged from its text alone (the scheme, an address written in it, a
   * local name), or null when it may be requested once its name resolves to allowed addresses. Plain http:// goes
   * only to an address written in the URL and inside the operator's exceptions: consent data crosses no network
   * unencrypted, and a name's addresses are not known before it is looked up.
   */
  refuseUrl(url: URL): string | null {
    const http = url.protocol === 'http:';
    if (!http && url.protocol !== 'https:') return 'only https:// URLs are allowed';
    const plainHttp = 'plain http:// is allowed only to networks the operator has allowed; use https://';
    const ip = parseIpAddress(url.hostname);
    if (ip) {
      const verdict = this.classify(ip.text);
      if (!verdict.allowed) return `it points at ${article(verdict.category)} ${verdict.category} address`;
      return http && !verdict.exception ? plainHttp : null;
    }
    const name = this.refuseHostName(url.hostname);
    if (name) return `it names ${name}`;
    return http ? plainHttp : null;
  }
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
