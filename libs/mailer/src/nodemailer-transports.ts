import { mkdir, rename, writeFile } from 'fs/promises';
import { connect as netConnect, Socket } from 'net';
import { join } from 'path';
import { randomUUID } from 'crypto';
import { createTransport, Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { isLoopbackHost } from '@izinli/config';
import { MailReceipt, MailSendError, MailTransport, OutgoingMail, singleLine } from './mail-transport';
import { MimeComposerThreads } from './mime-composer';

type TextEncoding = 'quoted-printable' | 'base64';

/**
 * nodemailer's own rule for text it must encode (mime-node `_getTextEncoding`): quoted-printable when Latin letters
 * outnumber control and non-ASCII characters (UTF-16 units), base64 otherwise. Counted in one pass: nodemailer
 * counts with `value.match(/[a-z]/gi)`, an array of every letter, several times per part, which was half of its
 * cost for a 2 KB Turkish message (~550 of ~1,100 µs).
 */
export function nodemailerTextEncoding(value: string): TextEncoding {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) latin++;
    else if (c >= 0x80 || c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f)) other++;
  }
  return other < latin ? 'quoted-printable' : 'base64';
}

// eslint-disable-next-line no-control-regex -- the characters that make nodemailer encode a header value
const NEEDS_ENCODED_WORD = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u0080-\uffff]/;

/**
 * The encoding nodemailer would choose for every part and every header it has to encode, when that choice is the
 * same for all of them (almost always: one language per message), so it can be given to nodemailer instead of being
 * worked out again for each value. Undefined when they differ: nodemailer then decides value by value as before.
 * Either way the message is byte for byte what nodemailer alone would have built.
 */
export function uniformTextEncoding(bodies: (string | undefined)[], headerValues: string[]): TextEncoding | undefined {
  let chosen: TextEncoding | undefined;
  for (const v of bodies) {
    if (v === undefined || v === '') continue;
    const e = nodemailerTextEncoding(v);
    if (chosen && e !== chosen) return undefined;
    chosen = e;
  }
  for (const v of headerValues) {
    if (!NEEDS_ENCODED_WORD.test(v)) continue;
    const e = nodemailerTextEncoding(v);
    if (chosen && e !== chosen) return undefined;
    chosen = e;
  }
  return chosen;
}

function toNodemailer(mail: OutgoingMail): Mail.Options {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(mail.headers ?? {})) {
    if (!/^[A-Za-z0-9-]+$/.test(k)) throw new MailSendError(`invalid header name ${JSON.stringify(k)}`, true);
    headers[k] = singleLine(v);
  }
  const fromName = singleLine(mail.from.name ?? '');
  const subject = singleLine(mail.subject);
  return {
    from: { name: fromName, address: singleLine(mail.from.address) },
    to: singleLine(mail.to),
    replyTo: mail.replyTo ? singleLine(mail.replyTo) : undefined,
    subject,
    html: mail.html,
    text: mail.text,
    textEncoding: uniformTextEncoding(
      [mail.html, mail.text],
      [fromName, subject, mail.to, mail.replyTo ?? '', ...Object.values(headers)],
    ),
    headers,
    messageId: mail.messageId,
    // Never let nodemailer fetch remote content named in the message.
    disableUrlAccess: true,
    disableFileAccess: true,
  };
}

type SocketCallback = (err: Error | null, socketOptions?: { connection: Socket }) => void;

/**
 * Opens the TCP connection of one pooled SMTP connection with Nagle's algorithm off (TCP_NODELAY), and hands it to
 * nodemailer, which then speaks SMTP over it as over its own (TLS for smtps:, STARTTLS when offered).
 *
 * nodemailer leaves Nagle on. It writes a message's body and then the small end-of-data `.` as separate writes; the
 * small write waits until the body is acknowledged, and the server, which has nothing to answer before the dot,
 * delays that acknowledgement (40 ms on Linux). Every message on a connection then takes at least that long: about
 * 20 messages a second per connection, whatever the server. Measured against smtp-server, a plain net.Server and
 * Python's smtpd (bench/smtp-nagle-experiment.js): ~100 msg/s over 5 connections with Nagle, 320-570 without.
 */
export function connectWithoutNagle(
  options: { host?: string; port?: number; secure?: boolean; connectionTimeout?: number },
  callback: SocketCallback,
): void {
  let done = false;
  // nodemailer's own defaults when a port is not given.
  const socket = netConnect({ host: options.host ?? 'localhost', port: options.port ?? (options.secure ? 465 : 587) });
  socket.setNoDelay(true);
  const finish = (err: Error | null) => {
    if (done) return;
    done = true;
    socket.setTimeout(0);
    socket.removeListener('timeout', onTimeout);
    if (err) {
      socket.destroy();
      callback(err);
    } else {
      callback(null, { connection: socket });
    }
  };
  const onTimeout = () => finish(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }));
  socket.setTimeout(options.connectionTimeout ?? 10_000, onTimeout);
  socket.once('connect', () => finish(null));
  // Kept after the connect: nodemailer adds its own error handler, and a late error must never be unhandled.
  socket.on('error', (err) => finish(err));
}

/** How the SMTP connection is secured (SMTP_REQUIRE_TLS, SMTP_TLS_REJECT_UNAUTHORIZED). */
export interface SmtpTlsOptions {
  /**
   * Refuse to send unless the session is encrypted: smtp:// must upgrade with STARTTLS (a relay that does not offer
   * it fails the send). Default: on unless the host is loopback. smtps:// is encrypted from the first byte anyway.
   */
  requireTLS?: boolean;
  /** Check the relay's certificate against the trusted CAs (Node's, plus NODE_EXTRA_CA_CERTS). Default: on. */
  rejectUnauthorized?: boolean;
  /** CA certificates to trust for this relay only, in PEM. */
  ca?: string | Buffer | (string | Buffer)[];
}

/**
 * How long each step of an SMTP session may take. nodemailer bounds connecting, the greeting and any silence on the
 * socket; none of them bounds a server that keeps the socket busy without ever finishing an answer (a reply trickled
 * a byte at a time, a DATA phase that never ends), and a message waiting in the pool for a connection is bounded by
 * nothing. `sendMs` bounds the whole of one send, from the call to the server's answer: past it the send fails as
 * retryable, whatever the socket does, and the connection that carried it is dropped.
 */
export interface SmtpTimeLimits {
  /** TCP connect (with the DNS lookup), and with the greeting and a STARTTLS upgrade no longer than this in all. */
  connectMs: number;
  /** From the connection to the server's 220 greeting. */
  greetingMs: number;
  /** Silence on the socket in the middle of a session: any command's answer, the DATA phase. */
  idleMs: number;
  /** One send from start to answer, queueing for a pooled connection included (SMTP_SEND_TIMEOUT_MS). */
  sendMs: number;
}

export const SMTP_TIME_LIMITS: Readonly<SmtpTimeLimits> = {
  connectMs: 10_000,
  greetingMs: 10_000,
  idleMs: 30_000,
  sendMs: 60_000,
};

/** A send that outlived SmtpTimeLimits.sendMs: retryable, the message may or may not have reached the server. */
export class SmtpDeadlineError extends MailSendError {
  constructor(ms: number) {
    super(`SMTP send took longer than ${ms} ms; its connection was dropped`, false);
    this.name = 'SmtpDeadlineError';
  }
}

/**
 * A TLS failure named for the operator: which setting made TLS required, and how to trust a private CA. nodemailer
 * reports a refused upgrade as `ETLS` "Error upgrading connection with STARTTLS", and a certificate it cannot verify
 * with the TLS library's code and words ("self-signed certificate").
 */
function explainTlsFailure(err: unknown, host: string, requireTLS: boolean): unknown {
  const e = err as { code?: string; originalCode?: string; message?: string };
  if (!e || typeof e.message !== 'string') return err;
  const code = typeof e.code === 'string' ? e.code : '';
  // A socket error keeps the TLS library's code as `originalCode` (DEPTH_ZERO_SELF_SIGNED_CERT …).
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME/.test(`${code} ${e.originalCode ?? ''}`)) {
    return Object.assign(
      new Error(
        `SMTP relay ${host}: its TLS certificate is not trusted (${e.message}). Trust a private CA with ` +
          'NODE_EXTRA_CA_CERTS=/path/to/ca.pem',
      ),
      { code, originalCode: e.originalCode },
    );
  }
  if (code === 'ETLS' && requireTLS) {
    return Object.assign(
      new Error(
        `SMTP relay ${host} did not upgrade the connection to TLS and SMTP_REQUIRE_TLS is on (${e.message}). ` +
          'Enable STARTTLS on the relay, use smtps://, or set SMTP_REQUIRE_TLS=false for a relay on a trusted network',
      ),
      { code },
    );
  }
  return err;
}

/**
 * nodemailer over a pool of SMTP connections (SMTP_URL, SMTP_POOL_SIZE), each with Nagle's algorithm off. Messages
 * are built by nodemailer in `composeThreads` threads (by default one per core beyond the first) and handed to the
 * pool already built, so the event loop only speaks SMTP; with 0, nodemailer builds them on the event loop.
 */
export class NodemailerMailTransport extends MailTransport {
  readonly kind = 'smtp' as const;
  private readonly transporter: Transporter;
  private readonly composer: MimeComposerThreads | null;
  private readonly host: string;
  private readonly requireTLS: boolean;
  private readonly limits: SmtpTimeLimits;

  constructor(
    url: string,
    poolSize: number,
    composeThreads: number = MimeComposerThreads.defaultSize(),
    tls: SmtpTlsOptions = {},
    limits: Partial<SmtpTimeLimits> = {},
  ) {
    super();
    this.limits = { ...SMTP_TIME_LIMITS, ...limits };
    this.composer = composeThreads > 0 ? new MimeComposerThreads(composeThreads) : null;
    const u = new URL(url);
    this.host = u.hostname;
    this.requireTLS = tls.requireTLS ?? !isLoopbackHost(u.hostname);
    this.transporter = createTransport({
      pool: true,
      maxConnections: poolSize,
      maxMessages: Infinity,
      host: u.hostname,
      port: Number(u.port || (u.protocol === 'smtps:' ? 465 : 587)),
      secure: u.protocol === 'smtps:',
      // Without it nodemailer upgrades only when the relay offers STARTTLS, so anyone on the path who strips the offer
      // reads the mail and the relay's password.
      requireTLS: this.requireTLS,
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
      tls: { rejectUnauthorized: tls.rejectUnauthorized ?? true, ...(tls.ca ? { ca: tls.ca } : {}) },
      connectionTimeout: this.limits.connectMs,
      greetingTimeout: this.limits.greetingMs,
      socketTimeout: this.limits.idleMs,
      // A connection given up on (a send past its deadline) is ended and, if the server does not close its side,
      // destroyed this soon after.
      socketCloseTimeout: 1_000,
      getSocket: connectWithoutNagle,
    });
  }

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    const options = toNodemailer(mail);
    // Aborting makes nodemailer take the message off its queue, or close the connection carrying it; the race
    // settles the send at the deadline even if nothing in nodemailer ever calls back.
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new SmtpDeadlineError(this.limits.sendMs);
        abort.abort(err);
        reject(err);
      }, this.limits.sendMs);
    });
    try {
      return await Promise.race([this.attempt(options, abort.signal), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(options: Mail.Options, signal: AbortSignal): Promise<MailReceipt> {
    try {
      if (signal.aborted) throw signal.reason;
      if (this.composer) {
        // A message that cannot be built fails as it would have failed inside sendMail: not permanent, retried.
        const built = await this.composer.compose(options);
        // nodemailer's types name one address per field; it takes the lists its stream transport reports. The
        // Message-ID is already in the raw bytes; naming it spares nodemailer generating one (four random draws per
        // message on the event loop) that it would only report back and never send.
        const info = await this.transporter.sendMail({
          envelope: built.envelope as unknown as Mail.Envelope,
          raw: built.raw,
          messageId: built.messageId,
          signal,
        } as Mail.Options);
        return { messageId: built.messageId, response: String(info.response ?? '') };
      }
      const info = await this.transporter.sendMail({ ...options, signal } as Mail.Options);
      return { messageId: info.messageId, response: String(info.response ?? '') };
    } catch (err) {
      if (err instanceof MailSendError) throw err;
      const e = explainTlsFailure(err, this.host, this.requireTLS) as { responseCode?: number; message: string };
      const code = e.responseCode;
      throw new MailSendError(e.message, code !== undefined && code >= 500 && code < 600, code);
    }
  }

  async verify(): Promise<void> {
    try {
      await this.transporter.verify();
    } catch (err) {
      throw explainTlsFailure(err, this.host, this.requireTLS);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
    await this.composer?.close();
  }
}

/**
 * A built message with the line ends SMTP's DATA phase gives it (nodemailer's smtp-connection DataStream): a bare CR
 * or a bare LF becomes CRLF, and a message that does not end in a line end gets one. Without the dot-stuffing and the
 * terminating dot, which belong to the transmission and not to the message.
 */
export function withSmtpLineEnds(message: Buffer): Buffer {
  // latin1 maps each byte to one character and back, so the bytes between line ends are kept as they are.
  const text = message.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  return Buffer.from(text.endsWith('\r\n') ? text : `${text}\r\n`, 'latin1');
}

/**
 * With no SMTP_URL: each message becomes an .eml file under DATA_DIR/mail, readable by any mail client, byte for
 * byte the message SMTP would have carried (CRLF line ends throughout, as RFC 5322 requires).
 */
export class EmlFileMailTransport extends MailTransport {
  readonly kind = 'eml-files' as const;
  private readonly transporter: Transporter;

  constructor(private readonly dir: string) {
    super();
    this.transporter = createTransport({ streamTransport: true, buffer: true });
  }

  async send(mail: OutgoingMail): Promise<MailReceipt> {
    const info = await this.transporter.sendMail(toNodemailer(mail));
    // Captured mail carries addresses and live unsubscribe links: for the owner's eyes only.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
    const tmp = join(this.dir, `.${name}.tmp`);
    await writeFile(tmp, withSmtpLineEnds(info.message as Buffer), { mode: 0o600 });
    await rename(tmp, join(this.dir, name));
    return { messageId: info.messageId, response: `written ${name}` };
  }

  async verify(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
