import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'fs';
import { AddressInfo, createServer, Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { SMTPServer } from 'smtp-server';
import {
  EmlFileMailTransport,
  MailSendError,
  MimeComposerThreads,
  MimeCompositionError,
  NodemailerMailTransport,
  OutgoingMail,
} from '@izinli/mailer';
import { SmtpSink, startSmtpSink } from '@izinli/testing';

const mail = (over: Partial<OutgoingMail> = {}): OutgoingMail => ({
  from: { name: 'Örnek Mağaza', address: 'kampanya@ornek.com.tr' },
  to: 'ayse@example.com',
  subject: 'Kış indirimi başladı',
  html: '<p>Merhaba</p>',
  text: 'Merhaba',
  headers: { 'List-Id': '<list.100001.izinli>' },
  messageId: '<c1.r1@ornek.com.tr>',
  ...over,
});

/** Sends a subject and a display name carrying CR/LF and checks that neither became a header of its own. */
async function expectNoInjectedHeaders(
  transport: NodemailerMailTransport,
  sink: SmtpSink,
  subject: string,
): Promise<void> {
  const before = sink.messages.length;
  await transport.send(mail({ subject, from: { name: 'Shop\nX-Evil: 1', address: 'kampanya@ornek.com.tr' } }));
  const [m] = (await sink.waitFor(before + 1)).slice(before);
  expect(m.header('Bcc')).toBeUndefined();
  expect(m.header('X-Evil')).toBeUndefined();
  expect(m.to).toEqual(['ayse@example.com']);
}

describe(NodemailerMailTransport.name, () => {
  let sink: SmtpSink;
  let sut: NodemailerMailTransport;
  beforeAll(async () => {
    sink = await startSmtpSink();
    sut = new NodemailerMailTransport(sink.url, 2);
  });
  afterAll(async () => {
    await sut.close();
    await sink.close();
  });

  it('delivers over SMTP with the deterministic Message-ID and extra headers', async () => {
    const before = sink.messages.length;
    await sut.send(mail());
    const [m] = (await sink.waitFor(before + 1)).slice(before);
    expect(m.to).toEqual(['ayse@example.com']);
    expect(m.header('Message-ID')).toBe('<c1.r1@ornek.com.tr>');
    expect(m.header('List-Id')).toBe('<list.100001.izinli>');
  });

  it('cannot be made to inject headers through a subject or a display name', async () => {
    await expectNoInjectedHeaders(sut, sink, 'Hello\r\nBcc: victim@example.com');
  });

  it('reports 5xx as permanent and 4xx as retryable', async () => {
    sink.refuse('gone@example.com', 550, 'no such user');
    sink.refuse('busy@example.com', 451, 'try later');
    const hard = await sut.send(mail({ to: 'gone@example.com' })).catch((e: unknown) => e);
    const soft = await sut.send(mail({ to: 'busy@example.com' })).catch((e: unknown) => e);
    expect(hard).toBeInstanceOf(MailSendError);
    expect(hard).toMatchObject({ permanent: true, responseCode: 550 });
    expect(soft).toMatchObject({ permanent: false, responseCode: 451 });
  });

  it('verifies the relay for /health', async () => {
    await expect(sut.verify()).resolves.toBeUndefined();
  });

  it("turns Nagle's algorithm off on every pooled connection", async () => {
    const noDelay = jest.spyOn(Socket.prototype, 'setNoDelay');
    const t = new NodemailerMailTransport(sink.url, 3);
    try {
      const before = sink.messages.length;
      await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          t.send(mail({ to: `nd${i}@example.com`, messageId: `<nd${i}@ornek.com.tr>` })),
        ),
      );
      await sink.waitFor(before + 6);
      // The sink (in this process) turns it off on its side too: only the client sockets, towards its port, count.
      const client = noDelay.mock.calls.filter(
        (_call, i) => (noDelay.mock.contexts[i] as Socket).remotePort === sink.port,
      );
      const sockets = new Set(noDelay.mock.contexts.filter((socket) => (socket as Socket).remotePort === sink.port));
      // Each connection the pool opened (1 to 3) has the delay turned off; nodemailer (10.1 and later) turns it off
      // again on the socket it is handed, so a connection may see more than one call, never one that turns it on.
      expect(sockets.size).toBeGreaterThanOrEqual(1);
      expect(sockets.size).toBeLessThanOrEqual(3);
      expect(client.every(([enable]) => enable === true)).toBe(true);
    } finally {
      noDelay.mockRestore();
      await t.close();
    }
  });

  it('answers a refused connection as retryable, with no SMTP code', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const t = new NodemailerMailTransport(`smtp://127.0.0.1:${port}`, 1);
    try {
      const err = await t.send(mail()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailSendError);
      expect(err).toMatchObject({ permanent: false, responseCode: undefined });
    } finally {
      await t.close();
    }
  });

  it.each([
    ['implicit TLS (smtps:)', true],
    ['STARTTLS offered on smtp:', false],
  ])('still speaks TLS over its own connections: %s', async (_name, secure) => {
    const received: { secure: boolean; to: string }[] = [];
    // smtp-server's built-in self-signed certificate.
    const server = new SMTPServer({
      secure,
      authOptional: true,
      logger: false,
      onData(stream, session, cb) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          received.push({ secure: session.secure, to: session.envelope.rcptTo[0].address });
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.server.address() as AddressInfo).port;
    const t = new NodemailerMailTransport(`${secure ? 'smtps' : 'smtp'}://127.0.0.1:${port}`, 1, undefined, {
      rejectUnauthorized: false,
    });
    try {
      await t.send(mail({ to: 'tls@example.com' }));
      expect(received).toEqual([{ secure: true, to: 'tls@example.com' }]);
    } finally {
      await t.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('messages built in composer threads', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());

  /** A message's bytes with what nodemailer draws at random or from the clock (MIME boundaries, Date) made fixed. */
  const stable = (raw: string) => {
    const boundaries = [...raw.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]);
    let out = raw.replace(/^Date: .*$/m, 'Date: (fixed)');
    boundaries.forEach((b, i) => (out = out.split(b).join(`BOUNDARY-${i}`)));
    return out;
  };

  it('sends the bytes nodemailer would have built on the event loop', async () => {
    const inLoop = new NodemailerMailTransport(sink.url, 1, 0);
    const threaded = new NodemailerMailTransport(sink.url, 1, 2);
    const long = 'Kış indirimi: tüm ürünlerde %50 — ' + 'ğüşıöç ĞÜŞİÖÇ '.repeat(40);
    const variants: Partial<OutgoingMail>[] = [
      {},
      { html: `<p>${long}</p><a href="https://izinli.example/u/abc">Abonelikten çık</a>`, text: long },
      { subject: 'Plain ASCII subject', html: '<p>hello</p>', text: undefined, replyTo: 'destek@ornek.com.tr' },
      {
        headers: {
          'List-Unsubscribe': '<https://izinli.example/u/t>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'Feedback-ID': 'c:b:k:s',
        },
      },
    ];
    try {
      for (const [i, v] of variants.entries()) {
        const before = sink.messages.length;
        const a = await inLoop.send(mail({ ...v, messageId: `<v${i}@ornek.com.tr>` }));
        const b = await threaded.send(mail({ ...v, messageId: `<v${i}@ornek.com.tr>` }));
        expect(b.messageId).toBe(a.messageId);
        const [x, y] = (await sink.waitFor(before + 2)).slice(before);
        expect(y.to).toEqual(x.to);
        expect(stable(y.raw)).toBe(stable(x.raw));
        expect(y.header('Message-ID')).toBe(`<v${i}@ornek.com.tr>`);
      }
    } finally {
      await inLoop.close();
      await threaded.close();
    }
  });

  it('still refuses header injection before anything reaches a thread', async () => {
    const threaded = new NodemailerMailTransport(sink.url, 1, 1);
    try {
      await expectNoInjectedHeaders(threaded, sink, 'Hi\r\nBcc: victim@example.com');
      const err = await threaded.send(mail({ headers: { 'Bad Header': 'x' } })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailSendError);
      expect((err as MailSendError).permanent).toBe(true);
    } finally {
      await threaded.close();
    }
  });

  it('fails the messages of a thread that stops, as retryable, and starts another for the next message', async () => {
    // A thread that cannot start (nodemailer not where it was told) stops with the message in it.
    const broken = new MimeComposerThreads(1, '/nonexistent/nodemailer');
    const options = { from: 'a@ornek.com.tr', to: 'b@example.com', subject: 's', text: 't' };
    await expect(broken.compose(options)).rejects.toBeInstanceOf(MimeCompositionError);
    await expect(broken.compose(options)).rejects.toBeInstanceOf(MimeCompositionError);
    await broken.close();

    const composer = new MimeComposerThreads(1);
    const inFlight = Array.from({ length: 20 }, () => composer.compose(options));
    // Closing stops the thread under the messages still in it: each is answered, built or failed, none hangs.
    await composer.close();
    const outcomes = await Promise.allSettled(inFlight);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(MimeCompositionError);
      else expect(o.value.raw.toString()).toContain('Subject: s');
    }
    await expect(composer.compose(options)).rejects.toThrow(/closed/);
  });
});

describe(EmlFileMailTransport.name, () => {
  it('writes each message as an .eml file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'izinli-eml-'));
    try {
      const sut = new EmlFileMailTransport(join(dir, 'mail'));
      await sut.send(mail());
      const files = readdirSync(join(dir, 'mail')).filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const raw = readFileSync(join(dir, 'mail', files[0]), 'utf8');
      expect(raw).toMatch(/^Message-ID: <c1\.r1@ornek\.com\.tr>$/m);
      expect(raw).toMatch(/^To: ayse@example\.com$/m);
      // Captured mail carries addresses and live unsubscribe links: owner-only, whatever the umask.
      expect(statSync(join(dir, 'mail')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'mail', files[0])).mode & 0o777).toBe(0o600);
      await sut.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
