import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { PassThrough } from 'stream';
import { ConnectTarget, HostResolver, openSocket, OutboundHttpClient, ResolvedAddress } from './outbound-http-client';
import { OutboundAddressPolicy } from './outbound-address-policy';

const POST = {
  method: 'POST' as const,
  headers: { 'content-type': 'application/json' },
  body: '{"a":1}',
  timeoutMs: 2_000,
};

/** A resolver that answers from a script, one answer per call, and counts its calls. */
function scriptedResolver(...answers: (ResolvedAddress[] | Error)[]): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (hostname: string) => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length, answers.length) - 1];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return Object.assign(resolve, { calls });
}

const v4 = (...addresses: string[]): ResolvedAddress[] => addresses.map((address) => ({ address, family: 4 }));

/**
 * Records every connection asked for; refuses it without touching the network unless told to connect, as asked or
 * in plain text (a loopback receiver without a certificate standing in for an https:// endpoint).
 */
function recordingOpener(connect: false | 'as-asked' | 'plain' = false) {
  const targets: ConnectTarget[] = [];
  const open = (target: ConnectTarget) => {
    targets.push(target);
    if (connect) return openSocket(connect === 'plain' ? { ...target, tls: null } : target);
    const refused = new PassThrough();
    process.nextTick(() => refused.destroy(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })));
    return refused;
  };
  return Object.assign(open, { targets });
}

interface Receiver {
  server: Server;
  port: number;
  connections: number;
  requests: { headers: IncomingHttpHeaders; url: string; body: string }[];
}

/** A loopback HTTP server; `answer` decides each response (none at all leaves the request hanging). */
async function loopbackReceiver(answer: (res: import('http').ServerResponse) => void): Promise<Receiver> {
  const r: Receiver = { server: createServer(), port: 0, connections: 0, requests: [] };
  r.server.on('connection', () => r.connections++);
  r.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.requests.push({ headers: req.headers, url: req.url!, body: Buffer.concat(chunks).toString() });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  r.port = (r.server.address() as AddressInfo).port;
  return r;
}

const closeReceiver = (r: Receiver) => {
  r.server.closeAllConnections();
  return new Promise<void>((resolve) => r.server.close(() => resolve()));
};

describe(OutboundHttpClient.name, () => {
  describe('refusals, decided before any socket opens', () => {
    const policy = new OutboundAddressPolicy();

    it.each([
      'http://127.0.0.1:4120/_sim/reset',
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.5/',
      'https://[fd00::1]/',
      'https://0x7f000001/',
      'https://2130706433/',
      'https://0177.0.0.1/',
      'https://127.1/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::]/',
      'https://0.0.0.0/',
      'http://localhost:6379/',
      'https://metadata.google.internal/',
      'https://user:pass@crm.example.com/',
      'not a url',
    ])('refuses %s without looking it up or connecting', async (url) => {
      const resolve = scriptedResolver(v4('93.184.216.34'));
      const open = recordingOpener();
      const sut = new OutboundHttpClient(policy, resolve, open);
      await expect(sut.request(url, POST)).resolves.toEqual({ failure: 'destination not allowed' });
      expect(resolve.calls).toEqual([]);
      expect(open.targets).toEqual([]);
    });

    it.each([
      ['a private address', v4('10.0.0.5')],
      ['loopback', v4('127.0.0.1')],
      ['the metadata address', v4('169.254.169.254')],
      ['one private address among public ones', v4('93.184.216.34', '10.0.0.5')],
      ['IPv6 loopback', [{ address: '::1', family: 6 }]],
      ['an IPv4-mapped loopback', [{ address: '::ffff:127.0.0.1', family: 6 }]],
      ['a NAT64 private address', [{ address: '64:ff9b::a00:5', family: 6 }]],
    ])('refuses a name that resolves to %s, opening no socket', async (_what, answer) => {
      const resolve = scriptedResolver(answer);
      const open = recordingOpener();
      const sut = new OutboundHttpClient(policy, resolve, open);
      await expect(sut.request('https://rebind.example.com/hook', POST)).resolves.toEqual({
        failure: 'destination not allowed',
      });
      expect(resolve.calls).toEqual(['rebind.example.com']);
      expect(open.targets).toEqual([]);
    });

    it('refuses plain http:// to a public address', async () => {
      const open = recordingOpener();
      const sut = new OutboundHttpClient(
        new OutboundAddressPolicy(['10.0.0.0/8']),
        scriptedResolver(v4('93.184.216.34')),
        open,
      );
      await expect(sut.request('http://crm.example.com/hook', POST)).resolves.toEqual({
        failure: 'destination not allowed',
      });
      expect(open.targets).toEqual([]);
    });

    it('does not open 127.0.0.1 for an exception elsewhere', async () => {
      const receiver = await loopbackReceiver((res) => res.writeHead(204).end());
      try {
        const open = recordingOpener('as-asked');
        const sut = new OutboundHttpClient(new OutboundAddressPolicy(['10.0.0.0/8']), scriptedResolver(), open);
        await expect(sut.request(`http://127.0.0.1:${receiver.port}/hook`, POST)).resolves.toEqual({
          failure: 'destination not allowed',
        });
        expect(open.targets).toEqual([]);
        expect(receiver.connections).toBe(0);
      } finally {
        await closeReceiver(receiver);
      }
    });
  });

  describe('requests that are allowed', () => {
    it('connects to the public address it checked, with the name for SNI', async () => {
      const open = recordingOpener();
      const sut = new OutboundHttpClient(new OutboundAddressPolicy(), scriptedResolver(v4('93.184.216.34')), open);
      await expect(sut.request('https://crm.example.com/izinli?x=1', POST)).resolves.toEqual({
        failure: 'connection refused',
      });
      expect(open.targets).toEqual([
        { address: '93.184.216.34', family: 4, port: 443, tls: { servername: 'crm.example.com' } },
      ]);
    });

    it('checks an address written in the URL against the certificate itself (no SNI name)', async () => {
      const open = recordingOpener();
      const sut = new OutboundHttpClient(new OutboundAddressPolicy(), scriptedResolver(), open);
      await sut.request('https://[2606:4700:4700::1111]:8443/h', POST);
      expect(open.targets).toEqual([{ address: '2606:4700:4700::1111', family: 6, port: 8443, tls: {} }]);
    });

    describe('to a loopback receiver inside the exception', () => {
      let receiver: Receiver;
      let answer: (res: import('http').ServerResponse) => void;
      const policy = new OutboundAddressPolicy(['127.0.0.1/32']);

      beforeAll(async () => {
        receiver = await loopbackReceiver((res) => answer(res));
      });
      afterAll(() => closeReceiver(receiver));
      beforeEach(() => {
        receiver.requests.length = 0;
        answer = (res) => res.writeHead(204).end();
      });

      it('connects to the address it checked, however the name resolves afterwards (DNS rebinding)', async () => {
        const resolve = scriptedResolver(v4('127.0.0.1'), v4('169.254.169.254'));
        const open = recordingOpener('plain');
        const sut = new OutboundHttpClient(policy, resolve, open);
        const url = `https://hooks.example.com:${receiver.port}/izinli?v=2`;
        await expect(sut.request(url, POST)).resolves.toEqual({ status: 204 });
        expect(resolve.calls).toEqual(['hooks.example.com']);
        expect(open.targets).toEqual([
          { address: '127.0.0.1', family: 4, port: receiver.port, tls: { servername: 'hooks.example.com' } },
        ]);
        expect(receiver.requests).toEqual([
          {
            url: '/izinli?v=2',
            body: '{"a":1}',
            headers: expect.objectContaining({
              host: `hooks.example.com:${receiver.port}`,
              'content-type': 'application/json',
            }),
          },
        ]);
        // The next request looks the name up again and is refused: nothing is cached past one request.
        await expect(sut.request(url, POST)).resolves.toEqual({ failure: 'destination not allowed' });
        expect(open.targets).toHaveLength(1);
      });

      it('keeps only the status of an answer, never its body or reason phrase', async () => {
        answer = (res) =>
          res.writeHead(500, 'SECRET-REASON', { 'x-internal': 'SECRET-HEADER' }).end('SECRET-INTERNAL stack trace');
        const sut = new OutboundHttpClient(policy);
        const result = await sut.request(`http://127.0.0.1:${receiver.port}/hook`, POST);
        expect(result).toEqual({ status: 500 });
        expect(JSON.stringify(result)).not.toMatch(/SECRET/);
      });

      it('reports a redirect as an answer and does not follow it', async () => {
        answer = (res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        const sut = new OutboundHttpClient(policy);
        await expect(sut.request(`http://127.0.0.1:${receiver.port}/hook`, POST)).resolves.toEqual({ status: 302 });
        expect(receiver.requests).toHaveLength(1);
      });

      it('gives up after the timeout when no answer comes', async () => {
        answer = () => undefined;
        const sut = new OutboundHttpClient(policy);
        await expect(
          sut.request(`http://127.0.0.1:${receiver.port}/hook`, { ...POST, timeoutMs: 200 }),
        ).resolves.toEqual({ failure: 'timeout' });
      });

      it('names a TLS failure, with the URL host as SNI, in its own words', async () => {
        const open = recordingOpener('as-asked');
        const sut = new OutboundHttpClient(policy, scriptedResolver(v4('127.0.0.1')), open);
        // The receiver speaks plain HTTP, so the TLS handshake fails.
        await expect(sut.request(`https://hooks.example.com:${receiver.port}/hook`, POST)).resolves.toEqual({
          failure: 'TLS error',
        });
        expect(open.targets[0]).toEqual({
          address: '127.0.0.1',
          family: 4,
          port: receiver.port,
          tls: { servername: 'hooks.example.com' },
        });
      });
    });

    it('names a refused connection, a failed lookup and a lookup that never ends', async () => {
      const closed = await loopbackReceiver(() => undefined);
      await closeReceiver(closed);
      const policy = new OutboundAddressPolicy(['127.0.0.1/32']);
      await expect(new OutboundHttpClient(policy).request(`http://127.0.0.1:${closed.port}/`, POST)).resolves.toEqual({
        failure: 'connection refused',
      });
      const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example.com'), { code: 'ENOTFOUND' });
      for (const resolve of [scriptedResolver(notFound), scriptedResolver([])]) {
        await expect(
          new OutboundHttpClient(policy, resolve, recordingOpener()).request('https://nowhere.example.com/', POST),
        ).resolves.toEqual({ failure: 'DNS lookup failed' });
      }
      const hanging: HostResolver = () => new Promise(() => undefined);
      await expect(
        new OutboundHttpClient(policy, hanging).request('https://slow.example.com/', { ...POST, timeoutMs: 100 }),
      ).resolves.toEqual({ failure: 'timeout' });
    });
  });
});
