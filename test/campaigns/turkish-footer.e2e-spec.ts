import { CapturedMail, startSmtpSink, SmtpSink, waitFor } from '@izinli/testing';
import { createTestTenant, startTestApp, TestApp } from '../support/test-app';

const TURKISH = 'İndirimler İŞTE ĞÜŞİÖÇ';
// Mail travels with CRLF line ends.
const FOOTER_THEN_END = /abonelikten çıkabilirsiniz<\/a>\.<\/div>\r\n<\/body><\/html>$/;

/** The decoded text/html part of a message as the SMTP server received it. */
function htmlPart(raw: string): string {
  const at = raw.search(/^Content-Type: text\/html/im);
  expect(at).toBeGreaterThan(-1);
  const headEnd = raw.indexOf('\r\n\r\n', at);
  const head = raw.slice(at, headEnd);
  const rest = raw.slice(headEnd + 4);
  const end = rest.search(/\r\n--/);
  const body = end === -1 ? rest : rest.slice(0, end);
  if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(body, 'base64').toString('utf8');
  const bytes = body
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * Turkish capital dotted İ lower-cases to two UTF-16 units: text carrying it before </body> (a subject in the
 * layout's <title>, a name, the template) must not shift where the unsubscribe footer goes, on campaign mail and on
 * messages sent one by one.
 */
describe('unsubscribe footer with Turkish text (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let key: string;
  const brandCode = '770001';
  const as = () => ({ Authorization: `Bearer ${key}` });
  const untilMail = async (address: string): Promise<CapturedMail> =>
    (
      await waitFor(
        async () => sink.messages.filter((m) => m.to.includes(address)),
        (l) => l.length > 0,
        20_000,
        20,
      )
    )[0];
  const consent = (recipient: string) =>
    t
      .http()
      .post(`/v1/brands/${brandCode}/consents`)
      .set(as())
      .send({ recipient, type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://izinli.test' });
    key = (
      await createTestTenant(t, {
        name: 'İŞTE A.Ş.',
        iysCode: '770001',
        brand: { name: 'İŞTE Ğ Mağaza', brandCode, fromEmail: 'kampanya@iste.com.tr', fromName: 'İŞTE Işıklı' },
      })
    ).apiKey;
  });

  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('puts the footer inside a well-formed </body></html> end of campaign mail', async () => {
    await consent('ilknur@example.com');
    const list = (await t.http().post(`/v1/brands/${brandCode}/lists`).set(as()).send({ name: TURKISH }).expect(201))
      .body as { id: string };
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send([{ email: 'ilknur@example.com', data: { firstName: 'İlknur Işıl Ğ' } }])
      .expect(200);
    const tpl = (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/templates`)
        .set(as())
        .send({
          name: TURKISH,
          subject: `${TURKISH} {{firstName}}`,
          html: `<p>İİİ {{firstName}}, ${TURKISH}</p>`,
          layout: 'basic',
        })
        .expect(201)
    ).body as { id: string };
    const c = (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/campaigns`)
        .set(as())
        .send({ name: TURKISH, purpose: 'PROMOTION', listId: list.id, templateId: tpl.id })
        .expect(201)
    ).body as { id: string };
    await t.http().post(`/v1/campaigns/${c.id}/launch`).set(as()).expect(200);

    const html = htmlPart((await untilMail('ilknur@example.com')).raw);
    expect(html).toContain(`<title>${TURKISH} İlknur Işıl Ğ</title>`);
    expect(html).toMatch(FOOTER_THEN_END);
    expect(html.split('</body>')).toHaveLength(2);
  });

  it('puts the footer inside a well-formed </body></html> end of a message sent on its own', async () => {
    await consent('sukru@example.com');
    const res = await t
      .http()
      .post('/v1/messages')
      .set(as())
      .send({
        brandCode,
        to: 'sukru@example.com',
        purpose: 'PROMOTION',
        subject: `${TURKISH} {{name}}`,
        html: `<html><head><title>${TURKISH} {{name}}</title></head><body><p>{{name}}: ${TURKISH}</p></body></html>`,
        data: { name: 'Şükrü İĞDE ılık' },
      })
      .expect(202);
    expect(res.body.kind).toBe('COMMERCIAL');

    const html = htmlPart((await untilMail('sukru@example.com')).raw);
    expect(html).toContain(`<title>${TURKISH} Şükrü İĞDE ılık</title>`);
    expect(html).toMatch(FOOTER_THEN_END);
    expect(html.split('</body>')).toHaveLength(2);
  });

  it('leaves a transactional message whose template carries Turkish text whole, without a footer', async () => {
    const res = await t
      .http()
      .post('/v1/messages')
      .set(as())
      .send({
        brandCode,
        to: 'ismail@example.com',
        purpose: 'ORDER',
        subject: 'Siparişiniz {{orderNo}} İŞTE ĞÜŞİÖÇ',
        html: '<html><head><title>İŞTE ĞÜŞİÖÇ {{name}}</title></head><body><p>{{name}}, siparişiniz yolda.</p></body></html>',
        data: { orderNo: 'İ-1', name: 'İsmail Işık' },
      })
      .expect(202);
    expect(res.body.kind).toBe('TRANSACTIONAL');

    const html = htmlPart((await untilMail('ismail@example.com')).raw);
    expect(html).toMatch(/<p>İsmail Işık, siparişiniz yolda\.<\/p><\/body><\/html>$/);
    expect(html).not.toContain('abonelikten');
  });
});
