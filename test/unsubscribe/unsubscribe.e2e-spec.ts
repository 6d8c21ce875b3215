import { randomUUID } from 'crypto';
import { startSmtpSink, startWebhookReceiver, SmtpSink, waitFor, WebhookReceiver } from '@izinli/testing';
import { ConsentRegistry } from '@izinli/consent';
import { signUnsubscribeToken, UnsubscribeTokens } from '../../apps/campaigns/src/unsubscribe/unsubscribe-token';
import { addressTraces, legacyUnsubscribeToken } from '../support/legacy-unsubscribe-token';
import { startTestApp, TestApp } from '../support/test-app';

interface MovementView {
  status: string;
  source: string;
  origin: string;
  consentDate: string;
  evidence?: Record<string, string>;
  iys: { state: string; reason?: string };
}

/**
 * The recipient's side of an unsubscribe link over real HTTP: the page never changes anything, one-click and the
 * form record one RET that reaches the in-process İYS simulator (or a CUSTOMER brand's webhook), repeats change
 * nothing, bad tokens and bad bodies get a 4xx page, and the undo works only for the link's own RET.
 */
describe('unsubscribe link (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let key: string;
  let tokens: UnsubscribeTokens;
  let brandId: string;
  let customerBrandId: string;
  let receiver: WebhookReceiver;
  const brandCode = '760001';
  const customerCode = '760002';
  const brandName = 'Alfa <b>"Mağaza"</b> & Co';
  const as = () => ({ Authorization: `Bearer ${key}` });
  let seq = 0;
  const messageId = () => `c${randomUUID()}.r${++seq}@alfa.com.tr`;
  const link = (recipient: string, over: { brandId?: string; messageId?: string } = {}) =>
    tokens.sign({
      brandId: over.brandId ?? brandId,
      recipient,
      recipientType: 'BIREYSEL',
      messageId: over.messageId ?? messageId(),
    });

  const consentOf = async (recipient: string, code = brandCode) => {
    const res = await t.http().get(`/v1/brands/${code}/consents/EPOSTA/${recipient}`).set(as());
    return res.status === 404
      ? undefined
      : (res.body as {
          status: string;
          source: string;
          iys: { state: string; reason?: string };
          history: MovementView[];
        });
  };
  const approve = (recipient: string, consentDate?: string) =>
    t
      .http()
      .post(`/v1/brands/${brandCode}/consents`)
      .set(as())
      .send({ recipient, type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB', ...(consentDate ? { consentDate } : {}) })
      .expect(201);
  const oneClick = (token: string) =>
    t.http().post(`/u/${token}`).type('form').set('User-Agent', 'MailClient/1.0').send('List-Unsubscribe=One-Click');
  const formPost = (token: string) =>
    t.http().post(`/u/${token}`).type('form').set('User-Agent', 'Browser/2.0').send('action=unsubscribe');
  const undo = (token: string) =>
    t.http().post(`/u/${token}/undo`).type('form').set('User-Agent', 'Browser/2.0').send('action=undo');
  const gate = async (recipient: string) =>
    (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/consents/check`)
        .set(as())
        .send({ type: 'EPOSTA', recipients: [recipient] })
        .expect(200)
    ).body.results[0] as {
      allowed: boolean;
      reason: string;
    };
  const movementsFor = async (recipient: string) =>
    Number(
      (
        await t.db.dataSource.query(`SELECT count(*)::int AS n FROM consent_movements WHERE recipient = $1`, [
          recipient,
        ])
      )[0].n,
    );
  const expectPage = (res: { status: number; headers: Record<string, string>; text: string }, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toContain('noindex');
    expect(res.text).toContain('<html lang="tr">');
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    sink = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: sink.url, PUBLIC_URL: 'https://izinli.test/mail' });
    tokens = t.izinli.app.get(UnsubscribeTokens);
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const sp = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Alfa A.Ş.', iysCode: '760001' }).expect(201)
    ).body;
    key = sp.apiKey;
    brandId = (
      await t
        .http()
        .post(`/v1/service-providers/${sp.id}/brands`)
        .set(op)
        .send({ name: brandName, brandCode, fromEmail: 'k@alfa.com.tr', fromName: 'Alfa' })
        .expect(201)
    ).body.id;
    customerBrandId = (
      await t
        .http()
        .post(`/v1/service-providers/${sp.id}/brands`)
        .set(op)
        .send({
          name: 'Kendi',
          brandCode: customerCode,
          fromEmail: 'k@kendi.com.tr',
          fromName: 'Kendi',
          iysSync: 'CUSTOMER',
        })
        .expect(201)
    ).body.id;
    await t.http().patch(`/v1/brands/${customerCode}`).set(as()).send({ webhookUrl: receiver.url }).expect(200);
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
    await receiver?.close();
  });

  it('shows an accessible page naming the brand (escaped) and the masked address, and changes nothing', async () => {
    await approve('ayse@example.com');
    const token = link('ayse@example.com');
    const res = await t.http().get(`/u/${token}`);
    expectPage(res, 200);
    expect(res.text).toContain('Alfa &lt;b&gt;&quot;Mağaza&quot;&lt;/b&gt; &amp; Co');
    expect(res.text).not.toContain('<b>"Mağaza"</b>');
    expect(res.text).toContain('a***@e***.com');
    expect(res.text).not.toContain('ayse@example.com');
    expect(res.text).toMatch(/<form method="post" action="">/);
    expect(res.text).toMatch(/<section lang="en">/);
    await t.http().get(`/u/${token}`).expect(200);
    await t.http().head(`/u/${token}`).expect(200);
    const consent = await consentOf('ayse@example.com');
    expect(consent?.status).toBe('ONAY');
    expect(consent?.history).toHaveLength(1);
  });

  it('records RET with evidence on one-click (empty 200), sends it to İYS at once, and a repeat changes nothing', async () => {
    await approve('ali@example.com');
    await waitFor(
      () => consentOf('ali@example.com'),
      (c) => c?.iys.state === 'ACCEPTED',
    );
    const mid = messageId();
    const token = link('ali@example.com', { messageId: mid });
    const res = await oneClick(token).expect(200);
    expect(res.text).toBe('');
    expect(res.headers['cache-control']).toBe('no-store');

    const consent = await waitFor(
      () => consentOf('ali@example.com'),
      (c) => c?.status === 'RET' && c.iys.state === 'ACCEPTED',
    );
    const ret = consent!.history.at(-1)!;
    expect(ret).toMatchObject({ status: 'RET', source: 'HS_EPOSTA', origin: 'UNSUBSCRIBE' });
    expect(ret.evidence).toEqual({
      messageId: mid,
      reference: mid,
      ip: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: 'MailClient/1.0',
      capturedAt: expect.any(String),
    });
    const sim = (await (await fetch(`${t.izinli.iysUrl}/_sim/consents?brandCode=${brandCode}`)).json()) as {
      list: { recipient: string; status: string; source: string }[];
    };
    expect(sim.list.find((c) => c.recipient === 'ali@example.com')).toMatchObject({
      status: 'RET',
      source: 'HS_EPOSTA',
    });
    const outbox = (await t.http().get(`/v1/iys/outbox?brandCode=${brandCode}&state=ACCEPTED`).set(as()).expect(200))
      .body.items;
    expect(
      outbox.filter(
        (i: { recipient: string; status: string }) => i.recipient === 'ali@example.com' && i.status === 'RET',
      ),
    ).toHaveLength(1);

    // Again, by one-click, by the form and with another message's link: 200 each, nothing recorded.
    await oneClick(token).expect(200);
    const again = await formPost(token);
    expectPage(again, 200);
    expect(again.text).toContain('Zaten abonelikten çıktınız');
    await oneClick(link('ali@example.com')).expect(200);
    expect((await consentOf('ali@example.com'))!.history).toHaveLength(2);
    expect(await gate('ali@example.com')).toMatchObject({ allowed: false, reason: 'REFUSED' });
  });

  it('answers the form post with a confirmation page offering the undo; multipart one-click works too', async () => {
    await approve('veli@example.com');
    const token = link('veli@example.com');
    const res = await formPost(token);
    expectPage(res, 200);
    expect(res.text).toContain('Abonelikten çıktınız');
    expect(res.text).toContain(`<form method="post" action="./${token}/undo">`);
    expect(res.text).not.toContain('veli@example.com');
    expect((await consentOf('veli@example.com'))!.status).toBe('RET');
    // The page now says so, and still offers the undo to this link.
    const page = await t.http().get(`/u/${token}`);
    expect(page.text).toContain('Zaten abonelikten çıktınız');
    expect(page.text).toContain('/undo"');
    // Another message's link sees "already" without an undo.
    expect((await t.http().get(`/u/${link('veli@example.com')}`)).text).not.toContain('/undo"');

    await approve('multi@example.com');
    await t
      .http()
      .post(`/u/${link('multi@example.com')}`)
      .field('List-Unsubscribe', 'One-Click')
      .expect(200);
    expect((await consentOf('multi@example.com'))!.status).toBe('RET');
  });

  it('keeps a RET for an address İYS never saw locally: it blocks, and nothing is sent', async () => {
    await oneClick(link('stranger@example.com')).expect(200);
    const consent = await consentOf('stranger@example.com');
    expect(consent).toMatchObject({ status: 'RET', iys: { state: 'NOT_REQUIRED', reason: 'FIRST_RET' } });
    expect(await gate('stranger@example.com')).toMatchObject({ allowed: false, reason: 'REFUSED' });
  });

  it('refuses tampered, truncated, foreign, garbage, oversized tokens and deleted brands with a 400 page, recording nothing', async () => {
    const good = link('target@example.com');
    const flipped = (byte: number) => {
      const raw = Buffer.from(good, 'base64url');
      raw[byte] ^= 0x20;
      return raw.toString('base64url');
    };
    const legacy = legacyUnsubscribeToken(t.config.unsubscribeSecret!, {
      brandId,
      recipient: 'target@example.com',
      recipientType: 'BIREYSEL',
      messageId: 'm@x',
    });
    const [payload, sig] = legacy.split('.');
    const forged = Buffer.from(JSON.stringify([1, brandId, 'other@example.com', 'B', 'm@x'])).toString('base64url');
    const bad = [
      flipped(0),
      flipped(5),
      flipped(30),
      flipped(Buffer.from(good, 'base64url').length - 1),
      good.slice(0, -3),
      `${good}.${sig}`,
      `${forged}.${sig}`,
      legacy.slice(0, -3),
      `${payload}.`,
      payload,
      signUnsubscribeToken('a-foreign-secret-that-is-long-enough-0123456789', {
        brandId,
        recipient: 'target@example.com',
        recipientType: 'BIREYSEL',
        messageId: 'm@x',
      }),
      'garbage',
      'a.b',
      'x'.repeat(3000),
      link('target@example.com', { brandId: randomUUID() }),
    ];
    for (const token of bad) {
      const shown = await t.http().get(`/u/${encodeURIComponent(token)}`);
      expectPage(shown, 400);
      expect(shown.text).toContain('Bu bağlantı geçersiz');
      expectPage(await oneClick(encodeURIComponent(token)), 400);
      expectPage(await formPost(encodeURIComponent(token)), 400);
      expectPage(await undo(encodeURIComponent(token)), 400);
    }
    expect(await movementsFor('target@example.com')).toBe(0);
    expect(await movementsFor('other@example.com')).toBe(0);
  });

  it('answers unreadable or oversized bodies with a 4xx page, never a 500, recording nothing', async () => {
    const token = link('body@example.com');
    const cases: [number, () => PromiseLike<{ status: number; headers: Record<string, string>; text: string }>][] = [
      [
        413,
        () =>
          t
            .http()
            .post(`/u/${token}`)
            .type('form')
            .send(`List-Unsubscribe=One-Click&pad=${'x'.repeat(20_000)}`),
      ],
      [
        400,
        () =>
          t
            .http()
            .post(`/u/${token}`)
            .type('form')
            .send(Array.from({ length: 50 }, (_, i) => `f${i}=1`).join('&')),
      ],
      [
        400,
        () =>
          t
            .http()
            .post(`/u/${token}`)
            .set('content-type', 'multipart/form-data; boundary=XyZ')
            .send('not multipart at all'),
      ],
      [400, () => t.http().post(`/u/${token}`).set('content-type', 'multipart/form-data').send('x')],
      [
        413,
        () =>
          t
            .http()
            .post(`/u/${token}`)
            .set('content-type', 'multipart/form-data; boundary=B')
            .send(`--B\r\n${'y'.repeat(20_000)}`),
      ],
      [400, () => t.http().post(`/u/${token}`).set('content-type', 'application/json').send('{"List-Unsubscribe": ')],
      [400, () => t.http().post(`/u/${token}`).set('content-type', 'text/plain').send('List-Unsubscribe=One-Click')],
      [400, () => t.http().post(`/u/${token}`).send({ 'List-Unsubscribe': 'One-Click' })],
      [400, () => t.http().post(`/u/${token}`).type('form').send('List-Unsubscribe=Maybe')],
      [400, () => t.http().post(`/u/${token}`)],
      [400, () => t.http().post(`/u/${token}/undo`).type('form').send('action=nope')],
      [404, () => t.http().post(`/u/${token}/nothing`).type('form').send('action=undo')],
      [404, () => t.http().get('/u/')],
    ];
    for (const [status, send] of cases) expectPage(await send(), status);
    expect(await movementsFor('body@example.com')).toBe(0);
  });

  it('undoes a mistaken click: ONAY from HS_WEB with evidence, and the gate allows again', async () => {
    await approve('oops@example.com');
    const mid = messageId();
    const token = link('oops@example.com', { messageId: mid });
    await formPost(token).expect(200);
    expect(await gate('oops@example.com')).toMatchObject({ allowed: false, reason: 'REFUSED' });
    const res = await undo(token);
    expectPage(res, 200);
    expect(res.text).toContain('Aboneliğiniz devam ediyor');
    const consent = (await consentOf('oops@example.com'))!;
    expect(consent.status).toBe('ONAY');
    const onay = consent.history.at(-1)!;
    expect(onay).toMatchObject({ status: 'ONAY', source: 'HS_WEB', origin: 'UNSUBSCRIBE' });
    expect(onay.evidence).toMatchObject({
      messageId: mid,
      reference: mid,
      userAgent: 'Browser/2.0',
      ip: expect.any(String),
      consentText: expect.stringContaining('Undo from the unsubscribe page'),
    });
    expect(new Date(onay.consentDate).getTime()).toBeGreaterThan(
      new Date(consent.history.at(-2)!.consentDate).getTime(),
    );
    expect((await gate('oops@example.com')).allowed).toBe(true);
    // The undo undid only this link's RET; doing it twice changes nothing more.
    const twice = await undo(token);
    expectPage(twice, 409);
    expect(twice.text).toContain('This unsubscribe was already undone.');
    expect((await consentOf('oops@example.com'))!.history).toHaveLength(3);
    // Both reach İYS in order: the approval is the one in force there.
    await waitFor(
      async () =>
        (
          (await (await fetch(`${t.izinli.iysUrl}/_sim/consents?brandCode=${brandCode}`)).json()) as {
            list: { recipient: string; status: string }[];
          }
        ).list,
      (list) => list.find((c) => c.recipient === 'oops@example.com')?.status === 'ONAY',
      20_000,
    );
  });

  it("refuses the undo when a later movement exists, or for another message's link, recording nothing", async () => {
    await approve('later@example.com');
    const token = link('later@example.com');
    await oneClick(token).expect(200);
    // A later RET made elsewhere (say, the service provider's own preference centre).
    const laterDate = new Date(Date.now() + 5_000).toISOString();
    await t
      .http()
      .post(`/v1/brands/${brandCode}/consents`)
      .set(as())
      .send({ recipient: 'later@example.com', type: 'EPOSTA', status: 'RET', source: 'HS_WEB', consentDate: laterDate })
      .expect(201);
    const refused = await undo(token);
    expectPage(refused, 409);
    expect(refused.text).toContain('Bu işlem geri alınamıyor');
    expect(refused.text).toContain('changed in another way after this unsubscribe');
    expect((await consentOf('later@example.com'))!.history).toHaveLength(3);

    await approve('other-link@example.com');
    await oneClick(link('other-link@example.com')).expect(200);
    const foreign = await undo(link('other-link@example.com'));
    expectPage(foreign, 409);
    expect(foreign.text).toContain('No unsubscribe that could be undone was made with this link.');
    expect((await consentOf('other-link@example.com'))!.status).toBe('RET');
  });

  it('refuses the undo when another movement lands between its check and its record, recording nothing', async () => {
    await approve('race@example.com');
    const token = link('race@example.com');
    await oneClick(token).expect(200);
    const linkRet = (await consentOf('race@example.com'))!.history.at(-1)!;
    // A RET made elsewhere arrives just after the undo has checked the link's RET in force and before it records,
    // dated one second after it: no later than the undo's own date, so only the check under the key's lock can keep
    // the undo from winning.
    const registry = t.izinli.app.get(ConsentRegistry);
    const write = registry.record.bind(registry);
    const spy = jest
      .spyOn(registry, 'record')
      .mockImplementationOnce(async (...args: Parameters<ConsentRegistry['record']>) => {
        const elsewhere = new Date(new Date(linkRet.consentDate).getTime() + 1000).toISOString();
        await t
          .http()
          .post(`/v1/brands/${brandCode}/consents`)
          .set(as())
          .send({
            recipient: 'race@example.com',
            type: 'EPOSTA',
            status: 'RET',
            source: 'HS_WEB',
            consentDate: elsewhere,
          })
          .expect(201);
        return write(...args);
      });
    try {
      expectPage(await undo(token), 409);
    } finally {
      spy.mockRestore();
    }
    const consent = (await consentOf('race@example.com'))!;
    expect(consent).toMatchObject({ status: 'RET', source: 'HS_WEB' });
    expect(consent.history).toHaveLength(3);
    expect(consent.history.some((h) => h.origin === 'UNSUBSCRIBE' && h.status === 'ONAY')).toBe(false);
  });

  it('wins over an approval dated slightly ahead (clock skew) instead of failing or being kept as stale', async () => {
    await approve('skew@example.com', new Date(Date.now() + 20_000).toISOString());
    await oneClick(link('skew@example.com')).expect(200);
    const consent = (await consentOf('skew@example.com'))!;
    expect(consent.status).toBe('RET');
    expect(consent.history.every((h) => !('stale' in h) || (h as { stale?: boolean }).stale === false)).toBe(true);
  });

  it("hands a CUSTOMER-mode brand's unsubscribe to its webhook instead of İYS", async () => {
    await t
      .http()
      .post(`/v1/brands/${customerCode}/consents`)
      .set(as())
      .send({ recipient: 'crm@example.com', type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);
    const token = tokens.sign({
      brandId: customerBrandId,
      recipient: 'crm@example.com',
      recipientType: 'BIREYSEL',
      messageId: messageId(),
    });
    await oneClick(token).expect(200);
    const consent = (await consentOf('crm@example.com', customerCode))!;
    expect(consent).toMatchObject({ status: 'RET', iys: { state: 'NOT_REQUIRED', reason: 'CUSTOMER_SYNC' } });
    const delivery = await waitFor(
      async () =>
        receiver.received.map(
          (r) =>
            JSON.parse(r.body) as {
              brandCode: string;
              movement: { recipient: string; status: string; source: string };
            },
        ),
      (list) => list.some((d) => d.movement.recipient === 'crm@example.com' && d.movement.status === 'RET'),
      20_000,
    );
    expect(delivery.find((d) => d.movement.status === 'RET')).toMatchObject({
      brandCode: customerCode,
      movement: { recipient: 'crm@example.com', status: 'RET', source: 'HS_EPOSTA' },
    });
    const sim = (await (await fetch(`${t.izinli.iysUrl}/_sim/consents?brandCode=${customerCode}`)).json()) as {
      list: unknown[];
    };
    expect(sim.list).toEqual([]);
  });

  it('honours the List-Unsubscribe link of a mail a campaign sent: one-click, then the next launch blocks the address', async () => {
    await approve('campaign@example.com');
    const list = (await t.http().post(`/v1/brands/${brandCode}/lists`).set(as()).send({ name: 'Bülten' }).expect(201))
      .body;
    await t
      .http()
      .post(`/v1/lists/${list.id}/contacts`)
      .set(as())
      .send([{ email: 'campaign@example.com' }])
      .expect(200);
    const tpl = (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/templates`)
        .set(as())
        .send({ name: 'T', subject: 'Yeni sezon', html: '<p>Merhaba</p>' })
        .expect(201)
    ).body;
    const launch = async () => {
      const c = (
        await t
          .http()
          .post(`/v1/brands/${brandCode}/campaigns`)
          .set(as())
          .send({ name: 'C', listId: list.id, templateId: tpl.id, purpose: 'PROMOTION' })
          .expect(201)
      ).body;
      return (await t.http().post(`/v1/campaigns/${c.id}/launch`).set(as()).expect(200)).body as {
        id: string;
        counts: { eligible: number; blocked: Record<string, number> };
      };
    };
    const before = sink.messages.length;
    const first = await launch();
    expect(first.counts.eligible).toBe(1);
    const [mail] = (await sink.waitFor(before + 1)).slice(before);
    const url = /^<(.+)>$/.exec(mail.header('List-Unsubscribe')!)![1];
    expect(url.startsWith('https://izinli.test/mail/u/')).toBe(true);
    // The link a campaign mints is opaque: nothing in it names the recipient.
    const minted = url.slice('https://izinli.test/mail/u/'.length);
    expect(minted).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const trace of addressTraces('campaign@example.com')) expect(minted).not.toContain(trace);
    expect(Buffer.from(minted, 'base64url').includes(Buffer.from('campaign@example.com'))).toBe(false);
    await oneClick(url.slice('https://izinli.test/mail/u/'.length)).expect(200);
    const ret = (await consentOf('campaign@example.com'))!.history.at(-1)!;
    expect(ret).toMatchObject({
      status: 'RET',
      source: 'HS_EPOSTA',
      evidence: { messageId: mail.header('Message-ID')!.slice(1, -1) },
    });
    const second = await launch();
    expect(second.counts).toMatchObject({ eligible: 0, blocked: { REFUSED: 1 } });
  });

  it('counts unsubscribes by outcome in /metrics, with no address in them', async () => {
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/izinli_unsubscribes_total\{outcome="recorded"\} \d+/);
    expect(metrics).toMatch(/izinli_unsubscribes_total\{outcome="invalid_link"\} \d+/);
    expect(metrics).toMatch(/izinli_unsubscribes_total\{outcome="undone"\} \d+/);
    expect(metrics).not.toContain('@example.com');
  });
});
