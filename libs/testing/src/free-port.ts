import { createServer } from 'net';

/** A TCP port free on 127.0.0.1 at the time of asking, for a process the test starts and must know the port of. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
