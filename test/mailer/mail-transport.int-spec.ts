import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EmlFileMailTransport, MailSendError, NodemailerMailTransport, OutgoingMail } from '@izinli/mailer';
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
    const before = sink.messages.length;
    await sut.send(mail({ subject: 'Hello\r\nBcc: victim@example.com', from: { name: 'Shop\nX-Evil: 1', address: 'kampanya@ornek.com.tr' } }));
    const [m] = (await sink.waitFor(before + 1)).slice(before);
    expect(m.header('Bcc')).toBeUndefined();
    expect(m.header('X-Evil')).toBeUndefined();
    expect(m.to).toEqual(['ayse@example.com']);
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
      await sut.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
