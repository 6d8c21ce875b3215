import { randomBytes } from 'crypto';
import { formatIysDate } from '@izinli/consent';
import { startTestApp, TestApp } from '../support/test-app';

const PUSH_USER = 'iys-push';
const PUSH_PASSWORD = 'push-secret-0123456789';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const tx = () => randomBytes(32).toString('hex');

function pushed(over: Record<string, unknown> = {}) {
  const now = formatIysDate(new Date());
  return {
    iysCode: 730001,
    brandCode: 730001,
    consentDate: now,
    creationDate: now,
    source: 'IYS_MOBIL',
    recipient: 'push@example.com',
    recipientType: 'BIREYSEL',
    status: 'ONAY',
    type: 'EPOSTA',
    transactionId: tx(),
    ...over,
  };
}

/** İYS's push receiver over HTTP: Basic auth, the envelope's validation, apply and de-duplication. */
describe('İYS push receiver (e2e)', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ IYS_PUSH_USERNAME: PUSH_USER, IYS_PUSH_PASSWORD: PUSH_PASSWORD });
    const op = { Authorization: `Bearer ${t.adminKey}` };
    const sp = (
      await t.http().post('/v1/service-providers').set(op).send({ name: 'Push', iysCode: '730001' }).expect(201)
    ).body;
    key = sp.apiKey;
    await t
      .http()
      .post(`/v1/service-providers/${sp.id}/brands`)
      .set(op)
      .send({ name: 'Push', brandCode: '730001', fromEmail: 'p@p.com.tr', fromName: 'P' })
      .expect(201);
    await t
      .http()
      .post(`/v1/service-providers/${sp.id}/brands`)
      .set(op)
      .send({ name: 'Self', brandCode: '730009', fromEmail: 's@p.com.tr', fromName: 'S', iysSync: 'CUSTOMER' })
      .expect(201);
  });
  afterAll(() => t?.close());

  it('refuses a push without the registered Basic credentials, saying how to authenticate', async () => {
    const none = await t
      .http()
      .post('/iys/push')
      .send({ list: [pushed()] })
      .expect(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(none.body.code).toBe('UNAUTHORIZED');
    await t
      .http()
      .post('/iys/push')
      .set('Authorization', basic(PUSH_USER, 'wrong'))
      .send({ list: [pushed()] })
      .expect(401);
    await t
      .http()
      .post('/iys/push')
      .set('Authorization', basic('someone', PUSH_PASSWORD))
      .send({ list: [pushed()] })
      .expect(401);
    await t
      .http()
      .post('/iys/push')
      .set('Authorization', `Bearer ${key}`)
      .send({ list: [pushed()] })
      .expect(401);
    await t
      .http()
      .post('/iys/push')
      .set('Authorization', 'Basic !!!')
      .send({ list: [pushed()] })
      .expect(401);
  });

  it('applies a pushed movement, and the same movement pushed again changes nothing', async () => {
    const movement = pushed({ recipient: 'Pushed.Once@Example.com' });
    const first = await t
      .http()
      .post('/iys/push')
      .set('Authorization', basic(PUSH_USER, PUSH_PASSWORD))
      .send({ list: [movement] })
      .expect(200);
    expect(first.body).toEqual({ received: 1, applied: 1, duplicates: 0, ignored: 0, unreadable: 0 });
    const again = await t
      .http()
      .post('/iys/push')
      .set('Authorization', basic(PUSH_USER, PUSH_PASSWORD))
      .send({ list: [movement] })
      .expect(200);
    expect(again.body).toMatchObject({ applied: 0, duplicates: 1 });
    const consent = (
      await t
        .http()
        .get('/v1/brands/730001/consents/EPOSTA/pushed.once@example.com')
        .set({ Authorization: `Bearer ${key}` })
        .expect(200)
    ).body;
    expect(consent).toMatchObject({
      status: 'ONAY',
      source: 'IYS_MOBIL',
      iys: { state: 'ACCEPTED', transactionId: movement.transactionId },
    });
    expect(consent.history).toHaveLength(1);
    expect(consent.history[0]).toMatchObject({ origin: 'IYS_PUSH', stale: false });
  });

  it('ignores brands Izinli does not sync, skips unreadable items, and still answers 200', async () => {
    const res = await t
      .http()
      .post('/iys/push')
      .set('Authorization', basic(PUSH_USER, PUSH_PASSWORD))
      .send({
        list: [
          pushed({ brandCode: 999999, iysCode: 999999 }),
          pushed({ brandCode: 730009 }),
          { transactionId: 'nope' },
          pushed({ status: 'MAYBE' }),
        ],
        citizenName: 'extra fields are tolerated',
      })
      .expect(200);
    expect(res.body).toEqual({ received: 4, applied: 0, duplicates: 0, ignored: 2, unreadable: 2 });
  });

  it('answers a malformed envelope with 400, never 500', async () => {
    const auth = basic(PUSH_USER, PUSH_PASSWORD);
    for (const body of [{ list: 'x' }, { nothing: true }, [pushed()], { list: [1, 2] }]) {
      const res = await t.http().post('/iys/push').set('Authorization', auth).send(body);
      expect([JSON.stringify(body).slice(0, 30), res.status]).toEqual([JSON.stringify(body).slice(0, 30), 400]);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const bad = await t
      .http()
      .post('/iys/push')
      .set('Authorization', auth)
      .set('content-type', 'application/json')
      .send('{"list": [');
    expect(bad.status).toBe(400);
  });
});

describe('İYS push receiver without credentials (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('is switched off and says so', async () => {
    const res = await t.http().post('/iys/push').set('Authorization', basic('a', 'b')).send({ list: [] }).expect(404);
    expect(res.body.code).toBe('IYS_PUSH_DISABLED');
  });
});
