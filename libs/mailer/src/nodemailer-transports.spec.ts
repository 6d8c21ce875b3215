import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { nodemailerTextEncoding, uniformTextEncoding } from './nodemailer-transports';

const turkish = '<p>İzmir mağazamızda bu hafta sonuna özel yeni sezon ürünlerinde indirimler başladı.</p>'.repeat(20);
const russian = '<p>Скидки на новую коллекцию в нашем магазине в Измире.</p>'.repeat(20);
const asciiLong = `<p>${'x'.repeat(2000)}</p>`;
const digitsLong = '1234567890 '.repeat(200);

/** The message nodemailer builds, with what changes from one build to the next (boundaries, date) made fixed. */
async function build(options: Mail.Options): Promise<string> {
  const t = createTransport({ streamTransport: true, buffer: true });
  const info = await t.sendMail({
    from: { name: 'Örnek Mağaza', address: 'kampanya@ornek.com.tr' },
    to: 'ayse@example.com',
    messageId: '<m1@ornek.com.tr>',
    date: new Date(0),
    ...options,
  });
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
    const given = uniformTextEncoding(
      [html, text],
      ['Örnek Mağaza', subject, 'ayse@example.com', 'Bulten <l.100001.izinli>'],
    );
    expect(await build({ ...options, textEncoding: given })).toBe(await build(options));
  });
});
