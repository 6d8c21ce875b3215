import { AddressInfo } from 'net';
import { SMTPServer } from 'smtp-server';

export interface CountedMail {
  to: string;
  messageId: string | undefined;
  raw: string;
}

export interface CountingSink {
  url: string;
  messages: CountedMail[];
  /** How many messages each address received. */
  counts(): Map<string, number>;
  /** Added between the end of DATA and the server's answer: the message is kept, the sender still waits. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/**
 * An SMTP server that counts what arrives per address, and can be slow. A message is counted as soon as its data
 * has arrived, before the answer: a sender killed while waiting for the answer has delivered a message it never
 * recorded, which is exactly the in-flight case the recovery tests must see.
 */
export async function startCountingSink(options: { latencyMs?: number } = {}): Promise<CountingSink> {
  const messages: CountedMail[] = [];
  let latency = options.latencyMs ?? 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    maxClients: 1000,
    // A client killed mid-session never says QUIT; do not wait long for it when the test ends.
    closeTimeout: 1_000,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
        const messageId = /^Message-ID:\s*(.*)$/im.exec(head)?.[1];
        for (const r of session.envelope.rcptTo) messages.push({ to: r.address.toLowerCase(), messageId, raw });
        if (latency > 0) setTimeout(() => cb(), latency);
        else cb();
      });
    },
  });
  // A killed client leaves a broken socket behind; that is expected here, not a failure of the test.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    counts() {
      const m = new Map<string, number>();
      for (const x of messages) m.set(x.to, (m.get(x.to) ?? 0) + 1);
      return m;
    },
    setLatency(ms) {
      latency = ms;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
