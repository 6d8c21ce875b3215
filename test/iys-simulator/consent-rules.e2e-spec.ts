// Conformance: the single add (C1, C1v2) and every validation and business rule of iys-api.md §7, one test per
// rule, named after it. Each asserts the HTTP status, the code and the error body's shape.
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import {
  BRAND_PATH,
  SEED,
  SUB_BRAND_PATH,
  SimClient,
  codesOf,
  consentBody,
  turkeyTime,
  uniqueEmail,
  uniquePhone,
} from '../../apps/iys-simulator/test/conformance-kit';

const TX = /^[0-9a-f]{64}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

describe('İYS simulator: single add (C1, C1v2) and the rules of §7', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;

  beforeAll(async () => {
    simulator = await startIysSimulator({ port: 0, config: { rateLimits: { enabled: false } } });
    client = new SimClient(simulator.url);
  });
  afterAll(() => simulator.close());
  afterEach(() =>
    client.config({
      clockOffsetSeconds: 0,
      allowRepeatedOnay: true,
      allowEqualConsentDate: true,
      enforceThreeBusinessDays: true,
    }),
  );

  const add = (body: unknown, path = BRAND_PATH) => client.hs('POST', `${path}/consents`, body);
  const addV2 = (body: unknown) => client.hs('POST', `/v2${BRAND_PATH}/consents`, body);
  const statusOf = (recipient: string, type = 'MESAJ', recipientType = 'BIREYSEL', path = BRAND_PATH) =>
    client.hs('POST', `${path}/consents/status`, { recipient, type, recipientType });
  const minutesAgo = (m: number) => turkeyTime(Date.now() - m * 60_000);

  function expectError(res: { status: number; body: any }, status: number, code: string, location?: unknown[]) {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({
      errors: [expect.objectContaining({ code, message: expect.any(String), ...(location ? { location } : {}) })],
    });
  }

  it('C1 stores a consent: 200 { transactionId (64 hex), creationDate (Turkey time) }', async () => {
    const res = await add(consentBody());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      transactionId: expect.stringMatching(TX),
      creationDate: expect.stringMatching(DATE_TIME),
    });
  });

  it('H085 a body that is not a consent object is 400', async () => {
    expectError(await add([consentBody()]), 400, 'H085');
  });

  it('H190/H191 path codes must be integers (422)', async () => {
    expectError(await client.hs('POST', `/sps/abc/brands/${SEED.brandCode}/consents`, consentBody()), 422, 'H190');
    expectError(await client.hs('POST', `/sps/${SEED.iysCode}/brands/1x/consents`, consentBody()), 422, 'H191');
  });

  it('rule 1: phones are E.164 with "+", at most 15 characters (H121, H160)', async () => {
    expectError(await add(consentBody({ recipient: '05321112233' })), 422, 'H121', ['recipient']);
    expectError(await add(consentBody({ recipient: '+9053211122334455' })), 422, 'H160', ['recipient']);
    const wrongButStored = await add(consentBody({ recipient: `+900${uniquePhone().slice(3)}` }));
    expect(wrongButStored.status).toBe(200);
  });

  it("rule 2: e-mails follow İYS's shape (H120) and are stored lower-case", async () => {
    expectError(await add(consentBody({ type: 'EPOSTA', recipient: 'şule@örnek.com' })), 422, 'H120', ['recipient']);
    const mixed = uniqueEmail().replace('kisi', 'KiSi');
    expect((await add(consentBody({ type: 'EPOSTA', recipient: mixed }))).status).toBe(200);
    const stored = await statusOf(mixed.toUpperCase(), 'EPOSTA');
    expect(stored.status).toBe(200);
    expect(stored.body.recipient).toBe(mixed.toLowerCase());
  });

  it('rule 3: a recipient that does not match the type is refused (H120 for EPOSTA, H121 for MESAJ/ARAMA)', async () => {
    expectError(await add(consentBody({ type: 'EPOSTA', recipient: uniquePhone() })), 422, 'H120');
    expectError(await add(consentBody({ type: 'ARAMA', recipient: uniqueEmail() })), 422, 'H121');
  });

  it('rule 4: enums, required fields and unknown keys, all listed together (422 with location and value)', async () => {
    const res = await add({
      recipient: uniquePhone(),
      type: 'SMS',
      status: 'EVET',
      source: 'HS_FAX',
      recipientType: 'KURUM',
      consentDate: minutesAgo(1),
      note: 'x',
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { code: 'H117', message: expect.any(String), location: ['type'], value: 'SMS' },
        { code: 'H115', message: expect.any(String), location: ['status'], value: 'EVET' },
        { code: 'H119', message: expect.any(String), location: ['source'], value: 'HS_FAX' },
        { code: 'H116', message: expect.any(String), location: ['recipientType'], value: 'KURUM' },
        { code: 'H118', message: expect.any(String), location: ['note'], value: 'x' },
      ]),
    );
    const missing = await add({});
    expect(missing.status).toBe(422);
    expect(codesOf(missing.body).sort()).toEqual(['H110', 'H111', 'H112', 'H113', 'H114']);
    expectError(await add(consentBody({ source: 'IYS_MOBIL' })), 422, 'H119', ['source']);
  });

  it('rule 5: consentDate must be "YYYY-MM-DD HH:mm:ss" (H158) and a real date (H157)', async () => {
    expectError(await add(consentBody({ consentDate: '2026-11-27T10:00:00Z' })), 422, 'H158', ['consentDate']);
    expectError(await add(consentBody({ consentDate: '2026-02-30 10:00:00' })), 422, 'H157', ['consentDate']);
  });

  it('rule 6: consentDate before 2015-05-01 00:00:00 is H156', async () => {
    expectError(await add(consentBody({ consentDate: '2015-04-30 23:59:59' })), 422, 'H156', ['consentDate']);
  });

  it('rule 7: HS_2015 needs consentDate exactly 2015-05-01 00:00:00 (H155), and is exempt from H467', async () => {
    expectError(await add(consentBody({ source: 'HS_2015', consentDate: '2015-05-02 00:00:00' })), 422, 'H155', [
      'consentDate',
    ]);
    expect((await add(consentBody({ source: 'HS_2015', consentDate: '2015-05-01 00:00:00' }))).status).toBe(200);
  });

  it('rule 8: consentDate in the future is H162', async () => {
    expectError(await add(consentBody({ consentDate: turkeyTime(Date.now() + 120_000) })), 422, 'H162', [
      'consentDate',
    ]);
  });

  it('rule 9: older than 3 business days is H467; weekends and the holidays knob count as non-working; the knob can switch it off', async () => {
    await client.setNow('2026-12-02 12:00:00'); // a Wednesday
    expect((await add(consentBody({ consentDate: '2026-11-27 18:00:00' }))).status).toBe(200); // Friday: Mon, Tue, Wed
    const late = await add(consentBody({ consentDate: '2026-11-26 18:00:00' })); // Thursday: Fri, Mon, Tue, Wed
    expect(late.status).toBe(422);
    expect(late.body).toEqual({
      errors: [
        {
          code: 'H467',
          message: 'Üç iş günü öncesinde alınan izinler kaydedilemez.',
          location: ['consentDate'],
          value: '2026-11-26 18:00:00',
        },
      ],
    });
    await client.config({ holidays: ['2026-11-27'] });
    expect((await add(consentBody({ consentDate: '2026-11-26 18:00:00' }))).status).toBe(200);
    await client.config({ holidays: [], enforceThreeBusinessDays: false });
    expect((await add(consentBody({ consentDate: '2026-11-02 09:00:00' }))).status).toBe(200);
    await client.sim('POST', '/reset');
    client.forgetTokens();
  });

  it('rule 10: the first record of a key cannot be RET (400 H175)', async () => {
    const res = await add(consentBody({ status: 'RET' }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errors: [{ code: 'H175', message: 'İlk defa kaydedilen bir iznin durum (status) bilgisi RET olmamalıdır.' }],
    });
  });

  it('rule 11: a consentDate older than the stored one is 400 H178; an equal one follows the allowEqualConsentDate knob', async () => {
    const recipient = uniquePhone();
    const stored = minutesAgo(10);
    expect((await add(consentBody({ recipient, consentDate: stored }))).status).toBe(200);
    expectError(await add(consentBody({ recipient, status: 'RET', consentDate: minutesAgo(20) })), 400, 'H178', [
      'consentDate',
    ]);
    await client.config({ allowEqualConsentDate: false });
    expectError(await add(consentBody({ recipient, status: 'RET', consentDate: stored })), 400, 'H178');
    await client.config({ allowEqualConsentDate: true });
    expect((await add(consentBody({ recipient, status: 'RET', consentDate: stored }))).status).toBe(200);
  });

  it('rule 12: RET on a key already RET is 400 H174 naming the current status', async () => {
    const recipient = uniquePhone();
    await add(consentBody({ recipient, consentDate: minutesAgo(10) }));
    await add(consentBody({ recipient, status: 'RET', consentDate: minutesAgo(9) }));
    const res = await add(consentBody({ recipient, status: 'RET', consentDate: minutesAgo(8) }));
    expectError(res, 400, 'H174');
    expect(res.body.errors[0].message).toContain('İzin durumu: RET');
  });

  it('rule 13: ONAY on ONAY is accepted by default (new transactionId) and refused as H174 with allowRepeatedOnay off', async () => {
    const recipient = uniquePhone();
    const first = await add(consentBody({ recipient, consentDate: minutesAgo(10) }));
    await client.config({ clockOffsetSeconds: 2 });
    const again = await add(consentBody({ recipient, consentDate: minutesAgo(9), source: 'HS_MOBIL' }));
    expect(again.status).toBe(200);
    expect(again.body.transactionId).not.toBe(first.body.transactionId);
    expect((await statusOf(recipient)).body.source).toBe('HS_MOBIL');
    await client.config({ allowRepeatedOnay: false });
    const refused = await add(consentBody({ recipient, consentDate: minutesAgo(8) }));
    expectError(refused, 400, 'H174');
    expect(refused.body.errors[0].message).toContain('İzin durumu: ONAY');
  });

  it('rule 14: HS_KARAR only with RET (422 H408), and never as a first record (H175)', async () => {
    expectError(await add(consentBody({ source: 'HS_KARAR' })), 422, 'H408', ['source']);
    expectError(await add(consentBody({ source: 'HS_KARAR', status: 'RET' })), 400, 'H175');
    const recipient = uniquePhone();
    await add(consentBody({ recipient, consentDate: minutesAgo(10) }));
    expect(
      (await add(consentBody({ recipient, source: 'HS_KARAR', status: 'RET', consentDate: minutesAgo(5) }))).status,
    ).toBe(200);
  });

  it('rule 15: a TACIR first insert may omit consentDate and source; every update needs both (400 H462, H463)', async () => {
    const recipient = uniquePhone();
    const first = await add({ recipient, type: 'MESAJ', status: 'ONAY', recipientType: 'TACIR' });
    expect(first.status).toBe(200);
    // Stored as given: İYS's view of the record has neither field.
    const stored = (await statusOf(recipient, 'MESAJ', 'TACIR')).body;
    expect(stored).toMatchObject({ status: 'ONAY', recipientType: 'TACIR' });
    expect(stored).not.toHaveProperty('consentDate');
    expect(stored).not.toHaveProperty('source');
    expectError(
      await add({ recipient, type: 'MESAJ', status: 'RET', recipientType: 'TACIR', source: 'HS_WEB' }),
      400,
      'H462',
      ['consentDate'],
    );
    expectError(
      await add({ recipient, type: 'MESAJ', status: 'RET', recipientType: 'TACIR', consentDate: minutesAgo(1) }),
      400,
      'H463',
      ['source'],
    );
    // A refused update changes nothing, and a repeat of the undated first insert is an update like any other.
    expect((await statusOf(recipient, 'MESAJ', 'TACIR')).body).toEqual(stored);
    expectError(await add({ recipient, type: 'MESAJ', status: 'ONAY', recipientType: 'TACIR' }), 400, 'H462');
    expect(
      (
        await add({
          recipient,
          type: 'MESAJ',
          status: 'RET',
          recipientType: 'TACIR',
          source: 'HS_WEB',
          consentDate: minutesAgo(1),
        })
      ).status,
    ).toBe(200);
    // One BIREYSEL and one TACIR record coexist for the same address.
    expect((await add(consentBody({ recipient, recipientType: 'BIREYSEL' }))).status).toBe(200);
    expect((await statusOf(recipient, 'MESAJ', 'TACIR')).body.status).toBe('RET');
    expect((await statusOf(recipient, 'MESAJ', 'BIREYSEL')).body.status).toBe('ONAY');
  });

  it('rule 16: brands are independent, and an integrator touches only the brands and types authorised for it (403 H353)', async () => {
    const recipient = uniquePhone();
    await add(consentBody({ recipient }));
    expect((await statusOf(recipient, 'MESAJ', 'BIREYSEL', SUB_BRAND_PATH)).status).toBe(404);
    expect((await add(consentBody({ recipient, status: 'RET' }), SUB_BRAND_PATH)).status).toBe(400); // first record there: H175

    await client.sim('POST', '/integrators', {
      integratorCode: 900002,
      users: [{ username: 'sms-partner', password: 'pw' }],
      authorisations: [{ iysCode: SEED.iysCode, brandCode: SEED.brandCode, types: ['MESAJ'] }],
    });
    const partner = { username: 'sms-partner', password: 'pw' };
    expect((await client.as(partner, 'POST', `${BRAND_PATH}/consents`, consentBody())).status).toBe(200);
    const wrongType = await client.as(
      partner,
      'POST',
      `${BRAND_PATH}/consents`,
      consentBody({ type: 'EPOSTA', recipient: uniqueEmail() }),
    );
    expectError(wrongType, 403, 'H353', ['type']);
    const wrongBrand = await client.as(partner, 'POST', `${SUB_BRAND_PATH}/consents`, consentBody());
    expectError(wrongBrand, 403, 'H353', ['brandCode']);
    const wrongHs = await client.hs('POST', `/sps/100009/brands/100009/consents`, consentBody());
    expectError(wrongHs, 403, 'H353', ['iysCode']);
  });

  it('rule 17: adding a new address when the consent quota is used up is 422 H525', async () => {
    await client.sim('POST', '/service-providers', {
      iysCode: 200001,
      brands: [{ brandCode: 200001, name: 'Kotalı' }],
      users: [{ username: 'quota-hs', password: 'pw' }],
      subscription: { consentLimit: 1 },
    });
    const hs = { username: 'quota-hs', password: 'pw' };
    const recipient = uniquePhone();
    expect(
      (
        await client.as(
          hs,
          'POST',
          '/sps/200001/brands/200001/consents',
          consentBody({ recipient, consentDate: minutesAgo(5) }),
        )
      ).status,
    ).toBe(200);
    expectError(await client.as(hs, 'POST', '/sps/200001/brands/200001/consents', consentBody()), 422, 'H525');
    // An existing address can still change.
    expect(
      (await client.as(hs, 'POST', '/sps/200001/brands/200001/consents', consentBody({ recipient, status: 'RET' })))
        .status,
    ).toBe(200);
    await client.sim('POST', '/service-providers', { iysCode: 200001, subscription: { consentLimitExceed: true } });
    expect((await client.as(hs, 'POST', '/sps/200001/brands/200001/consents', consentBody())).status).toBe(200);
  });

  it('rule 19: two movements of one key in the same second share a transactionId', async () => {
    await client.token();
    // Two requests can straddle a second boundary on a busy machine; the rule is about pairs that do not.
    for (let attempt = 0; attempt < 3; attempt++) {
      const recipient = uniquePhone();
      const a = await add(consentBody({ recipient, consentDate: minutesAgo(3) }));
      const b = await add(consentBody({ recipient, status: 'RET', consentDate: minutesAgo(2) }));
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      if (a.body.creationDate !== b.body.creationDate) continue;
      expect(b.body.transactionId).toBe(a.body.transactionId);
      return;
    }
    throw new Error('no two adds landed in the same second in three attempts');
  });

  it('rule 20: v2 answers an identical re-send with the same transactionId; v1 stores a new movement', async () => {
    const body = consentBody({ consentDate: minutesAgo(5) });
    const first = await addV2(body);
    expect(first.status).toBe(200);
    await client.config({ clockOffsetSeconds: 5 });
    const again = await addV2({ ...body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const v1 = await add(body);
    expect(v1.status).toBe(200);
    expect(v1.body.transactionId).not.toBe(first.body.transactionId);
    const changed = await addV2({ ...body, source: 'HS_MOBIL' });
    expect(changed.body.transactionId).not.toBe(first.body.transactionId);
  });

  it('rule 21: optional fields sent empty or null are 400 H267', async () => {
    expectError(await add(consentBody({ retailerCode: '' })), 400, 'H267', ['retailerCode']);
    expectError(await add(consentBody({ recipientType: null })), 400, 'H267', ['recipientType']);
    expectError(
      await add({ recipient: uniquePhone(), type: 'MESAJ', status: 'ONAY', recipientType: 'TACIR', source: '' }),
      400,
      'H267',
      ['source'],
    );
  });

  it('rule 22: retailerCode and retailerAccess must exist under the brand (403 H180 with location and value)', async () => {
    const res = await add(consentBody({ retailerCode: 12345678 }));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      errors: [{ code: 'H180', message: expect.any(String), location: ['retailerCode'], value: 12345678 }],
    });
    const access = await add(consentBody({ retailerAccess: [SEED.retailerCode, 999] }));
    expect(access.status).toBe(403);
    expect(access.body.errors).toEqual([
      expect.objectContaining({ code: 'H180', location: ['retailerAccess', 1], value: 999 }),
    ]);
    expect(
      (await add(consentBody({ retailerCode: SEED.retailerCode, retailerAccess: [SEED.retailerCode] }))).status,
    ).toBe(200);
  });
});
