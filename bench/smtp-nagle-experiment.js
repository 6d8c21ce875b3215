#!/usr/bin/env node
// Does Nagle's algorithm on nodemailer's pooled client sockets cap throughput, and is it the sink's doing or the
// client's? `node bench/smtp-nagle-experiment.js [messages]`. Sends the same ~2.5 KB message through a nodemailer
// pool (5 connections, 200 in flight) to three sinks, with the client sockets as nodemailer leaves them and with
// TCP_NODELAY set through the pool's getSocket hook (what libs/mailer does):
//   - smtp-server (the benchmarks' sink; it sets TCP_NODELAY on its own sockets),
//   - a bare net.Server speaking minimal SMTP, one write per reply, Nagle left on (as most MTAs leave it),
//   - Python's smtpd module, a different implementation altogether (skipped when python3 has no smtpd).
// Not a *.bench.ts: run.js does not pick it up.
const net = require('net');
const { spawn } = require('child_process');
const nodemailer = require('nodemailer');
const { SMTPServer } = require('smtp-server');

const N = Number(process.argv[2] ?? 2000);
const POOL = 5;
const IN_FLIGHT = 200;
const BODY = '<p>' + 'Merhaba, kasım fırsatları sizi bekliyor. '.repeat(60) + '</p>';

function smtpServerSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    onData(stream, _s, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        cb();
      });
    },
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.server.address().port,
        received: () => received,
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

/** Minimal SMTP: every reply is one write; TCP_NODELAY is not touched. */
function rawSink() {
  let received = 0;
  const server = net.createServer((sock) => {
    let buf = '';
    let inData = false;
    sock.write('220 raw ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end === -1) return;
          buf = buf.slice(end + 5);
          inData = false;
          received++;
          sock.write('250 2.0.0 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl === -1) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-raw\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          buf = '\r\n' + buf; // the terminator search needs the CRLF before the dot of an empty body
          sock.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          sock.end('221 bye\r\n');
        } else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: server.address().port,
        received: () => received,
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

async function pythonSink() {
  const probe = await new Promise((r) => {
    const p = spawn('python3', ['-W', 'ignore', '-c', 'import smtpd']);
    p.on('exit', (code) => r(code === 0));
    p.on('error', () => r(false));
  });
  if (!probe) return null;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const code = `
import smtpd, asyncore, sys
class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kw):
        return None
Sink(('127.0.0.1', ${port}), None, decode_data=False)
sys.stdout.write('ready\\n'); sys.stdout.flush()
asyncore.loop()
`;
  const child = spawn('python3', ['-W', 'ignore', '-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout.once('data', r));
  return { port, received: () => NaN, close: async () => child.kill('SIGTERM') };
}

async function run(port, noDelay, n) {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: POOL,
    maxMessages: Infinity,
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    ...(noDelay
      ? {
          getSocket(options, cb) {
            const s = net.connect({ host: options.host, port: options.port, noDelay: true });
            s.once('connect', () => cb(null, { connection: s }));
            s.once('error', cb);
          },
        }
      : {}),
  });
  let next = 0;
  const t0 = process.hrtime.bigint();
  const lane = async () => {
    while (next < n) {
      const i = next++;
      await transport.sendMail({
        from: 'a@bench.test',
        to: `u${i}@example.com`,
        subject: 'kasım',
        html: BODY,
        text: BODY,
      });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  transport.close();
  return n / s;
}

(async () => {
  const sinks = [
    ['smtp-server (sets TCP_NODELAY itself)', await smtpServerSink()],
    ['raw net.Server, one write per reply', await rawSink()],
    ['python3 smtpd', await pythonSink()],
  ];
  for (const [name, sink] of sinks) {
    if (!sink) {
      console.log(`${name}: skipped`);
      continue;
    }
    await run(sink.port, true, 200); // warm up
    const nagle = await run(sink.port, false, N);
    const nodelay = await run(sink.port, true, N);
    const nagle2 = await run(sink.port, false, N);
    const nodelay2 = await run(sink.port, true, N);
    console.log(
      `${name}: client as nodemailer leaves it ${Math.round(nagle)} / ${Math.round(nagle2)} msg/s; client TCP_NODELAY ${Math.round(nodelay)} / ${Math.round(nodelay2)} msg/s (${POOL} connections, ${N} messages)`,
    );
    await sink.close();
  }
  process.exit(0);
})();
