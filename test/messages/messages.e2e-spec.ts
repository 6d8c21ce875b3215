import { randomUUID } from 'crypto';
import { SuppressionList } from '@izinli/consent';
import { CapturedMail, startSmtpSink, SmtpSink, waitFor } from '@izinli/testing';
import { SweepService } from '../../apps/campaigns/src/jobs/sweep.service';
import { MessageSender } from '../../apps/campaigns/src/transactional/message-sender';
import {
  ACCEPT_STATEMENTS,
  MessagesRepository,
  NewMessage,
} from '../../apps/campaigns/src/transactional/messages.repository';
import { MessageSettings } from '../../apps/campaigns/src/transactional/message-settings';
import { UnsubscribeTokens } from '../../apps/campaigns/src/unsubscribe/unsubscribe-token';
import { startTestApp, TestApp } from '../support/test-app';

const PUBLIC_URL = 'https://izinli.test';

/**
 * The developer's path over real HTTP and real SMTP: POST /v1/messages classified, gated, recorded and queued,
 * delivered by the worker to an SMTP server inside the test, followed through GET /v1/messages/{id}.
 */
describe('transactional messages (e2e)', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let key: string;
  let otherKey: string;
  let brandId: string;
  let otherTemplateId: string;
  const brandCode = '720001';
  const otherBrandCode = '720002';
  const as = (k = key) => ({ Authorization: `Bearer ${k}` });

  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.http().post('/v1/messages').set(as()).set(headers).send(body);
  const order = (to: string, extra: Record<string, unknown> = {}) => ({
    brandCode,
    to,
    purpose: 'ORDER',
    subject: 'Siparişiniz {{orderNo}} alındı',
    html: '<p>Merhaba {{name}}, {{orderNo}} numaralı siparişiniz hazırlanıyor.</p>',
    data: { orderNo: 'A-1', name: 'Ayşe' },
    ...extra,
  });
  const getMessage = async (id: string) => (await t.http().get(`/v1/messages/${id}`).set(as()).expect(200)).body;
  const untilStatus = (id: string, status: string, timeoutMs = 20_000) =>
    waitFor(
      () => getMessage(id),
      (m) => m.status === status,
      timeoutMs,
      50,
    );
  const mailTo = (address: string) => sink.messages.filter((m) => m.to.includes(address));
  const untilMail = async (address: string): Promise<CapturedMail> =>
    (
      await waitFor(
        async () => mailTo(address),
        (l) => l.length > 0,
        20_000,
        20,
      )
    )[0];

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startTestApp({ SMTP_URL: sink.url, PUBLIC_URL });
    t.izinli.app.get(MessageSettings).retryBaseMs = 300;
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const sp = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Alfa A.Ş.', iysCode: '720001' }).expect(201)
    ).body;
    key = sp.apiKey;
    brandId = (
      await t
        .http()
        .post(`/v1/service-providers/${sp.id}/brands`)
        .set(op)
        .send({ name: 'Alfa', brandCode, fromEmail: 'bildirim@alfa.com.tr', fromName: 'Alfa Mağaza' })
        .expect(201)
    ).body.id;
    const other = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Beta A.Ş.', iysCode: '720002' }).expect(201)
    ).body;
    otherKey = other.apiKey;
    await t
      .http()
      .post(`/v1/service-providers/${other.id}/brands`)
      .set(op)
      .send({ name: 'Beta', brandCode: otherBrandCode, fromEmail: 'info@beta.com.tr', fromName: 'Beta' })
      .expect(201);
    otherTemplateId = (
      await t
        .http()
        .post(`/v1/brands/${otherBrandCode}/templates`)
        .set(as(otherKey))
        .send({ name: 'Beta', subject: 'Beta', html: '<p>Beta</p>' })
        .expect(201)
    ).body.id;
    for (const recipient of ['izinli@example.com', 'vazgecen@example.com']) {
      await t
        .http()
        .post(`/v1/brands/${brandCode}/consents`)
        .set(as())
        .send({ recipient, type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
        .expect(201);
    }
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('accepts a transactional message, delivers it without unsubscribe headers, and follows it to SENT', async () => {
    const res = await post(
      order('Musteri@Example.com', { data: { orderNo: 'A-1\r\nBcc: kotu@example.com', name: '<b>Ayşe</b>' } }),
    ).expect(202);
    expect(res.body).toEqual({
      id: expect.any(String),
      status: 'QUEUED',
      kind: 'TRANSACTIONAL',
      reasons: expect.arrayContaining([expect.any(String)]),
    });
    const mail = await untilMail('musteri@example.com');
    expect(mail.header('Message-ID')).toBe(`<m${res.body.id}@alfa.com.tr>`);
    expect(mail.header('Feedback-ID')).toBe(`api:${brandCode}:transactional:720001`);
    expect(mail.header('List-Unsubscribe')).toBeUndefined();
    expect(mail.header('List-Unsubscribe-Post')).toBeUndefined();
    // A line break in data stays inside the one-line subject: no header is injected.
    expect(mail.header('Bcc')).toBeUndefined();
    expect(sink.messages.some((m) => m.to.includes('kotu@example.com'))).toBe(false);
    // Data is HTML-escaped in the html part (the text part is plain text and shows it as written).
    expect(mail.raw).toContain('<p>Merhaba &lt;b&gt;Ay');

    const got = await untilStatus(res.body.id, 'SENT');
    expect(got).toMatchObject({
      id: res.body.id,
      status: 'SENT',
      kind: 'TRANSACTIONAL',
      brandCode,
      to: 'musteri@example.com',
      purpose: 'ORDER',
      messageId: `m${res.body.id}@alfa.com.tr`,
    });
    expect(got.events.map((e: { type: string }) => e.type)).toEqual(['queued', 'sent']);
    expect(got.events[1]).toMatchObject({
      at: expect.any(String),
      detail: { messageId: `m${res.body.id}@alfa.com.tr` },
    });

    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/izinli_messages_total\{kind="transactional",status="SENT"\} [1-9]/);
  });

  it('sends with a template of the same brand, rendered with data', async () => {
    const tpl = (
      await t
        .http()
        .post(`/v1/brands/${brandCode}/templates`)
        .set(as())
        .send({ name: 'Şifre', subject: 'Şifre sıfırlama', html: '<p>Kodunuz: {{code}}</p>' })
        .expect(201)
    ).body;
    const res = await post({
      brandCode,
      to: 'sifre@example.com',
      purpose: 'SECURITY',
      templateId: tpl.id,
      data: { code: '482913' },
    }).expect(202);
    expect(res.body.kind).toBe('TRANSACTIONAL');
    expect((await untilMail('sifre@example.com')).raw).toContain('482913');
    await untilStatus(res.body.id, 'SENT');
  });

  it('refuses commercial mail without consent with 422 CONSENT_REQUIRED and the reason, and records it BLOCKED', async () => {
    const res = await post({
      brandCode,
      to: 'yok@example.com',
      purpose: 'PROMOTION',
      subject: 'Yeni sezon',
      html: '<p>Yeni ürünler</p>',
    }).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'CONSENT_REQUIRED',
      reason: 'NO_CONSENT',
      kind: 'COMMERCIAL',
      id: expect.any(String),
    });
    const got = await getMessage(res.body.id);
    expect(got).toMatchObject({
      status: 'BLOCKED',
      kind: 'COMMERCIAL',
      events: [{ type: 'blocked', detail: { reason: 'NO_CONSENT', stage: 'ACCEPT' } }],
    });

    // Declared transactional, but the content is promotional: escalated, then gated as commercial.
    const mixed = await post(
      order('yok@example.com', { html: '<p>Siparişiniz yolda. Bir sonraki alışverişte %20 indirim kodu: YAZ20</p>' }),
    ).expect(422);
    expect(mixed.body).toMatchObject({ code: 'CONSENT_REQUIRED', kind: 'COMMERCIAL', reason: 'NO_CONSENT' });
    expect(mixed.body.reasons.join(' ')).toMatch(/indirim|%20|promot/i);
    expect(mailTo('yok@example.com')).toHaveLength(0);
  });

  it('sends commercial mail with consent, carrying List-Unsubscribe with a token for this message and a visible link', async () => {
    const res = await post({
      brandCode,
      to: 'izinli@example.com',
      purpose: 'NEWSLETTER',
      subject: 'Kasım bülteni',
      html: '<p>Merhaba {{name}}</p>',
      data: { name: 'Ali' },
    }).expect(202);
    expect(res.body.kind).toBe('COMMERCIAL');
    const mail = await untilMail('izinli@example.com');
    const link = /^<(https:\/\/izinli\.test\/u\/([A-Za-z0-9_-]+))>$/.exec(mail.header('List-Unsubscribe') ?? '');
    expect(link).not.toBeNull();
    expect(mail.header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.header('Feedback-ID')).toBe(`api:${brandCode}:commercial:720001`);
    expect(t.izinli.app.get(UnsubscribeTokens).verify(link![2])).toEqual({
      brandId,
      recipient: 'izinli@example.com',
      recipientType: 'BIREYSEL',
      messageId: `m${res.body.id}@alfa.com.tr`,
      issuedAt: expect.any(Date),
    });
    // Opaque: the link names nobody to whoever reads it.
    expect(Buffer.from(link![2], 'base64url').includes(Buffer.from('izinli@example.com'))).toBe(false);
    expect(mail.raw.replace(/=\r?\n/g, '')).toContain(link![2].slice(0, 40));
    const got = await untilStatus(res.body.id, 'SENT');
    expect(got.events[0]).toMatchObject({
      type: 'queued',
      detail: { consent: { movementId: expect.any(String), source: 'HS_WEB' } },
    });
  });

  it('re-gates commercial mail just before SMTP: an unsubscribe after accept blocks it', async () => {
    const settings = t.izinli.app.get(MessageSettings);
    settings.retryBaseMs = 1_500;
    try {
      sink.refuse('vazgecen@example.com', 451);
      const res = await post({
        brandCode,
        to: 'vazgecen@example.com',
        purpose: 'PROMOTION',
        subject: 'Fırsat',
        html: '<p>Fırsatlar</p>',
      }).expect(202);
      await waitFor(
        () => getMessage(res.body.id),
        (m) => m.events.some((e: { type: string }) => e.type === 'retry'),
        20_000,
        50,
      );
      await t
        .http()
        .post(`/v1/brands/${brandCode}/consents`)
        .set(as())
        .send({ recipient: 'vazgecen@example.com', type: 'EPOSTA', status: 'RET', source: 'HS_WEB' })
        .expect(201);
      sink.accept('vazgecen@example.com');
      const got = await untilStatus(res.body.id, 'BLOCKED');
      expect(got.events.map((e: { type: string }) => e.type)).toEqual(['queued', 'retry', 'blocked']);
      expect(got.events[2].detail).toEqual({ reason: 'REFUSED', stage: 'SEND' });
      expect(mailTo('vazgecen@example.com')).toHaveLength(0);
    } finally {
      settings.retryBaseMs = 300;
    }
  });

  it('answers a repeated Idempotency-Key with the first answer, 409 for another body, and one message for concurrent requests', async () => {
    const body = order('tekrar@example.com');
    const first = await post(body, { 'Idempotency-Key': 'order-A-1' }).expect(202);
    const again = await post(
      { ...body, data: { name: 'Ayşe', orderNo: 'A-1' } },
      { 'Idempotency-Key': 'order-A-1' },
    ).expect(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const reused = await post({ ...body, subject: 'Başka' }, { 'Idempotency-Key': 'order-A-1' }).expect(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The key belongs to its service provider: another one may use the same string.
    await t
      .http()
      .post('/v1/messages')
      .set(as(otherKey))
      .set('Idempotency-Key', 'order-A-1')
      .send({ ...body, brandCode: otherBrandCode, to: 'beta@example.com' })
      .expect(202);

    const concurrent = await Promise.all(
      Array.from({ length: 6 }, () => post(order('ayni@example.com'), { 'Idempotency-Key': 'order-B-7' })),
    );
    expect(concurrent.map((r) => r.status)).toEqual(Array(6).fill(202));
    expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
    await untilStatus(concurrent[0].body.id, 'SENT');
    await untilStatus(first.body.id, 'SENT');
    const rows = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM messages WHERE recipient IN ('ayni@example.com', 'tekrar@example.com')`,
    );
    expect(rows[0].n).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailTo('ayni@example.com')).toHaveLength(1);
    expect(mailTo('tekrar@example.com')).toHaveLength(1);

    // A refusal is replayed too, with the same status and body.
    const blocked = await post(
      {
        brandCode,
        to: 'yok2@example.com',
        purpose: 'GREETING',
        subject: 'İyi bayramlar',
        text: 'Bayramınız kutlu olsun',
      },
      { 'Idempotency-Key': 'greet-1' },
    ).expect(422);
    const replayed = await post(
      {
        brandCode,
        to: 'yok2@example.com',
        purpose: 'GREETING',
        subject: 'İyi bayramlar',
        text: 'Bayramınız kutlu olsun',
      },
      { 'Idempotency-Key': 'greet-1' },
    ).expect(422);
    expect(replayed.body).toEqual(blocked.body);
    await post(body, { 'Idempotency-Key': 'bad key' }).expect(400);
  });

  it('refuses a transactional message to a suppressed address with 422 SUPPRESSED and records it BLOCKED', async () => {
    await t.izinli.app.get(SuppressionList).add('bastirilan@example.com', null, 'COMPLAINT', 'OPERATOR');
    const res = await post(order('bastirilan@example.com')).expect(422);
    expect(res.body).toMatchObject({
      code: 'SUPPRESSED',
      reason: 'SUPPRESSED',
      kind: 'TRANSACTIONAL',
      id: expect.any(String),
    });
    expect(await getMessage(res.body.id)).toMatchObject({
      status: 'BLOCKED',
      events: [{ type: 'blocked', detail: { reason: 'SUPPRESSED' } }],
    });
  });

  it('retries an SMTP 4xx with backoff and then sends, with the same Message-ID', async () => {
    sink.refuse('gecikme@example.com', 451);
    const res = await post(order('gecikme@example.com')).expect(202);
    await waitFor(
      () => getMessage(res.body.id),
      (m) => m.events.some((e: { type: string }) => e.type === 'retry'),
      20_000,
      50,
    );
    sink.accept('gecikme@example.com');
    const got = await untilStatus(res.body.id, 'SENT');
    const types = got.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('queued');
    expect(types[types.length - 1]).toBe('sent');
    expect(types.filter((x: string) => x === 'retry').length).toBeGreaterThanOrEqual(1);
    expect(got.events[1].detail).toMatchObject({ attempt: 1, smtpCode: 451, nextAttemptAt: expect.any(String) });
    expect((await untilMail('gecikme@example.com')).header('Message-ID')).toBe(`<m${res.body.id}@alfa.com.tr>`);
  });

  it('fails on SMTP 5xx; a hard bounce suppresses the address platform-wide, a policy refusal does not', async () => {
    sink.refuse('yokboyle@example.com', 550, '5.1.1 no such user');
    sink.refuse('politika@example.com', 554, '5.7.1 message refused');
    const bounce = await post(order('yokboyle@example.com')).expect(202);
    const policy = await post(order('politika@example.com')).expect(202);
    const failed = await untilStatus(bounce.body.id, 'FAILED');
    expect(failed.events.map((e: { type: string }) => e.type)).toEqual(['queued', 'failed']);
    expect(failed.events[1].detail).toMatchObject({ failure: 'HARD_BOUNCE', smtpCode: 550 });
    expect((await untilStatus(policy.body.id, 'FAILED')).events[1].detail).toMatchObject({
      failure: 'SMTP_REJECTED',
      smtpCode: 554,
    });
    const entries = await t.db.dataSource.query(
      `SELECT email, tenant_id, reason, origin FROM suppressions WHERE email IN ('yokboyle@example.com', 'politika@example.com')`,
    );
    expect(entries).toEqual([
      { email: 'yokboyle@example.com', tenant_id: null, reason: 'HARD_BOUNCE', origin: 'SMTP' },
    ]);
    // Platform-wide: no tenant may mail it again.
    await t
      .http()
      .post('/v1/messages')
      .set(as(otherKey))
      .send(order('yokboyle@example.com', { brandCode: otherBrandCode }))
      .expect(422);
  });

  it('sends a QUEUED message whose job was lost when the sweep runs', async () => {
    // A row with no job, as Redis losing its keys would leave it.
    const [row] = await t.db.dataSource.query(
      `INSERT INTO messages (id, service_provider_id, brand_id, recipient, recipient_type, purpose, kind, reasons, subject, html, status)
       SELECT gen_random_uuid(), service_provider_id, id, 'kayip@example.com', 'BIREYSEL', 'ORDER', 'TRANSACTIONAL', '[]', 'Kayıp iş', '<p>Kargo</p>', 'QUEUED'
         FROM brands WHERE id = $1 RETURNING id`,
      [brandId],
    );
    const settings = t.izinli.app.get(MessageSettings);
    const stale = settings.staleAfterMs;
    settings.staleAfterMs = 0;
    try {
      expect((await t.izinli.app.get(SweepService).sweepAll()).messages).toBeGreaterThanOrEqual(1);
    } finally {
      settings.staleAfterMs = stale;
    }
    expect((await untilMail('kayip@example.com')).header('Message-ID')).toBe(`<m${row.id}@alfa.com.tr>`);
    expect((await untilStatus(row.id, 'SENT')).events.map((e: { type: string }) => e.type)).toEqual(['sent']);
  });

  it('sends the messages of one job together: each gets its own outcome, the ones already settled are skipped', async () => {
    sink.refuse('toplu-ret@example.com', 550, '5.1.1 no such user');
    sink.refuse('toplu-bekle@example.com', 451);
    const insert = (recipient: string, kind = 'TRANSACTIONAL', status = 'QUEUED') =>
      t.db.dataSource
        .query(
          `INSERT INTO messages (id, service_provider_id, brand_id, recipient, recipient_type, purpose, kind, reasons, subject, html, data, status)
           SELECT gen_random_uuid(), service_provider_id, id, $2, 'BIREYSEL', 'ORDER', $3, '[]', 'Sipariş {{no}}', '<p>{{no}} hazır</p>', $5::jsonb, $4
             FROM brands WHERE id = $1 RETURNING id`,
          [brandId, recipient, kind, status, JSON.stringify({ no: recipient.split('@')[0] })],
        )
        .then((rows: { id: string }[]) => rows[0].id);
    const fine = await Promise.all(Array.from({ length: 8 }, (_, i) => insert(`toplu${i}@example.com`)));
    const refused = await insert('toplu-ret@example.com');
    const deferred = await insert('toplu-bekle@example.com');
    const noConsent = await insert('toplu-izinsiz@example.com', 'COMMERCIAL');
    const alreadySent = await insert('toplu-gitti@example.com', 'TRANSACTIONAL', 'SENT');

    // The worker's own sender, given the job's messages at once, as a job of several carries them.
    await t.izinli.app.get(MessageSender).send([...fine, refused, deferred, noConsent, alreadySent]);

    for (const [i, id] of fine.entries()) {
      const m = await getMessage(id);
      expect(m.status).toBe('SENT');
      expect(m.events).toEqual([{ type: 'sent', at: expect.any(String), detail: { messageId: `m${id}@alfa.com.tr` } }]);
      const mail = await untilMail(`toplu${i}@example.com`);
      expect(mail.header('Message-ID')).toBe(`<m${id}@alfa.com.tr>`);
      expect(mail.header('Subject')).toBe(`=?UTF-8?Q?Sipari=C5=9F_toplu${i}?=`);
    }
    expect((await getMessage(refused)).events).toEqual([
      {
        type: 'failed',
        at: expect.any(String),
        detail: expect.objectContaining({ failure: 'HARD_BOUNCE', smtpCode: 550 }),
      },
    ]);
    const waiting = await getMessage(deferred);
    expect(waiting.status).toBe('QUEUED');
    expect(waiting.events.map((e: { type: string }) => e.type)).toEqual(['retry']);
    expect((await getMessage(noConsent)).events).toEqual([
      { type: 'blocked', at: expect.any(String), detail: { reason: 'NO_CONSENT', stage: 'SEND' } },
    ]);
    const untouched = await getMessage(alreadySent);
    expect(untouched.status).toBe('SENT');
    expect(untouched.events).toEqual([]);
    expect(mailTo('toplu-gitti@example.com')).toHaveLength(0);
    // The deferred one goes out on its own retry job.
    sink.accept('toplu-bekle@example.com');
    expect((await untilStatus(deferred, 'SENT')).events.map((e: { type: string }) => e.type)).toEqual([
      'retry',
      'sent',
    ]);
  });

  it('accepts requests that arrive while the accept statements are busy together, and a bad one fails alone', async () => {
    const repo = t.izinli.app.get(MessagesRepository);
    const [{ spId }] = await t.db.dataSource.query(`SELECT service_provider_id AS "spId" FROM brands WHERE id = $1`, [
      brandId,
    ]);
    const message = (i: number, templateId: string | null = null): NewMessage => ({
      id: randomUUID(),
      serviceProviderId: spId,
      brandId,
      templateId,
      recipient: `birlikte${i}@example.com`,
      recipientType: 'BIREYSEL',
      purpose: 'ORDER',
      kind: 'TRANSACTIONAL',
      reasons: [],
      subject: 'Sipariş',
      html: '<p>Hazır</p>',
      text: null,
      data: {},
    });
    const answers = (key: string, id: string) => ({
      key,
      requestHash: `hash-${key}`,
      accepted: { id, status: 'QUEUED' },
      blocked: { id },
    });
    const now = new Date();
    const rows = Array.from({ length: 12 }, (_, i) => message(i));
    rows[9] = message(9, randomUUID()); // names no template: the foreign key refuses it
    // Called in one turn: ACCEPT_STATEMENTS statements start at once, the other requests wait and go together.
    const calls = rows.map((m, i) =>
      repo.insert(m, i === 10 || i === 11 ? answers('birlikte-anahtar', m.id) : null, now),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.map((r) => r.status)).toEqual(rows.map((_, i) => (i === 9 ? 'rejected' : 'fulfilled')));
    const outcomes = settled.map((r) => (r.status === 'fulfilled' ? r.value : null));
    expect(outcomes[0]).toEqual({ inserted: true, allowed: true, reason: 'CONSENT_NOT_REQUIRED' });
    // The same key twice: the first request wrote, the second learns it may only replay.
    expect(outcomes[10]).toMatchObject({ inserted: true });
    expect(outcomes[11]).toMatchObject({ inserted: false });
    const written = await t.db.dataSource.query(
      `SELECT m.id, m.xmin::text AS tx, (SELECT count(*)::int FROM message_events e WHERE e.message_id = m.id) AS events
         FROM messages m WHERE m.recipient LIKE 'birlikte%@example.com'`,
    );
    expect(written.map((w: { id: string }) => w.id).sort()).toEqual(
      rows
        .filter((_, i) => i !== 9 && i !== 11)
        .map((m) => m.id)
        .sort(),
    );
    expect(written.every((w: { events: number }) => w.events === 1)).toBe(true);
    // The waiting requests were tried as one statement; the foreign key failed it, so each ran again on its own.
    const stored = await repo.storedAnswer(spId, 'birlikte-anahtar');
    expect(stored).toMatchObject({
      requestHash: 'hash-birlikte-anahtar',
      statusCode: 202,
      response: { id: rows[10].id },
    });

    // Without a bad one, the waiting requests share one transaction: one per statement started at once, plus theirs.
    const more = Array.from({ length: 10 }, (_, i) => ({
      ...message(100 + i),
      recipient: `birlikte-tek${i}@example.com`,
    }));
    // The last two share a key and wait in the same batch: the earlier one wins there too.
    const shared = (i: number) => (i >= more.length - 2 ? answers('birlikte-tek-anahtar', more[i].id) : null);
    const got = await Promise.all(more.map((m, i) => repo.insert(m, shared(i), now)));
    expect(got.slice(-2).map((o) => o.inserted)).toEqual([true, false]);
    const txs = await t.db.dataSource.query(
      `SELECT count(DISTINCT xmin::text)::int AS n, count(*)::int AS rows FROM messages WHERE recipient LIKE 'birlikte-tek%@example.com'`,
    );
    expect(txs[0]).toEqual({ n: ACCEPT_STATEMENTS + 1, rows: more.length - 1 });
  });

  it('sends each message once when two workers are handed the same messages at the same time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const [row] = await t.db.dataSource.query(
        `INSERT INTO messages (id, service_provider_id, brand_id, recipient, recipient_type, purpose, kind, reasons, subject, html, status)
         SELECT gen_random_uuid(), service_provider_id, id, $2, 'BIREYSEL', 'ORDER', 'TRANSACTIONAL', '[]', 'Fatura', '<p>Faturanız hazır</p>', 'QUEUED'
           FROM brands WHERE id = $1 RETURNING id`,
        [brandId, `ikiz${i}@example.com`],
      );
      ids.push(row.id);
    }
    const sender = t.izinli.app.get(MessageSender);
    // The same job twice (a re-offered job next to the original), one of them in the other order.
    await Promise.all([sender.send(ids), sender.send([...ids].reverse())]);
    for (const [i, id] of ids.entries()) {
      const m = await getMessage(id);
      expect(m.status).toBe('SENT');
      expect(m.events.map((e: { type: string }) => e.type)).toEqual(['sent']);
      await untilMail(`ikiz${i}@example.com`);
    }
    // Give a second copy, if one were on its way, the time to arrive.
    await new Promise((r) => setTimeout(r, 200));
    expect(ids.map((_, i) => mailTo(`ikiz${i}@example.com`).length)).toEqual(ids.map(() => 1));
  });

  it('flags a message taken over from a worker whose claim ran out as a possible duplicate', async () => {
    // A worker that claimed the message ten minutes ago and never came back (killed after, or before, its handoff).
    const [row] = await t.db.dataSource.query(
      `INSERT INTO messages (id, service_provider_id, brand_id, recipient, recipient_type, purpose, kind, reasons, subject, html, status, claim_token, claimed_at)
       SELECT gen_random_uuid(), service_provider_id, id, 'devralinan@example.com', 'BIREYSEL', 'ORDER', 'TRANSACTIONAL', '[]', 'Kargo', '<p>Yolda</p>',
              'QUEUED', gen_random_uuid(), now() - interval '10 minutes'
         FROM brands WHERE id = $1 RETURNING id`,
      [brandId],
    );
    await t.izinli.app.get(MessageSender).send([row.id]);
    const taken = await getMessage(row.id);
    expect(taken.status).toBe('SENT');
    expect(taken.possibleDuplicate).toBe(true);
    expect(taken.events.map((e: { type: string }) => e.type)).toEqual(['taken_over', 'sent']);
    expect(taken.events[0].detail).toEqual({ lapsedClaimAt: expect.any(String) });
    // A message sent by the worker that claimed it first is not flagged.
    const plain = await post(order('ilk-elde@example.com')).expect(202);
    const sent = await untilStatus(plain.body.id, 'SENT');
    expect(sent.possibleDuplicate).toBe(false);
    expect(sent.events.map((e: { type: string }) => e.type)).toEqual(['queued', 'sent']);
  });

  it('keeps tenants apart: another key gets 404 for a message, a brand or a template that is not its own', async () => {
    const mine = await post(order('sahip@example.com')).expect(202);
    const notFound = await t.http().get(`/v1/messages/${mine.body.id}`).set(as(otherKey)).expect(404);
    expect(notFound.body.code).toBe('NOT_FOUND');
    await t.http().get('/v1/messages/00000000-0000-4000-8000-000000000000').set(as()).expect(404);
    await t.http().get('/v1/messages/not-a-uuid').set(as()).expect(404);
    await t.http().post('/v1/messages').set(as(otherKey)).send(order('sahip@example.com')).expect(404);
    const foreign = await post({
      brandCode,
      to: 'sahip@example.com',
      purpose: 'ORDER',
      templateId: otherTemplateId,
    }).expect(422);
    expect(foreign.body).toMatchObject({ code: 'UNKNOWN_REFERENCE', errors: [{ field: 'templateId' }] });
    await t.http().get(`/v1/messages/${mine.body.id}`).expect(401);
  });

  it('answers bad requests with 4xx problems naming the field, never 500', async () => {
    const cases: [Record<string, unknown>, number, string, string?][] = [
      [{ ...order('a@example.com'), cc: 'x@example.com' }, 400, 'VALIDATION_FAILED', 'cc'],
      [{ brandCode, to: 'a@example.com', subject: 'x', html: 'y' }, 400, 'VALIDATION_FAILED', 'purpose'],
      [order('a@example.com', { purpose: 'SPAM' }), 400, 'VALIDATION_FAILED', 'purpose'],
      [order('not-an-address'), 400, 'VALIDATION_FAILED', 'to'],
      [order('a@example.com', { data: ['x'] }), 400, 'VALIDATION_FAILED', 'data'],
      [order('a@example.com', { templateId: otherTemplateId }), 400, 'VALIDATION_FAILED', 'templateId'],
      [{ brandCode, to: 'a@example.com', purpose: 'ORDER' }, 400, 'VALIDATION_FAILED', 'subject'],
      [{ brandCode, to: 'a@example.com', purpose: 'ORDER', subject: 'x' }, 400, 'VALIDATION_FAILED', 'html'],
      [order('a@example.com', { templateId: 'nope' }), 400, 'VALIDATION_FAILED', 'templateId'],
      [order('a@example.com', { html: '<p>{{#if x}}</p>' }), 422, 'TEMPLATE_INVALID', 'html'],
      [order('a@example.com', { html: '<p>{{{raw}}}</p>' }), 422, 'TEMPLATE_INVALID', 'html'],
      [order('a@example.com', { brandCode: '999999' }), 404, 'NOT_FOUND'],
      [order('a@example.com', { brandCode: 12 }), 400, 'VALIDATION_FAILED', 'brandCode'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await post(body);
      expect({ body: JSON.stringify(body).slice(0, 80), status: res.status, code: res.body.code }).toEqual({
        body: JSON.stringify(body).slice(0, 80),
        status,
        code,
      });
      if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await t
      .http()
      .post('/v1/messages')
      .set(as())
      .set('content-type', 'application/json')
      .send('{"brandCode":')
      .expect(400);
    const rows = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM messages WHERE recipient = 'a@example.com'`,
    );
    expect(rows[0].n).toBe(0);
  });
});
