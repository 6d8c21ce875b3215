// Conformance: single status (C4), multi status (C5), history (C6) and the change feed (C7); iys-api.md §5.4–5.7.
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import {
  BRAND_PATH,
  SEED,
  SimClient,
  codesOf,
  consentBody,
  turkeyTime,
  uniqueEmail,
  uniquePhone,
} from '../../apps/iys-simulator/test/conformance-kit';

const minutesAgo = (m: number) => turkeyTime(Date.now() - m * 60_000);

describe('İYS simulator: status, history and change feed (C4–C7)', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;

  beforeAll(async () => {
    simulator = await startIysSimulator({ port: 0, config: { rateLimits: { enabled: false } } });
    client = new SimClient(simulator.url);
  });
  afterAll(() => simulator.close());

  const add = (body: Record<string, unknown>) => client.hs('POST', `${BRAND_PATH}/consents`, body);
  const status = (body: unknown) => client.hs('POST', `${BRAND_PATH}/consents/status`, body);
  const pull = (query = '', as: 'hs' | 'integrator' = 'hs') =>
    client[as]('GET', `${BRAND_PATH}/consents/changes${query}`);
  const inject = (movement: Record<string, unknown>) =>
    client.sim('POST', '/movements', {
      iysCode: SEED.iysCode,
      brandCode: SEED.brandCode,
      type: 'EPOSTA',
      status: 'RET',
      source: 'IYS_MOBIL',
      ...movement,
    });

  describe('C4 single status', () => {
    it("C4 returns the key's latest movement: status, source, consentDate, creationDate, transactionId", async () => {
      const recipient = uniquePhone();
      const retDate = minutesAgo(20);
      await add(consentBody({ recipient, consentDate: minutesAgo(30) }));
      await client.config({ clockOffsetSeconds: 1 });
      const ret = await add(
        consentBody({ recipient, status: 'RET', source: 'HS_CAGRI_MERKEZI', consentDate: retDate }),
      );
      await client.config({ clockOffsetSeconds: 0 });
      const res = await status({ recipient, type: 'MESAJ', recipientType: 'BIREYSEL' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        recipient,
        recipientType: 'BIREYSEL',
        type: 'MESAJ',
        status: 'RET',
        source: 'HS_CAGRI_MERKEZI',
        consentDate: retDate,
        creationDate: ret.body.creationDate,
        transactionId: ret.body.transactionId,
      });
    });

    it('C4 shows retailerCode, retailerTitle and retailerAccessCount only when set', async () => {
      const recipient = uniquePhone();
      await add(consentBody({ recipient, retailerCode: SEED.retailerCode, retailerAccess: [SEED.retailerCode] }));
      const res = await status({ recipient, type: 'MESAJ', recipientType: 'BIREYSEL' });
      expect(res.body).toEqual(
        expect.objectContaining({
          retailerCode: SEED.retailerCode,
          retailerTitle: expect.any(String),
          retailerAccessCount: 1,
        }),
      );
    });

    it('C4 all three of recipient, type and recipientType are required (H114, H111, H170)', async () => {
      const res = await status({});
      expect(res.status).toBe(422);
      expect(codesOf(res.body).sort()).toEqual(['H111', 'H114', 'H170']);
      expect((await status('x')).status).toBe(400);
    });

    it('C4 an unknown key: 404 by default, or 200 {} / 204 per the unknownStatusAnswer knob', async () => {
      const query = { recipient: uniquePhone(), type: 'MESAJ', recipientType: 'BIREYSEL' };
      const res = await status(query);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ errors: [{ code: 'SIM404', message: expect.any(String) }] });
      await client.config({ unknownStatusAnswer: 'EMPTY' });
      expect(await status(query)).toEqual(expect.objectContaining({ status: 200, body: {} }));
      await client.config({ unknownStatusAnswer: 'NO_CONTENT' });
      expect((await status(query)).status).toBe(204);
      await client.config({ unknownStatusAnswer: 'NOT_FOUND' });
    });
  });

  describe('C5 multi status', () => {
    const multi = (body: unknown, recipientType = 'BIREYSEL', type = 'EPOSTA') =>
      client.hs('POST', `${BRAND_PATH}/consents/${recipientType}/status/${type}`, body);

    it('C5 lists only the addresses that are ONAY; RET and unknown ones are absent', async () => {
      const onay = uniqueEmail();
      const ret = uniqueEmail();
      await add(consentBody({ type: 'EPOSTA', recipient: onay }));
      await add(consentBody({ type: 'EPOSTA', recipient: ret, consentDate: minutesAgo(5) }));
      await add(consentBody({ type: 'EPOSTA', recipient: ret, status: 'RET', consentDate: minutesAgo(4) }));
      const res = await multi({ recipients: [ret, onay.toUpperCase(), uniqueEmail()] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), list: [onay] });
    });

    it('C5 request rules: H168 missing, H478 not a list, H164 empty, H127 over 1000, H464 wrong format, H193 duplicate', async () => {
      expect(codesOf((await multi({})).body)).toEqual(['H168']);
      expect(codesOf((await multi({ recipients: 'a@b.com' })).body)).toEqual(['H478']);
      expect(codesOf((await multi({ recipients: [] })).body)).toEqual(['H164']);
      expect(codesOf((await multi({ recipients: Array.from({ length: 1001 }, () => uniqueEmail()) })).body)).toEqual([
        'H127',
      ]);
      const res = await multi({ recipients: ['a@ornek.com', '+905321112233', 'A@ornek.com'] });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        { code: 'H464', message: expect.any(String), location: ['recipients', 1], value: '+905321112233' },
        { code: 'H193', message: expect.any(String), location: ['recipients', 2], value: 'A@ornek.com' },
      ]);
    });

    it('C5 recipientType and type in the path are validated (H116, H117)', async () => {
      const res = await multi({ recipients: ['a@ornek.com'] }, 'KURUM', 'SMS');
      expect(res.status).toBe(422);
      expect(codesOf(res.body)).toEqual(['H116', 'H117']);
    });
  });

  describe('C6 history', () => {
    it('C6 lists every movement of the key, newest consentDate first, with pagination', async () => {
      const recipient = uniquePhone();
      const key = { recipient, type: 'MESAJ', recipientType: 'BIREYSEL' };
      const latest = minutesAgo(10);
      await add(consentBody({ recipient, consentDate: minutesAgo(30) }));
      await add(consentBody({ recipient, status: 'RET', consentDate: minutesAgo(20) }));
      await client.config({ clockOffsetSeconds: 1 });
      await add(consentBody({ recipient, consentDate: latest }));
      await client.config({ clockOffsetSeconds: 0 });
      const res = await client.hs('POST', `${BRAND_PATH}/consents/history?offset=0&limit=2`, key);
      expect(res.status).toBe(200);
      expect(res.body.pagination).toEqual({ totalCount: 3, pageSize: 2, offset: 0 });
      expect(res.body.list.map((m: { status: string }) => m.status)).toEqual(['ONAY', 'RET']);
      expect(res.body.list[0]).toEqual({
        consentDate: latest,
        source: 'HS_WEB',
        recipient,
        recipientType: 'BIREYSEL',
        status: 'ONAY',
        type: 'MESAJ',
        creationDate: expect.any(String),
        transactionId: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      const next = await client.hs('POST', `${BRAND_PATH}/consents/history?offset=2&limit=2`, key);
      expect(next.body.list).toHaveLength(1);
    });

    it('C6 paging rules: limit over 100 is H186, 0 is H187, negative offset H182, negative limit H183', async () => {
      const key = { recipient: uniquePhone(), type: 'MESAJ', recipientType: 'BIREYSEL' };
      for (const [query, code] of [
        ['limit=101', 'H186'],
        ['limit=0', 'H187'],
        ['offset=-1', 'H182'],
        ['limit=-1', 'H183'],
      ]) {
        const res = await client.hs('POST', `${BRAND_PATH}/consents/history?${query}`, key);
        expect(res.status).toBe(422);
        expect(codesOf(res.body)).toEqual([code]);
      }
    });
  });

  describe('C7 change feed', () => {
    beforeEach(async () => {
      await client.sim('POST', '/reset');
      client.forgetTokens();
    });

    it('C7 shows movements only after the pull lag (default 60 minutes), source=IYS by default, oldest first', async () => {
      const a = await inject({ recipient: 'vatandas1@ornek.com' });
      const b = await inject({ recipient: 'vatandas2@ornek.com', status: 'ONAY', source: 'IYS_KISAMESAJ' });
      expect((await pull()).status).toBe(204);
      await client.config({ clockOffsetSeconds: 3601 });
      client.forgetTokens();
      const res = await pull();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        after: `${Math.floor((Date.parse(`${b.body.creationDate.replace(' ', 'T')}Z`) - 3 * 3600e3) / 1000)}_${b.body.transactionId}`,
        list: [
          {
            consentDate: a.body.consentDate,
            creationDate: a.body.creationDate,
            source: 'IYS_MOBIL',
            recipient: 'vatandas1@ornek.com',
            recipientType: 'BIREYSEL',
            status: 'RET',
            type: 'EPOSTA',
            transactionId: a.body.transactionId,
          },
          expect.objectContaining({ source: 'IYS_KISAMESAJ', recipient: 'vatandas2@ornek.com' }),
        ],
      });
    });

    it('C7 source=HS lists the movements the HS and its integrators sent; source=IYS only citizen-side ones', async () => {
      await client.config({ pullLagMinutes: 0 });
      await add(consentBody({ recipient: uniquePhone() }));
      await client.integrator('POST', `${BRAND_PATH}/consents`, consentBody({ recipient: uniquePhone() }));
      await inject({ recipient: uniqueEmail() });
      const hs = await pull('?source=HS');
      expect(hs.body.list).toHaveLength(2);
      expect(hs.body.list.every((m: { source: string }) => m.source === 'HS_WEB')).toBe(true);
      const iys = await pull('?source=IYS');
      expect(iys.body.list).toEqual([expect.objectContaining({ source: 'IYS_MOBIL' })]);
    });

    it('C7 pages with limit and the opaque after cursor; 204 (no body) when nothing is left', async () => {
      await client.config({ pullLagMinutes: 0 });
      for (let i = 0; i < 3; i++) await inject({ recipient: `sayfa${i}@ornek.com` });
      const first = await pull('?limit=2');
      expect(first.body.list.map((m: { recipient: string }) => m.recipient)).toEqual([
        'sayfa0@ornek.com',
        'sayfa1@ornek.com',
      ]);
      const second = await pull(`?limit=2&after=${first.body.after}`);
      expect(second.body.list.map((m: { recipient: string }) => m.recipient)).toEqual(['sayfa2@ornek.com']);
      const empty = await pull(`?limit=2&after=${second.body.after}`);
      expect(empty.status).toBe(204);
      expect(empty.text).toBe('');
    });

    it('C7 covers the last 7 days only', async () => {
      await client.config({ pullLagMinutes: 0 });
      await inject({
        recipient: 'eski@ornek.com',
        creationDate: turkeyTime(Date.now() - 8 * 86_400_000),
        consentDate: turkeyTime(Date.now() - 8 * 86_400_000),
      });
      await inject({
        recipient: 'yeni@ornek.com',
        creationDate: turkeyTime(Date.now() - 6 * 86_400_000),
        consentDate: turkeyTime(Date.now() - 6 * 86_400_000),
      });
      const res = await pull();
      expect(res.body.list.map((m: { recipient: string }) => m.recipient)).toEqual(['yeni@ornek.com']);
    });

    it('C7 query rules: source other than HS/IYS is H506, limit over 1000 is H507', async () => {
      const bad = await pull('?source=ALL');
      expect(bad.status).toBe(422);
      expect(bad.body).toEqual({
        errors: [{ code: 'H506', message: expect.any(String), location: ['source'], value: 'ALL' }],
      });
      const big = await pull('?limit=1001');
      expect(big.status).toBe(422);
      expect(codesOf(big.body)).toEqual(['H507']);
    });

    it("C7 citizenName appears only for IYS_WEB_YENI; a line closure keeps the record's consentDate (empty for an undated TACIR)", async () => {
      await client.config({ pullLagMinutes: 0 });
      await inject({
        recipient: 'yeni-marka@ornek.com',
        status: 'ONAY',
        source: 'IYS_WEB_YENI',
        citizenName: 'Ahmet Tuna Yılmaz',
      });
      await inject({ recipient: 'mobil@ornek.com', source: 'IYS_MOBIL', citizenName: 'Gizli Kalır' });
      const tacir = uniquePhone();
      await add({ recipient: tacir, type: 'MESAJ', status: 'ONAY', recipientType: 'TACIR' });
      await inject({ recipient: tacir, type: 'MESAJ', recipientType: 'TACIR', source: 'IYS_AHS_HAT_KAPATMA' });
      const res = await pull();
      expect(res.body.list).toEqual([
        expect.objectContaining({ source: 'IYS_WEB_YENI', citizenName: 'Ahmet Tuna Yılmaz' }),
        expect.not.objectContaining({ citizenName: expect.anything() }),
        expect.objectContaining({ source: 'IYS_AHS_HAT_KAPATMA', recipientType: 'TACIR', consentDate: '' }),
      ]);
    });

    it('C7 an integrator sees only the types it is authorised for', async () => {
      await client.config({ pullLagMinutes: 0 });
      await client.sim('POST', '/integrators', {
        integratorCode: 900004,
        users: [{ username: 'sms-only', password: 'pw' }],
        authorisations: [{ iysCode: SEED.iysCode, brandCode: SEED.brandCode, types: ['MESAJ'] }],
      });
      await inject({ recipient: uniqueEmail() });
      await inject({ recipient: uniquePhone(), type: 'MESAJ' });
      const res = await client.as({ username: 'sms-only', password: 'pw' }, 'GET', `${BRAND_PATH}/consents/changes`);
      expect(res.body.list).toEqual([expect.objectContaining({ type: 'MESAJ' })]);
    });
  });
});
