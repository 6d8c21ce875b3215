import { promises as dns } from 'dns';
import { request as httpRequest, IncomingMessage } from 'http';
import { request as httpsRequest } from 'https';
import { connect as netConnect } from 'net';
import type { Duplex } from 'stream';
import { connect as tlsConnect } from 'tls';
import { parseIpAddress } from './ip-address';
import { OutboundAddressPolicy } from './outbound-address-policy';

/**
 * Why a request got no HTTP answer, in Izinli's own words. These are the only texts a failed request leaves behind:
 * never the other server's body, headers or reason phrase, nor the raw error message of the system call, which
 * could tell a tenant what listens on an address it cannot see.
 */
export type OutboundFailure =
  | 'destination not allowed'
  | 'DNS lookup failed'
  | 'connection refused'
  | 'connection reset'
  | 'host unreachable'
  | 'timeout'
  | 'TLS error'
  | 'invalid response'
  | 'connection failed';

export const OUTBOUND_FAILURES: readonly OutboundFailure[] = [
  'destination not allowed',
  'DNS lookup failed',
  'connection refused',
  'connection reset',
  'host unreachable',
  'timeout',
  'TLS error',
  'invalid response',
  'connection failed',
];

export type OutboundResult = { status: number } | { failure: OutboundFailure };

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** The system resolver as `dns.lookup` with `all`: what the operating system would connect to. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** Where to open a connection: always an address the policy has just allowed, never a name. */
export interface ConnectTarget {
  address: string;
  family: 4 | 6;
  port: number;
  /** Present for https://: the name the certificate must be valid for (the URL's host, unless it is an address). */
  tls: { servername?: string } | null;
}

export type SocketOpener = (target: ConnectTarget) => Duplex;

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** Connects to the address itself: with an IP address as the host, net and tls look nothing up. */
export const openSocket: SocketOpener = ({ address, port, tls }) =>
  tls
    ? tlsConnect({ host: address, port, servername: tls.servername, ALPNProtocols: ['http/1.1'] })
    : netConnect({ host: address, port });

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);
const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
]);

function failureOf(err: unknown): OutboundFailure {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (UNREACHABLE_CODES.has(code)) return 'host unreachable';
  if (TLS_CODES.has(code) || /^ERR_(SSL|TLS)_|CERT/.test(code)) return 'TLS error';
  if (code.startsWith('HPE_')) return 'invalid response';
  return 'connection failed';
}

class Timeout extends Error {}

export interface OutboundRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** The whole request, name lookup included. */
  timeoutMs: number;
}

/**
 * HTTP requests to URLs that tenants choose, without letting them reach Izinli's own network. The host name is
 * resolved once per request; every address it resolves to must be allowed by the policy (one private address among
 * public ones refuses the request), and the connection then goes to exactly the address that was checked, so a DNS
 * answer that changes between the check and the connection (DNS rebinding) changes nothing. TLS still verifies the
 * certificate against the URL's host name, sent as SNI, and the Host header carries the URL's host. Redirects are
 * answers like any other (their status is reported, never followed). A refused request opens no socket.
 */
export class OutboundHttpClient {
  constructor(
    private readonly policy: OutboundAddressPolicy,
    private readonly resolve: HostResolver = systemResolver,
    private readonly open: SocketOpener = openSocket,
  ) {}

  async request(location: string, req: OutboundRequest): Promise<OutboundResult> {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return { failure: 'destination not allowed' };
    }
    if (url.username || url.password || this.policy.refuseUrl(url)) return { failure: 'destination not allowed' };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout()), req.timeoutMs);
    });
    try {
      const target = await Promise.race([this.target(url), deadline]);
      if ('failure' in target) return target;
      return await this.send(url, target, req, deadline);
    } catch (err) {
      return { failure: err instanceof Timeout ? 'timeout' : failureOf(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The one address to connect to, after every address of the name passed the policy. */
  private async target(url: URL): Promise<ConnectTarget | { failure: OutboundFailure }> {
    const https = url.protocol === 'https:';
    const port = url.port ? Number(url.port) : https ? 443 : 80;
    const literal = parseIpAddress(url.hostname);
    let addresses: ResolvedAddress[];
    if (literal) {
      addresses = [{ address: literal.text, family: literal.family }];
    } else {
      try {
        addresses = await this.resolve(url.hostname);
      } catch {
        return { failure: 'DNS lookup failed' };
      }
      if (addresses.length === 0) return { failure: 'DNS lookup failed' };
    }
    for (const a of addresses) {
      const verdict = this.policy.classify(a.address);
      if (!verdict.allowed || (!https && !verdict.exception)) return { failure: 'destination not allowed' };
    }
    const chosen = parseIpAddress(addresses[0].address)!;
    return {
      address: chosen.text,
      family: chosen.family,
      port,
      tls: https ? { servername: literal ? undefined : url.hostname.replace(/\.+$/, '') } : null,
    };
  }

  private send(
    url: URL,
    target: ConnectTarget,
    req: OutboundRequest,
    deadline: Promise<never>,
  ): Promise<OutboundResult> {
    const request = target.tls ? httpsRequest : httpRequest;
    let socket: Duplex | undefined;
    const answered = new Promise<OutboundResult>((resolve, reject) => {
      const r = request(
        {
          method: req.method,
          path: url.pathname + url.search,
          // No agent: the connection is the checked one, used once, never pooled under the name.
          createConnection: () => (socket = this.open(target)),
          setHost: false,
          headers: { ...req.headers, host: url.host, 'content-length': String(Buffer.byteLength(req.body)) },
        },
        (res: IncomingMessage) => {
          // Only the status is kept; the body is neither read nor stored.
          resolve({ status: res.statusCode ?? 0 });
          res.destroy();
        },
      );
      r.on('error', reject);
      r.end(req.body);
    });
    return Promise.race([answered, deadline]).finally(() => socket?.destroy());
  }
}
