import { SuppressionList } from '@izinli/consent';
import { startSmtpSink, SmtpSink, waitFor } from '@izinli/testing';
import { UnsubscribeTokens } from '../../apps/campaigns/src/unsubscribe/unsubscribe-token';
import { startTestApp, TestApp } from '../support/test-app';

const PUBLIC_URL = 'https://izinli.test';

/**
 * The marketer's path over real HTTP and real SMTP: a list filled from JSON and CSV, a template, a campaign
 * gated as a whole at launch, mail counted as it arrives at an SMTP server inside the test, and the headers
 * every commercial message must carry.
 */
describe('campaigns (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let key: string;
  const brandCode = '710001';
  const as = () => ({ Authorization: `Bearer ${key}` });

  const consent = (recipient: string, status: 'ONAY' | 'RET', recipientType: 'BIREYSEL' | 'TACIR' = 'BIREYSEL') =>
    t
      .http()
      .post(`/v1/brands/${brandCode}/consents`)
      .set(as())
      .send({ recipient, type: 'EPOSTA', status, source: 'HS_WEB', recipientType })
      .expect(201);

  const newList = async (name: string) =>
    (await t.http().post(`/v1/brands/${brandCode}/lists`).set(as()).send({ name }).expect(201)).body as { id: string };
  const newTemplate = async (body: Record<string, unknown>) =>
    (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/templates`)
        .set(as())
        .send({ name: 'Şablon', ...body })
        .expect(201)
    ).body as { id: string };
  const newCampaign = async (body: Record<string, unknown>) =>
    (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/campaigns`)
        .set(as())
        .send({ name: 'Kampanya', purpose: 'PROMOTION', ...body })
        .expect(201)
    ).body as {
      id: string;
      status: string;
    };
  const getCampaign = async (id: string) => (await t.http().get(`/v1/campaigns/${id}`).set(as()).expect(200)).body;
  const untilStatus = (id: string, status: string, timeoutMs = 20_000) =>
    waitFor(
      () => getCampaign(id),
      (c) => c.status === status,
      timeoutMs,
      100,
    );

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: sink.url, PUBLIC_URL });
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const sp = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Alfa A.Ş.', iysCode: '710001' }).expect(201)
    ).body;
    key = sp.apiKey;
    await t
      .http()
      .post(`/v1/service-providers/${sp.id}/brands`)
      .set(op)
      .send({ name: 'Alfa', brandCode, fromEmail: 'kampanya@alfa.com.tr', fromName: 'Alfa Mağaza' })
      .expect(201);
    await consent('ayse@example.com', 'ONAY');
    await consent('ali@example.com', 'ONAY');
    await consent('veli@example.com', 'RET');
    await consent('esnaf@example.com', 'ONAY', 'TACIR');
    await consent('bounced@example.com', 'ONAY');
    await t.izinli.app.get(SuppressionList).add('bounced@example.com', null, 'HARD_BOUNCE', 'SMTP');
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('fills a list from JSON and from streamed CSV, upserting by e-mail and reporting each rejected row', async () => {
    const list = await newList('Müşteriler');
    const json = await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send([
        { email: 'Ayse@Example.com', data: { firstName: 'Ayşe' } },
        { email: 'not-an-address' },
        { email: 'ali@example.com', recipientType: 'KURUMSAL' },
        { email: 'ali@example.com', data: { firstName: 'Ali' } },
      ])
      .expect(200);
    expect(json.body).toEqual({
      added: 2,
      updated: 0,
      rejected: 2,
      complete: true,
      errors: [
        { row: 2, field: 'email', code: 'INVALID_EMAIL', message: expect.any(String) },
        { row: 3, field: 'recipientType', code: 'INVALID_RECIPIENT_TYPE', message: expect.any(String) },
      ],
    });
    const csv =
      'email;firstName;recipientType;city\nayse@example.com;Ayşe Y.;;İzmir\nesnaf@example.com;Esnaf;TACIR;Bursa\nkötü@example.com;X;;Y\nveli@example.com;Veli;;Ankara\n';
    const res = await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .set('content-type', 'text/csv')
      .send(csv)
      .expect(200);
    expect(res.body).toMatchObject({
      added: 2,
      updated: 1,
      rejected: 1,
      complete: true,
      errors: [{ row: 3, line: 4, code: 'INVALID_EMAIL', field: 'email' }],
    });
    const got = await t.http().get(`/v1/lists/${list.id}`).set(as()).expect(200);
    expect(got.body).toMatchObject({ id: list.id, brandCode, name: 'Müşteriler', contactCount: 4 });
    const rows = await t.db.dataSource.query(
      `SELECT email, recipient_type, data FROM contacts WHERE list_id = $1 ORDER BY email`,
      [list.id],
    );
    expect(rows).toEqual([
      { email: 'ali@example.com', recipient_type: 'BIREYSEL', data: { firstName: 'Ali' } },
      { email: 'ayse@example.com', recipient_type: 'BIREYSEL', data: { firstName: 'Ayşe Y.', city: 'İzmir' } },
      { email: 'esnaf@example.com', recipient_type: 'TACIR', data: { firstName: 'Esnaf', city: 'Bursa' } },
      { email: 'veli@example.com', recipient_type: 'BIREYSEL', data: { firstName: 'Veli', city: 'Ankara' } },
    ]);
  });

  it('refuses contact uploads it cannot read: no email column, wrong media type, not an array', async () => {
    const list = await newList('Bozuk');
    const noEmail = await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .set('content-type', 'text/csv')
      .send('mail,name\na@example.com,A\n')
      .expect(400);
    expect(noEmail.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'body', message: expect.stringContaining('"email" column') }],
    });
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .set('content-type', 'text/plain')
      .send('email\na@example.com')
      .expect(415);
    const notArray = await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send({ email: 'a@example.com' })
      .expect(400);
    expect(notArray.body.code).toBe('VALIDATION_FAILED');
    const broken = await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .set('content-type', 'text/csv')
      .send('email,name\na@example.com,A\nb@example.com,"open\n')
      .expect(200);
    expect(broken.body).toMatchObject({ added: 1, complete: false, errors: [{ code: 'CSV_SYNTAX' }] });
  });

  it('refuses a template that does not compile with 422 naming the part and the line', async () => {
    const res = await t
      .http()
      .post(`/v1/brands/${brandCode}/templates`)
      .set(as())
      .send({ name: 'Bozuk', subject: 'Merhaba', html: '<p>bir</p>\n<p>iki</p>\n{{#if vip}}\n<p>üç</p>' })
      .expect(422);
    expect(res.body).toMatchObject({
      code: 'TEMPLATE_INVALID',
      errors: [{ field: 'html', message: expect.stringMatching(/^line 4: /) }],
    });
    expect(res.body.detail).toContain('html line 4');
    const raw = await t
      .http()
      .post(`/v1/brands/${brandCode}/templates`)
      .set(as())
      .send({ name: 'Ham', subject: 'x', html: '<p>{{{firstName}}}</p>' })
      .expect(422);
    expect(raw.body.errors[0].message).toMatch(/unescaped output/);
  });

  it('previews a template with sample data: escaped HTML, text derived from it, the unsubscribe footer added', async () => {
    const tpl = await newTemplate({
      subject: 'Merhaba {{firstName}}',
      html: '<p>Merhaba {{firstName}}, <a href="https://alfa.com.tr/yeni">yeni sezon</a></p>',
      layout: 'basic',
    });
    const got = await t.http().get(`/v1/templates/${tpl.id}`).set(as()).expect(200);
    expect(got.body).toMatchObject({ id: tpl.id, brandCode, layout: 'basic', text: null });
    const res = await t
      .http()
      .post(`/v1/templates/${tpl.id}/preview`)
      .set(as())
      .send({ data: { firstName: '<b>Ayşe</b>' } })
      .expect(200);
    expect(res.body.subject).toBe('Merhaba <b>Ayşe</b>');
    expect(res.body.html).toContain('Merhaba &lt;b&gt;Ayşe&lt;/b&gt;');
    expect(res.body.html).toContain(`href="${PUBLIC_URL}/u/preview"`);
    expect(res.body.text).toContain('yeni sezon (https://alfa.com.tr/yeni)');
    expect(res.body.text).toContain(`${PUBLIC_URL}/u/preview`);
    const failing = await newTemplate({
      subject: 'x',
      html: '{{#each items}}{{> kart}}{{/each}}{{#*inline "kart"}}{{> kart}}{{/inline}}',
    });
    const bad = await t
      .http()
      .post(`/v1/templates/${failing.id}/preview`)
      .set(as())
      .send({ data: { items: [1] } })
      .expect(422);
    // A partial that calls itself for ever is stopped by the partial depth limit.
    expect(bad.body.code).toBe('TEMPLATE_TOO_DEEP');
    const broken = await newTemplate({ subject: 'x', html: '{{#each items}}{{> @partial-block}}{{/each}}' });
    const failed = await t
      .http()
      .post(`/v1/templates/${broken.id}/preview`)
      .set(as())
      .send({ data: { items: [1] } })
      .expect(422);
    expect(failed.body.code).toBe('TEMPLATE_RENDER_FAILED');
  });

  it('creates a DRAFT campaign with its classification, escalating promotional content declared transactional', async () => {
    const list = await newList('Sınıflandırma');
    const promo = await newTemplate({
      subject: 'Siparişiniz kargoda',
      html: '<p>Siparişiniz yola çıktı. Bir sonraki alışverişte %20 indirim kodu: YAZ20</p>',
    });
    const plain = await newTemplate({
      subject: 'Siparişiniz kargoda',
      html: '<p>Siparişiniz yola çıktı. Kargo takip numaranız 12345.</p>',
    });
    const escalated = await newCampaign({ listId: list.id, templateId: promo.id, purpose: 'DELIVERY' });
    expect(escalated).toMatchObject({
      status: 'DRAFT',
      purpose: 'DELIVERY',
      kind: 'COMMERCIAL',
      classification: { kind: 'COMMERCIAL', declaredKind: 'TRANSACTIONAL', escalated: true },
    });
    expect(
      (escalated as unknown as { classification: { reasons: string[] } }).classification.reasons.length,
    ).toBeGreaterThan(0);
    const transactional = await newCampaign({ listId: list.id, templateId: plain.id, purpose: 'DELIVERY' });
    expect(transactional).toMatchObject({ kind: 'TRANSACTIONAL', classification: { escalated: false } });
    expect(await getCampaign(escalated.id)).toMatchObject({
      counts: { total: 0, eligible: 0, blocked: {}, pending: 0, sent: 0, failed: 0 },
    });
  });

  it('launches: gates the whole audience, answers counts by reason, delivers exactly the eligible with the required headers', async () => {
    const list = await newList('Kasım bülteni');
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send([
        // A line break in data must not become a header: the subject stays one line.
        { email: 'ayse@example.com', data: { firstName: 'Ayşe\r\nBcc: kotu@example.com' } },
        { email: 'ali@example.com', data: { firstName: 'Ali' } },
        { email: 'esnaf@example.com', recipientType: 'TACIR', data: { firstName: 'Esnaf' } },
        { email: 'veli@example.com', data: { firstName: 'Veli' } },
        { email: 'hic@example.com', data: { firstName: 'Hiç' } },
        { email: 'bounced@example.com', data: { firstName: 'Geri' } },
      ])
      .expect(200);
    const tpl = await newTemplate({
      subject: '{{firstName}}, yeni sezon',
      html: '<p>Merhaba {{firstName}}</p><p><a href="{{unsubscribeUrl}}">Abonelikten çık</a></p>',
    });
    const c = await newCampaign({ listId: list.id, templateId: tpl.id });
    const before = sink.messages.length;

    const launched = (await t.http().post(`/v1/campaigns/${c.id}/launch`).set(as()).expect(200)).body;
    expect(['RUNNING', 'COMPLETED']).toContain(launched.status);
    expect(launched.counts).toMatchObject({
      total: 6,
      eligible: 3,
      blocked: { NO_CONSENT: 1, REFUSED: 1, SUPPRESSED: 1 },
    });

    const done = await untilStatus(c.id, 'COMPLETED');
    expect(done.counts).toEqual({
      total: 6,
      eligible: 3,
      blocked: { NO_CONSENT: 1, REFUSED: 1, SUPPRESSED: 1 },
      blockedAtSend: 0,
      pending: 0,
      sending: 0,
      sent: 3,
      failed: 0,
      failures: {},
      cancelled: 0,
      duplicatesPossible: 0,
    });
    const mails = (await sink.waitFor(before + 3)).slice(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.messages.length - before).toBe(3);
    expect(mails.map((m) => m.to[0]).sort()).toEqual(['ali@example.com', 'ayse@example.com', 'esnaf@example.com']);

    const sent = (await t.http().get(`/v1/campaigns/${c.id}/recipients?status=SENT`).set(as()).expect(200)).body
      .items as {
      id: string;
      recipient: string;
      messageId: string;
      consent: { movementId: string; source: string } | null;
    }[];
    const tokens = t.izinli.app.get(UnsubscribeTokens);
    for (const m of mails) {
      const row = sent.find((s) => s.recipient === m.to[0])!;
      expect(m.header('Message-ID')).toBe(`<c${c.id}.r${row.id}@alfa.com.tr>`);
      expect(row.messageId).toBe(`c${c.id}.r${row.id}@alfa.com.tr`);
      expect(m.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(m.header('List-Id')).toBe(`Kasim bulteni <${list.id}.${brandCode}.izinli>`);
      expect(m.header('Feedback-ID')).toBe(`${c.id}:${brandCode}:commercial:710001`);
      const unsubscribe = /^<(.+)>$/.exec(m.header('List-Unsubscribe')!)![1];
      expect(unsubscribe.startsWith(`${PUBLIC_URL}/u/`)).toBe(true);
      const claims = tokens.verify(unsubscribe.slice(`${PUBLIC_URL}/u/`.length));
      expect(claims).toMatchObject({ recipient: m.to[0], messageId: row.messageId });
      expect(m.raw).toContain(unsubscribe.slice(0, 40));
      expect(m.header('Bcc')).toBeUndefined();
      expect(row.consent).toMatchObject({ source: 'HS_WEB' });
    }
    const ayse = mails.find((m) => m.to[0] === 'ayse@example.com')!;
    expect(ayse.header('Subject')).not.toMatch(/[\r\n]/);

    const blocked = (await t.http().get(`/v1/campaigns/${c.id}/recipients?status=BLOCKED`).set(as()).expect(200)).body
      .items;
    expect(
      blocked
        .map((b: { recipient: string; reason: string; blockedAt: string }) => [b.recipient, b.reason, b.blockedAt])
        .sort(),
    ).toEqual([
      ['bounced@example.com', 'SUPPRESSED', 'LAUNCH'],
      ['hic@example.com', 'NO_CONSENT', 'LAUNCH'],
      ['veli@example.com', 'REFUSED', 'LAUNCH'],
    ]);
    const page1 = (await t.http().get(`/v1/campaigns/${c.id}/recipients?limit=4`).set(as()).expect(200)).body;
    expect(page1.items).toHaveLength(4);
    const page2 = (
      await t.http().get(`/v1/campaigns/${c.id}/recipients?limit=4&after=${page1.next}`).set(as()).expect(200)
    ).body;
    expect(page2.items).toHaveLength(2);
    expect(page2.next).toBeNull();
    expect(new Set([...page1.items, ...page2.items].map((r: { id: string }) => r.id)).size).toBe(6);
  });

  it('sends transactional campaigns without unsubscribe headers, and never to a suppressed address', async () => {
    const list = await newList('Bilgilendirme');
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send([{ email: 'hic@example.com' }, { email: 'bounced@example.com' }])
      .expect(200);
    const tpl = await newTemplate({
      subject: 'Hizmet bildirimi',
      html: '<p>Bakım çalışması nedeniyle hizmetimiz 02:00-03:00 arası kesintili olacaktır.</p>',
    });
    const c = await newCampaign({ listId: list.id, templateId: tpl.id, purpose: 'SERVICE_NOTICE' });
    expect(c).toMatchObject({ kind: 'TRANSACTIONAL' });
    const before = sink.messages.length;
    const launched = (await t.http().post(`/v1/campaigns/${c.id}/launch`).set(as()).expect(200)).body;
    expect(launched.counts).toMatchObject({ total: 2, eligible: 1, blocked: { SUPPRESSED: 1 } });
    await untilStatus(c.id, 'COMPLETED');
    const [m] = (await sink.waitFor(before + 1)).slice(before);
    expect(m.to).toEqual(['hic@example.com']);
    expect(m.header('List-Unsubscribe')).toBeUndefined();
    expect(m.header('List-Unsubscribe-Post')).toBeUndefined();
    expect(m.header('Feedback-ID')).toBe(`${c.id}:${brandCode}:transactional:710001`);
    expect(m.raw).not.toContain('abonelikten');
  });

  it('pauses, resumes and cancels, and refuses a transition that does not apply with 409', async () => {
    const list = await newList('Yavaş');
    const many = Array.from({ length: 8 }, (_, i) => `yavas${i}@example.com`);
    for (const r of many) await consent(r, 'ONAY');
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send(many.map((email) => ({ email })))
      .expect(200);
    const tpl = await newTemplate({ subject: 'Yavaş', html: '<p>Merhaba</p>' });
    const c = await newCampaign({ listId: list.id, templateId: tpl.id, ratePerSecond: 2 });

    await t.http().post(`/v1/campaigns/${c.id}/pause`).set(as()).expect(409);
    await t.http().post(`/v1/campaigns/${c.id}/launch`).set(as()).expect(200);
    const relaunch = await t.http().post(`/v1/campaigns/${c.id}/launch`).set(as()).expect(409);
    expect(relaunch.body).toMatchObject({ code: 'INVALID_CAMPAIGN_STATE', status: 409 });
    const paused = (await t.http().post(`/v1/campaigns/${c.id}/pause`).set(as()).expect(200)).body;
    expect(paused.status).toBe('PAUSED');
    // Nothing more is claimed while paused; what was in flight finishes.
    await new Promise((r) => setTimeout(r, 1500));
    const whilePaused = (await getCampaign(c.id)).counts;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await getCampaign(c.id)).counts.sent).toBe(whilePaused.sent);
    expect(whilePaused.sent).toBeLessThan(8);

    await t.http().post(`/v1/campaigns/${c.id}/resume`).set(as()).expect(200);
    await waitFor(
      () => getCampaign(c.id),
      (x) => x.counts.sent > whilePaused.sent,
      10_000,
      100,
    );
    const cancelled = (await t.http().post(`/v1/campaigns/${c.id}/cancel`).set(as()).expect(200)).body;
    expect(cancelled.status).toBe('CANCELLED');
    await waitFor(
      () => getCampaign(c.id),
      (x) => x.counts.sending === 0,
      5_000,
      100,
    );
    const final = (await getCampaign(c.id)).counts;
    expect(final.sent + final.cancelled).toBe(8);
    expect(final.cancelled).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await getCampaign(c.id)).counts.sent).toBe(final.sent);
    await t.http().post(`/v1/campaigns/${c.id}/resume`).set(as()).expect(409);
    await t.http().post(`/v1/campaigns/${c.id}/cancel`).set(as()).expect(409);
  });

  it('schedules a campaign with sendAt, reports the gate’s forecast, and starts it when due', async () => {
    const list = await newList('Zamanlı');
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send([{ email: 'ali@example.com' }, { email: 'hic@example.com' }])
      .expect(200);
    const tpl = await newTemplate({ subject: 'Zamanlı', html: '<p>Merhaba</p>' });
    const sendAt = new Date(Date.now() + 2_500).toISOString();
    const c = await newCampaign({ listId: list.id, templateId: tpl.id, sendAt });
    const before = sink.messages.length;
    const launched = (await t.http().post(`/v1/campaigns/${c.id}/launch`).set(as()).expect(200)).body;
    expect(launched).toMatchObject({
      status: 'SCHEDULED',
      sendAt,
      forecast: { total: 2, eligible: 1, blocked: { NO_CONSENT: 1 } },
      counts: { total: 0 },
    });
    expect(sink.messages.length).toBe(before);
    const done = await untilStatus(c.id, 'COMPLETED', 15_000);
    expect(new Date(done.startedAt).getTime()).toBeGreaterThanOrEqual(new Date(sendAt).getTime() - 1_000);
    expect(done.counts).toMatchObject({ total: 2, sent: 1, blocked: { NO_CONSENT: 1 } });
    await t.http().post(`/v1/campaigns/${c.id}/cancel`).set(as()).expect(409);
  });
});
