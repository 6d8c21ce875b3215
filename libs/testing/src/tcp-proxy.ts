import { AddressInfo, connect, createServer, Server, Socket } from 'net';

/**
 * A TCP proxy in front of a real server (PostgreSQL, an SMTP sink), for outage tests that need the server to stop
 * answering without stopping it:
 * - `freeze()`: connections stay open and new ones are accepted, but nothing is forwarded either way (a relay that
 *   hangs, a network that drops packets); `thaw()` forwards again, late bytes included.
 * - `cut()`: every connection is reset and new ones are refused (a server restarting); `restore()` listens again on
 *   the same port.
 */
export interface TcpProxy {
  host: string;
  port: number;
  /** Client connections open through the proxy. */
  open(): number;
  freeze(): void;
  thaw(): void;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let frozen = false;
  const pipe = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => {
      if (!frozen) {
        to.write(chunk);
        return;
      }
      // Held back, not dropped: once thawed the bytes arrive late, as after a network partition.
      from.pause();
      const resume = () => {
        to.write(chunk);
        from.resume();
      };
      thawWaiters.push(resume);
    });
  };
  let thawWaiters: (() => void)[] = [];
  const onClient = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.setNoDelay(true);
      s.on('error', end);
      s.on('close', end);
    }
    pipe(client, upstream);
    pipe(upstream, client);
  };
  let server: Server = createServer(onClient);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const listen = async () => {
    server = createServer(onClient);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  };
  const resetAll = () => {
    for (const [a, b] of pairs) {
      a.resetAndDestroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    host: '127.0.0.1',
    port,
    open: () => pairs.size,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      const waiting = thawWaiters;
      thawWaiters = [];
      for (const w of waiting) w();
    },
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        resetAll();
      });
    },
    restore: listen,
    async close() {
      frozen = false;
      thawWaiters = [];
      resetAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
