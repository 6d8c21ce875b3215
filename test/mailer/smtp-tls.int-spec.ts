import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { SMTPServer } from 'smtp-server';
import { MailSendError, NodemailerMailTransport, OutgoingMail, SmtpTlsOptions } from '@izinli/mailer';
import { SmtpSink, startSmtpSink } from '@izinli/testing';

const mail = (to: string): OutgoingMail => ({
  from: { name: 'Örnek', address: 'kampanya@ornek.com.tr' },
  to,
  subject: 'TLS',
  text: 'Merhaba',
});

/** A fresh self-signed certificate for 127.0.0.1, made by the openssl command line (Node cannot issue X.509). */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'izinli-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=izinli-test-relay',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withTransport(url: string, tls: SmtpTlsOptions, run: (t: NodemailerMailTransport) => Promise<void>) {
  const t = new NodemailerMailTransport(url, 1, 0, tls);
  try {
    await run(t);
  } finally {
    await t.close();
  }
}

/** SMTP_REQUIRE_TLS and certificate checking against real SMTP servers: one without STARTTLS, one with it. */
describe('SMTP transport security', () => {
  describe('a relay that does not offer STARTTLS', () => {
    let sink: SmtpSink;
    beforeAll(async () => {
      sink = await startSmtpSink({ hideSTARTTLS: true });
    });
    afterAll(() => sink.close());

    it('is refused when TLS is required, with an error that names the setting, at the send and in the check', async () => {
      await withTransport(sink.url, { requireTLS: true }, async (t) => {
        const err = await t.send(mail('plain@example.com')).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MailSendError);
        expect((err as MailSendError).message).toMatch(/127\.0\.0\.1 did not upgrade the connection to TLS/);
        expect((err as MailSendError).message).toMatch(/SMTP_REQUIRE_TLS/);
        expect((err as MailSendError).permanent).toBe(false);
        await expect(t.verify()).rejects.toThrow(/SMTP_REQUIRE_TLS is on/);
      });
      expect(sink.messages.filter((m) => m.to.includes('plain@example.com'))).toEqual([]);
    });

    it('gets the message when TLS is not required', async () => {
      await withTransport(sink.url, { requireTLS: false }, async (t) => {
        await t.send(mail('plain-ok@example.com'));
        await t.verify();
      });
      expect(sink.messages.some((m) => m.to.includes('plain-ok@example.com'))).toBe(true);
    });
  });

  describe('a relay that offers STARTTLS with a self-signed certificate', () => {
    let server: SMTPServer;
    let url: string;
    let cert: string;
    const received: { to: string; secure: boolean }[] = [];

    beforeAll(async () => {
      const pair = selfSignedCertificate();
      cert = pair.cert;
      server = new SMTPServer({
        key: pair.key,
        cert: pair.cert,
        authOptional: true,
        logger: false,
        onData(stream, session, cb) {
          stream.on('data', () => undefined);
          stream.on('end', () => {
            received.push({ to: session.envelope.rcptTo[0].address, secure: session.secure });
            cb();
          });
        },
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('is refused while its certificate is not trusted, saying how to trust a private CA', async () => {
      await withTransport(url, { requireTLS: true }, async (t) => {
        const err = await t.send(mail('untrusted@example.com')).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MailSendError);
        expect((err as MailSendError).message).toMatch(/certificate is not trusted/);
        expect((err as MailSendError).message).toMatch(/NODE_EXTRA_CA_CERTS/);
        await expect(t.verify()).rejects.toThrow(/certificate is not trusted/);
      });
      expect(received.some((r) => r.to === 'untrusted@example.com')).toBe(false);
    });

    it('delivers over TLS once its CA is trusted', async () => {
      await withTransport(url, { requireTLS: true, ca: cert }, async (t) => {
        await t.send(mail('trusted@example.com'));
      });
      expect(received).toContainEqual({ to: 'trusted@example.com', secure: true });
    });
  });
});
