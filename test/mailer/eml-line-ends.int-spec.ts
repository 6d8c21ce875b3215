import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EmlFileMailTransport, NodemailerMailTransport, OutgoingMail, withSmtpLineEnds } from '@izinli/mailer';
import { SmtpSink, startSmtpSink } from '@izinli/testing';

const BARE_LF = /(?<!\r)\n/;
const BARE_CR = /\r(?!\n)/;

// Bare LF and bare CR in the text part, and in the HTML; a fixed Date so that two builds can be compared.
const mail: OutgoingMail = {
  from: { name: 'Örnek Mağaza', address: 'kampanya@ornek.com.tr' },
  to: 'ayse@example.com',
  subject: 'İndirimler İŞTE ĞÜŞİÖÇ',
  html: '<html><body>\n<p>İyi günler</p>\r<p>Işık</p>\n</body></html>',
  text: 'İyi günler\nIşık ılık\rŞule Ğ\r\n.nokta ile başlayan satır\nson',
  headers: { Date: 'Tue, 01 Dec 2026 10:00:00 +0000' },
  messageId: '<c1.r1@ornek.com.tr>',
};

/** The multipart boundary holds random bytes drawn for each build: made fixed so that two builds can be compared. */
const fixedBoundaries = (raw: string) => raw.replace(/_NmP-[0-9a-f]+-Part_/g, '_NmP-BOUNDARY-Part_');

describe('.eml files and SMTP carry the same bytes', () => {
  let dir: string;
  let sink: SmtpSink;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eml-crlf-'));
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends every line of every part in CRLF, byte for byte what the SMTP server received', async () => {
    const eml = new EmlFileMailTransport(join(dir, 'mail'));
    await eml.send(mail);
    const [file] = readdirSync(join(dir, 'mail'));
    const written = readFileSync(join(dir, 'mail', file), 'utf8');
    expect(written).not.toMatch(BARE_LF);
    expect(written).not.toMatch(BARE_CR);
    expect(written.endsWith('\r\n')).toBe(true);

    for (const threads of [0, 1]) {
      const smtp = new NodemailerMailTransport(sink.url, 1, threads);
      try {
        const before = sink.messages.length;
        await smtp.send(mail);
        const [received] = (await sink.waitFor(before + 1)).slice(before);
        expect(received.raw).not.toMatch(/^Received:/im);
        expect(fixedBoundaries(written)).toBe(fixedBoundaries(received.raw));
      } finally {
        await smtp.close();
      }
    }
  });
});

describe(withSmtpLineEnds.name, () => {
  const norm = (s: string) => withSmtpLineEnds(Buffer.from(s, 'latin1')).toString('latin1');

  it('turns a bare LF or a bare CR into CRLF and keeps CRLF as it is, without stuffing dots', () => {
    expect(norm('a\nb\rc\r\nd\n\n.e\r\r\n')).toBe('a\r\nb\r\nc\r\nd\r\n\r\n.e\r\n\r\n');
  });

  it('ends the message in CRLF, as the DATA phase does', () => {
    expect(norm('x')).toBe('x\r\n');
    expect(norm('x\r')).toBe('x\r\n');
  });

  it('keeps the bytes between line ends', () => {
    const bytes = Buffer.from([0xc4, 0xb0, 0x0a, 0xff, 0x00]);
    expect([...withSmtpLineEnds(bytes)]).toEqual([0xc4, 0xb0, 0x0d, 0x0a, 0xff, 0x00, 0x0d, 0x0a]);
  });
});
