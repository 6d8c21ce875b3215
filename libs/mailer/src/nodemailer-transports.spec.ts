import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { once } from 'events';
import { connect, createServer, type Server, type Socket } from 'net';
import { coalesceWrites, nodemailerTextEncoding, uniformTextEncoding } from './nodemailer-transports';

const turkish = '<p>İzmir mağazamızda bu hafta sonuna özel yeni sezon ürünlerinde indirimler başladı.</p>'.repeat(20);
const russian = '<p>Скидки на новую коллекцию в нашем магазине в Измире.</p>'.repeat(20);
const asciiLong = `<p>${'x'.repeat(2000)}</p>`;
const digitsLong = '1234567890 '.repeat(200);

/** The message nodemailer builds, with what changes from one build to the next (boundaries, date) made fixed. */
async function build(options: Mail.Options): Promise<string> {
  const t = createTransport({ streamTransport: true, buffer: true });
  const info = await t.sendMail({ from: { name: 'Örnek Mağaza', address: 'kampanya@ornek.com.tr' }, to: 'ayse@example.com', messageId: '<m1@ornek.com.tr>', date: new Date(0), ...options });
  const raw = (info.message as Buffer).toString('utf8');
  const boundaries = [...new Set(raw.match(/--_NmP-[0-9a-f-]+Part_\d+/g) ?? [])];
  return boundaries.reduce((s, b, i) => s.split(b.slice(2)).join(`BOUNDARY${i}`), raw);
}

describe(nodemailerTextEncoding.name, () => {
  it("follows nodemailer's rule: quoted-printable when Latin letters outnumber the rest, else base64", () => {
    expect(nodemailerTextEncoding(turkish)).toBe('quoted-printable');
    expect(nodemailerTextEncoding(russian)).toBe('base64');
    expect(nodemailerTextEncoding(digitsLong)).toBe('base64');
    expect(nodemailerTextEncoding('😀😀 ab')).toBe('base64'); // a surrogate pair counts twice, as in nodemailer
  });
});

describe(uniformTextEncoding.name, () => {
  it('gives no encoding when the parts would not all be encoded alike', () => {
    expect(uniformTextEncoding([turkish, turkish], ['Kasım fırsatları'])).toBe('quoted-printable');
    expect(uniformTextEncoding([russian, russian], ['Скидки'])).toBe('base64');
    expect(uniformTextEncoding([turkish, russian], [])).toBeUndefined();
    expect(uniformTextEncoding([turkish], ['Скидки'])).toBeUndefined();
    expect(uniformTextEncoding([turkish], ['ascii only 123'])).toBe('quoted-printable');
  });

  it.each([
    ['Turkish', turkish, 'Kasım fırsatları sizi bekliyor'],
    ['Russian', russian, 'Скидки в Измире'],
    ['ASCII with long lines', asciiLong, 'Plain subject'],
    ['digits only, long lines', digitsLong, 'Kasım'],
    ['Russian subject, Turkish body', turkish, 'Скидки в Измире'],
  ])('leaves the message byte for byte as nodemailer alone builds it: %s', async (_name, html, subject) => {
    const text = html.replace(/<[^>]+>/g, '\n');
    const options: Mail.Options = { subject, html, text, headers: { 'List-Id': 'Bulten <l.100001.izinli>' } };
    const given = uniformTextEncoding([html, text], ['Örnek Mağaza', subject, 'ayse@example.com', 'Bulten <l.100001.izinli>']);
    expect(await build({ ...options, textEncoding: given })).toBe(await build(options));
  });
});

describe(coalesceWrites.name, () => {
  let server: Server;
  let received: Buffer[];
  let client: Socket;
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(async () => {
    received = [];
    server = createServer((peer) => peer.on('data', (chunk: Buffer) => received.push(chunk)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = connect((server.address() as { port: number }).port, '127.0.0.1');
    client.setNoDelay(true);
    await once(client, 'connect');
  });
  afterEach(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the writes of one turn of the event loop as one system call, in order, and a later write on its own', async () => {
    coalesceWrites(client);
    // What reaches the kernel: Node hands a socket's buffered writes over through _writev (several) or _write (one).
    const internals = client as unknown as { _writev: (...a: unknown[]) => void; _write: (...a: unknown[]) => void };
    const writev = jest.spyOn(internals, '_writev');
    const single = jest.spyOn(internals, '_write');
    client.write('DATA\r\n');
    await turn();
    expect({ writev: writev.mock.calls.length, single: single.mock.calls.length }).toEqual({ writev: 0, single: 1 });
    client.write('Subject: x\r\n\r\nbody');
    client.write('\r\n.\r\n');
    await turn();
    expect({ writev: writev.mock.calls.length, single: single.mock.calls.length }).toEqual({ writev: 1, single: 1 });
    expect((writev.mock.calls[0][0] as unknown[]).length).toBe(2);
    const expected = 'DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n';
    for (let i = 0; i < 100 && Buffer.concat(received).length < expected.length; i++) await new Promise((r) => setTimeout(r, 5));
    expect(Buffer.concat(received).toString()).toBe(expected);
  });

  it('without it, the same two writes are two system calls (what the first test tells apart)', async () => {
    const internals = client as unknown as { _writev: (...a: unknown[]) => void; _write: (...a: unknown[]) => void };
    const writev = jest.spyOn(internals, '_writev');
    const single = jest.spyOn(internals, '_write');
    client.write('Subject: x\r\n\r\nbody');
    client.write('\r\n.\r\n');
    await turn();
    expect(writev.mock.calls.length).toBe(0);
    expect(single.mock.calls.length).toBe(2);
  });
});
