import { randomBytes, randomUUID } from 'crypto';
import { Clock, formatIysDate } from '@izinli/consent';
import { waitFor } from '@izinli/testing';
import {
  signUnsubscribeToken,
  UnsubscribeClaims,
  UnsubscribeTokens,
} from '../../apps/campaigns/src/unsubscribe/unsubscribe-token';
import { addressTraces, legacyUnsubscribeToken } from '../support/legacy-unsubscribe-token';
import { startTestApp, TestApp } from '../support/test-app';

const PUSH_USER = 'iys-push';
const PUSH_PASSWORD = 'push-secret-0123456789';
// The secret this installation used before its last rotation: links made under it must keep working.
const PREVIOUS_SECRET = 'the-secret-before-the-last-rotation-0123456789';
const DAY_MS = 24 * 60 * 60 * 1000;

interface Movement {
  status: string;
  source: string;
  origin: string;
  consentDate: string;
}

/**
 * What an unsubscribe link may do, over real HTTP: its token names nobody to whoever reads it (and links in the
 * older, readable format or under a rotated-out secret still work), and its undo restores only the ONAY that this
 * link's RET replaced, once, within 7 days, while nothing else changed the consent; every refusal says why and
 * records nothing.
 */
describe('unsubscribe undo and token (e2e)', () => {
  let t: TestApp;
  let key: string;
  let brandId: string;
  let tokens: UnsubscribeTokens;
  let clock: Clock;
  const brandCode = '770001';
  const as = () => ({ Authorization: `Bearer ${key}` });
  let seq = 0;
  const claimsFor = (recipient: string): UnsubscribeClaims => ({
    brandId,
    recipient,
    recipientType: 'BIREYSEL',
    messageId: `c${randomUUID()}.r${++seq}@beta.com.tr`,
  });
  const link = (recipient: string) => tokens.sign(claimsFor(recipient));

  const approve = (recipient: string) =>
    t
      .http()
      .post(`/v1/brands/${brandCode}/consents`)
      .set(as())
      .send({ recipient, type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB' })
      .expect(201);
  const refuseByApi = (recipient: string, consentDate?: string) =>
    t
      .http()
      .post(`/v1/brands/${brandCode}/consents`)
      .set(as())
      .send({ recipient, type: 'EPOSTA', status: 'RET', source: 'HS_WEB', ...(consentDate ? { consentDate } : {}) })
      .expect(201);
  const oneClick = (token: string) => t.http().post(`/u/${token}`).type('form').send('List-Unsubscribe=One-Click');
  const formPost = (token: string) => t.http().post(`/u/${token}`).type('form').send('action=unsubscribe');
  const undo = (token: string) => t.http().post(`/u/${token}/undo`).type('form').send('action=undo');
  const consentOf = async (recipient: string) => {
    const res = await t.http().get(`/v1/brands/${brandCode}/consents/EPOSTA/${recipient}`).set(as());
    return res.status === 404
      ? undefined
      : (res.body as { status: string; source: string; iys: { state: string }; history: Movement[] });
  };
  const undoOnays = async (recipient: string) =>
    (await consentOf(recipient))!.history.filter((h) => h.status === 'ONAY' && h.origin === 'UNSUBSCRIBE');
  const simConsent = async (recipient: string) =>
    (
      (await (await fetch(`${t.izinli.iysUrl}/_sim/consents?brandCode=${brandCode}`)).json()) as {
        list: { recipient: string; status: string; source: string }[];
      }
    ).list.find((c) => c.recipient === recipient);
  /** Runs `fn` with the app's clock moved `offsetMs` ahead of the real one; only the unsubscribe pages read it then. */
  const withClockAhead = async <T>(offsetMs: number, fn: () => Promise<T>): Promise<T> => {
    const spy = jest.spyOn(clock, 'now').mockImplementation(() => new Date(Date.now() + offsetMs));
    try {
      return await fn();
    } finally {
      spy.mockRestore();
    }
  };
  const expectRefusal = (res: { status: number; text: string }, sentence: string) => {
    expect(res.status).toBe(409);
    expect(res.text).toContain('Bu işlem geri alınamıyor');
    expect(res.text).toContain(sentence);
    expect(res.text).toContain('Nothing was changed.');
  };

  beforeAll(async () => {
    t = await startTestApp({
      IYS_PUSH_USERNAME: PUSH_USER,
      IYS_PUSH_PASSWORD: PUSH_PASSWORD,
      UNSUBSCRIBE_SECRET_PREVIOUS: PREVIOUS_SECRET,
    });
    tokens = t.izinli.app.get(UnsubscribeTokens);
    clock = t.izinli.app.get(Clock);
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const sp = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Beta A.Ş.', iysCode: '770001' }).expect(201)
    ).body;
    key = sp.apiKey;
    brandId = (
      await t
        .http()
        .post(`/v1/service-providers/${sp.id}/brands`)
        .set(op)
        .send({ name: 'Beta', brandCode, fromEmail: 'k@beta.com.tr', fromName: 'Beta' })
        .expect(201)
    ).body.id;
  });
  afterAll(() => t?.close());

  describe('the token', () => {
    it('names nobody: no address, no base64 or base64url of it, no readable JSON, and still works', async () => {
      const recipient = 'gizli.kisi.2024@example.com';
      await approve(recipient);
      const claims = claimsFor(recipient);
      const token = tokens.sign(claims);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      for (const trace of addressTraces(recipient)) expect(token).not.toContain(trace);
      const raw = Buffer.from(token, 'base64url');
      expect(raw.includes(Buffer.from(recipient))).toBe(false);
      expect(raw.includes(Buffer.from(claims.messageId))).toBe(false);
      expect(() => JSON.parse(raw.toString('utf8'))).toThrow();
      expect(token.length).toBeLessThanOrEqual(200);
      const page = await t.http().get(`/u/${token}`).expect(200);
      expect(page.text).toContain('g***@e***.com');
      await oneClick(token).expect(200);
      expect((await consentOf(recipient))!.status).toBe('RET');
    });

    it('keeps links in the older, readable format working: page, unsubscribe and undo', async () => {
      const recipient = 'eski.link@example.com';
      await approve(recipient);
      const token = legacyUnsubscribeToken(t.config.unsubscribeSecret!, claimsFor(recipient));
      expect(token).toContain('.');
      expect((await t.http().get(`/u/${token}`).expect(200)).text).toContain('e***@e***.com');
      const done = await formPost(token).expect(200);
      expect(done.text).toContain(`action="./${token}/undo"`);
      expect((await undo(token).expect(200)).text).toContain('Aboneliğiniz devam ediyor');
      expect((await consentOf(recipient))!.status).toBe('ONAY');
    });

    it('reads links made under UNSUBSCRIBE_SECRET_PREVIOUS, in both formats, and no other secret', async () => {
      const opaque = 'rotated.opaque@example.com';
      const readable = 'rotated.readable@example.com';
      await approve(opaque);
      await approve(readable);
      await oneClick(signUnsubscribeToken(PREVIOUS_SECRET, claimsFor(opaque))).expect(200);
      await oneClick(legacyUnsubscribeToken(PREVIOUS_SECRET, claimsFor(readable))).expect(200);
      expect((await consentOf(opaque))!.status).toBe('RET');
      expect((await consentOf(readable))!.status).toBe('RET');

      const stranger = 'not-a-secret-of-this-installation-0123456789';
      const other = 'other.secret@example.com';
      await approve(other);
      for (const token of [
        signUnsubscribeToken(stranger, claimsFor(other)),
        legacyUnsubscribeToken(stranger, claimsFor(other)),
      ]) {
        expect((await oneClick(token)).status).toBe(400);
        expect((await t.http().get(`/u/${token}`)).status).toBe(400);
      }
      expect((await consentOf(other))!.history).toHaveLength(1);
    });
  });

  describe('the undo', () => {
    it('restores the ONAY the RET replaced, as a new HS_WEB movement that İYS receives', async () => {
      const recipient = 'geri.al@example.com';
      await approve(recipient);
      const token = link(recipient);
      await formPost(token).expect(200);
      await undo(token).expect(200);
      const consent = (await consentOf(recipient))!;
      expect(consent.history.map((h) => [h.status, h.origin])).toEqual([
        ['ONAY', 'API'],
        ['RET', 'UNSUBSCRIBE'],
        ['ONAY', 'UNSUBSCRIBE'],
      ]);
      expect(consent).toMatchObject({ status: 'ONAY', source: 'HS_WEB' });
      const atIys = await waitFor(
        () => simConsent(recipient),
        (c) => c?.status === 'ONAY' && c.source === 'HS_WEB',
        20_000,
      );
      expect(atIys).toMatchObject({ status: 'ONAY', source: 'HS_WEB' });
    });

    it('is refused after 7 days (the clock moved past the window), and no longer offered', async () => {
      const recipient = 'yedi.gun@example.com';
      await approve(recipient);
      const token = link(recipient);
      expect((await formPost(token).expect(200)).text).toContain('/undo"');
      const late = 7 * DAY_MS + 1_000;
      const page = await withClockAhead(late, async () => t.http().get(`/u/${token}`).expect(200));
      expect(page.text).toContain('Zaten abonelikten çıktınız');
      expect(page.text).not.toContain('/undo"');
      const refused = await withClockAhead(late, async () => undo(token));
      expectRefusal(refused, 'An unsubscribe can be undone within 7 days only');
      expect((await consentOf(recipient))!.history).toHaveLength(2);
      expect((await consentOf(recipient))!.status).toBe('RET');
      // The same undo within the window goes through: the time was the only reason.
      await undo(token).expect(200);
    });

    it('is accepted once per unsubscribe: of two at once exactly one wins, and a later one is refused', async () => {
      const recipient = 'bir.kez@example.com';
      await approve(recipient);
      const token = link(recipient);
      await oneClick(token).expect(200);
      const both = await Promise.all([undo(token), undo(token)]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(await undoOnays(recipient)).toHaveLength(1);
      expectRefusal(await undo(token), 'This unsubscribe was already undone.');
      expect(await undoOnays(recipient)).toHaveLength(1);
      expect((await consentOf(recipient))!.history).toHaveLength(3);
    });

    it('never creates consent: refused when there was no ONAY before the unsubscribe', async () => {
      const recipient = 'hic.izni.yok@example.com';
      const token = link(recipient);
      const done = await formPost(token).expect(200);
      expect(done.text).toContain('Abonelikten çıktınız');
      expect(done.text).not.toContain('/undo"');
      expectRefusal(await undo(token), 'An undo only brings back a consent that existed; it never creates one.');
      const consent = (await consentOf(recipient))!;
      expect(consent.status).toBe('RET');
      expect(consent.history.map((h) => h.status)).toEqual(['RET']);
      const gate = (
        await t
          .http()
          .post(`/v1/brands/${brandCode}/consents/check`)
          .set(as())
          .send({ type: 'EPOSTA', recipients: [recipient] })
          .expect(200)
      ).body.results[0];
      expect(gate).toMatchObject({ allowed: false, reason: 'REFUSED' });
      expect(await simConsent(recipient)).toBeUndefined();
    });

    it('never creates consent: refused when a RET was already in force and the click recorded nothing', async () => {
      const recipient = 'zaten.ret@example.com';
      await approve(recipient);
      await refuseByApi(recipient);
      const token = link(recipient);
      const already = await formPost(token).expect(200);
      expect(already.text).toContain('Zaten abonelikten çıktınız');
      expect(already.text).not.toContain('/undo"');
      expectRefusal(await undo(token), 'No unsubscribe that could be undone was made with this link.');
      expect((await consentOf(recipient))!.history.map((h) => h.status)).toEqual(['ONAY', 'RET']);
    });

    it('is refused once İYS changed the consent since (a pushed movement), recording nothing', async () => {
      const recipient = 'iys.degisti@example.com';
      await approve(recipient);
      const token = link(recipient);
      await oneClick(token).expect(200);
      const ret = (await consentOf(recipient))!.history.at(-1)!;
      const later = formatIysDate(new Date(new Date(ret.consentDate).getTime() + 1_000));
      const pushed = await t
        .http()
        .post('/iys/push')
        .set('Authorization', `Basic ${Buffer.from(`${PUSH_USER}:${PUSH_PASSWORD}`).toString('base64')}`)
        .send({
          list: [
            {
              iysCode: 770001,
              brandCode: 770001,
              consentDate: later,
              creationDate: later,
              source: 'IYS_MOBIL',
              recipient,
              recipientType: 'BIREYSEL',
              status: 'RET',
              type: 'EPOSTA',
              transactionId: randomBytes(32).toString('hex'),
            },
          ],
        })
        .expect(200);
      expect(pushed.body).toMatchObject({ applied: 1 });
      expect((await t.http().get(`/u/${token}`)).text).not.toContain('/undo"');
      expectRefusal(await undo(token), 'changed in another way after this unsubscribe');
      const consent = (await consentOf(recipient))!;
      expect(consent).toMatchObject({ status: 'RET', source: 'IYS_MOBIL' });
      expect(consent.history).toHaveLength(3);
      expect(await undoOnays(recipient)).toHaveLength(0);
    });

    it('is refused once the API changed the consent since, even back to the same status', async () => {
      const recipient = 'api.degisti@example.com';
      await approve(recipient);
      const token = link(recipient);
      await oneClick(token).expect(200);
      const ret = (await consentOf(recipient))!.history.at(-1)!;
      await refuseByApi(recipient, new Date(new Date(ret.consentDate).getTime() + 1_000).toISOString());
      expectRefusal(await undo(token), 'changed in another way after this unsubscribe');
      expect((await consentOf(recipient))!.history).toHaveLength(3);
      expect(await undoOnays(recipient)).toHaveLength(0);
    });
  });
});
