import { AddressInfo, createServer, Server, Socket } from 'net';
import { MailSendError, NodemailerMailTransport, OutgoingMail, SmtpTimeLimits } from '@izinli/mailer';

/**
 * What a relay may do to a sender, at each step of the session: 'greeting' never greets, 'ehlo' greets and then
 * answers nothing, 'data' takes the message and never answers the final dot, 'trickle' answers the final dot one
 * byte every 200 ms and never ends the line (the socket is never idle, so no socket timeout fires), 'vanish'
 * closes its listener and destroys every connection when the message's DATA starts. `from` arms the behaviour
 * after that many messages were answered normally, so the pool first holds healthy connections.
 */
type Misbehaviour = 'greeting' | 'ehlo' | 'data' | 'trickle' | 'vanish';

interface FaultyRelay {
  url: string;
  /** Client connections the relay still has open. */
  open(): number;
  accepted: number;
  close(): Promise<void>;
}

async function startFaultyRelay(mode: Misbehaviour | 'healthy', from = 0, port = 0): Promise<FaultyRelay> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let answered = 0;
  const relay = { accepted: 0 } as FaultyRelay;
  const armed = () => answered >= from;
  const server: Server = createServer((s) => {
    relay.accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (mode === 'greeting' && armed()) return;
    s.write('220 relay.test ESMTP\r\n');
    let buffered = '';
    let inData = false;
    s.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let i = buffered.indexOf('\r\n'); i >= 0; i = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        if (inData) {
          if (line !== '.') continue;
          inData = false;
          if (mode === 'data' && armed()) return;
          if (mode === 'trickle' && armed()) {
            const t = setInterval(() => (s.writable ? s.write('2') : clearInterval(t)), 200);
            timers.add(t);
            return;
          }
          answered++;
          s.write('250 2.0.0 queued\r\n');
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (mode === 'ehlo' && armed() && verb === 'EHLO') return;
        if (verb === 'EHLO') s.write('250-relay.test\r\n250 PIPELINING\r\n');
        else if (verb === 'DATA') {
          if (mode === 'vanish' && armed()) {
            server.close();
            for (const x of sockets) x.destroy();
            return;
          }
          inData = true;
          s.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          s.end('221 bye\r\n');
        } else s.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  relay.url = `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  relay.open = () => sockets.size;
  relay.close = async () => {
    for (const t of timers) clearInterval(t);
    for (const x of sockets) x.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return relay;
}

const mail = (i: number): OutgoingMail => ({
  from: { address: 'kampanya@ornek.com.tr' },
  to: `alici${i}@example.com`,
  subject: 'Kış indirimi',
  text: 'Merhaba',
  messageId: `<limit${i}@ornek.com.tr>`,
});

/** Every send's outcome and when it settled; a send still pending after `waitMs` is reported as such. */
async function outcomes(sends: Promise<unknown>[], waitMs: number) {
  const started = Date.now();
  const settled = sends.map((p) =>
    p.then(
      () => ({ state: 'sent' as const, ms: Date.now() - started, err: undefined as unknown }),
      (err: unknown) => ({ state: 'failed' as const, ms: Date.now() - started, err }),
    ),
  );
  const pending = { state: 'pending' as const, ms: waitMs, err: undefined as unknown };
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<typeof pending>((r) => (timer = setTimeout(() => r(pending), waitMs)));
  try {
    return await Promise.all(settled.map((p) => Promise.race([p, giveUp])));
  } finally {
    clearTimeout(timer);
  }
}

// Short limits, so every case ends in seconds; the overall deadline well under the socket's idle limit, so that
// only the deadline can explain a send that settles.
const LIMITS: SmtpTimeLimits = { connectMs: 1_000, greetingMs: 1_000, idleMs: 20_000, sendMs: 1_500 };

describe('SMTP time limits', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c().catch(() => undefined);
  });

  async function transportFor(relay: FaultyRelay, limits: Partial<SmtpTimeLimits> = LIMITS, composeThreads = 0) {
    const t = new NodemailerMailTransport(relay.url, 2, composeThreads, {}, limits);
    cleanup.push(
      () => t.close(),
      () => relay.close(),
    );
    return t;
  }

  it('fails a send to a relay that never greets, as retryable, within the connect limit', async () => {
    const relay = await startFaultyRelay('greeting');
    const t = await transportFor(relay, { ...LIMITS, sendMs: 20_000 });
    const [r] = await outcomes([t.send(mail(1))], 10_000);
    expect(r.state).toBe('failed');
    expect(r.err).toBeInstanceOf(MailSendError);
    expect(r.err).toMatchObject({ permanent: false });
    expect(r.ms).toBeLessThan(3_000);
  });

  it.each<[Misbehaviour, number]>([
    ['ehlo', 0],
    ['data', 1],
    ['trickle', 1],
  ])(
    'settles every send as retryable by the deadline when the relay goes silent or trickles (%s)',
    async (mode, from) => {
      const relay = await startFaultyRelay(mode, from);
      const t = await transportFor(relay);
      if (from) await t.send(mail(0));
      const results = await outcomes(
        [1, 2, 3, 4, 5].map((i) => t.send(mail(i))),
        LIMITS.sendMs + 3_000,
      );
      expect(results.map((r) => r.state)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
      for (const r of results) {
        expect(r.err).toBeInstanceOf(MailSendError);
        expect(r.err).toMatchObject({ permanent: false, responseCode: undefined });
        expect(r.ms).toBeLessThan(LIMITS.sendMs + 500);
      }
      // The connections that carried them are dropped, not left to the relay.
      await waitUntil(() => relay.open() === 0, 3_000);
      expect(relay.open()).toBe(0);
    },
  );

  it('settles every send when the relay vanishes mid-send, and sends again once a relay is back', async () => {
    const relay = await startFaultyRelay('vanish', 1);
    const t = await transportFor(relay, { ...LIMITS, sendMs: 5_000 });
    await t.send(mail(0));
    const results = await outcomes(
      [1, 2, 3, 4].map((i) => t.send(mail(i))),
      8_000,
    );
    expect(results.map((r) => r.state)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(results.every((r) => (r.err as MailSendError).permanent === false)).toBe(true);
    const back = await startFaultyRelay('healthy', 0, Number(new URL(relay.url).port));
    cleanup.push(() => back.close());
    await expect(t.send(mail(5))).resolves.toMatchObject({ response: expect.stringMatching(/^250/) });
  });

  it('bounds a send made through the composer threads the same way', async () => {
    const relay = await startFaultyRelay('data', 1);
    const t = await transportFor(relay, LIMITS, 1);
    await t.send(mail(0));
    const [r] = await outcomes([t.send(mail(1))], LIMITS.sendMs + 3_000);
    expect(r.state).toBe('failed');
    expect(r.err).toMatchObject({ name: 'SmtpDeadlineError', permanent: false });
  });
});

async function waitUntil(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}
