// Conformance: reconciliation (mutabakat) M1–M4: daily counts, the daily movement file and its SHA-384 hash,
// and the agreement declaration (iys-api.md §5.11).
import { createHash } from 'crypto';
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import {
  BRAND_PATH,
  SEED,
  SimClient,
  codesOf,
  consentBody,
  turkeyTime,
  uniquePhone,
} from '../../apps/iys-simulator/test/conformance-kit';

const DAY_MS = 86_400_000;
const HEADER = 'creationDate,transactionId,recipient,recipientType,type,status,consentDate,source';

describe('İYS simulator: reconciliation (M1–M4)', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;
  const yesterday = turkeyTime(Date.now() - DAY_MS).slice(0, 10);
  const today = turkeyTime(Date.now()).slice(0, 10);
  const recipient = uniquePhone();

  // Yesterday's movements: an HS ONAY, the HS's own RET of it, and a citizen's ONAY on e-mail.
  beforeAll(async () => {
    simulator = await startIysSimulator({ port: 0, config: { rateLimits: { enabled: false } } });
    client = new SimClient(simulator.url);
    await client.config({ clockOffsetSeconds: -DAY_MS / 1000 });
    const base = Date.now() - DAY_MS;
    await client.hs(
      'POST',
      `${BRAND_PATH}/consents`,
      consentBody({ recipient, consentDate: turkeyTime(base - 120_000) }),
    );
    await client.config({ clockOffsetSeconds: -DAY_MS / 1000 + 1 });
    await client.hs(
      'POST',
      `${BRAND_PATH}/consents`,
      consentBody({ recipient, status: 'RET', consentDate: turkeyTime(base - 60_000) }),
    );
    await client.sim('POST', '/movements', {
      iysCode: SEED.iysCode,
      brandCode: SEED.brandCode,
      recipient: 'vatandas@ornek.com',
      type: 'EPOSTA',
      status: 'ONAY',
      source: 'IYS_WEB_YENI',
      citizenName: 'Ayşe Kaya',
    });
    await client.config({ clockOffsetSeconds: 0 });
  });
  afterAll(() => simulator.close());

  it('M4 the daily file: the fixed header, one row per movement sorted by creationDate then transactionId, ending in a newline', async () => {
    const res = await client.hs('GET', `${BRAND_PATH}/changes/${yesterday}/file`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = res.text.split('\n');
    expect(lines[0]).toBe(HEADER);
    expect(lines[lines.length - 1]).toBe('');
    const rows = lines.slice(1, -1).map((l) => l.split(','));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => [r[2], r[5], r[7]])).toEqual(
      expect.arrayContaining([
        [recipient, 'ONAY', 'HS_WEB'],
        [recipient, 'RET', 'HS_WEB'],
        ['vatandas@ornek.com', 'ONAY', 'IYS_WEB_YENI'],
      ]),
    );
    const order = rows.map((r) => `${r[0]}|${r[1]}`);
    expect([...order].sort()).toEqual(order);
  });

  it('M2 gives the SHA-384 of the daily file (lower-case hex), processStatus and agreementStatus', async () => {
    const file = await client.hs('GET', `${BRAND_PATH}/changes/${yesterday}/file`);
    const res = await client.hs('GET', `${BRAND_PATH}/agreements/${yesterday}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      processStatus: 'completed',
      hashValue: createHash('sha384').update(file.text).digest('hex'),
      hashMethod: 'SHA-384',
      agreementStatus: false,
    });
  });

  it('M3 declares the day reconciled ({ agreementStatus: true } → { agreementCaptured: true }); only true is accepted (H512)', async () => {
    const refused = await client.hs('PUT', `${BRAND_PATH}/agreements/${yesterday}`, { agreementStatus: false });
    expect(refused.status).toBe(422);
    expect(codesOf(refused.body)).toEqual(['H512']);
    const res = await client.hs('PUT', `${BRAND_PATH}/agreements/${yesterday}`, { agreementStatus: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ agreementCaptured: true });
    expect((await client.hs('GET', `${BRAND_PATH}/agreements/${yesterday}`)).body.agreementStatus).toBe(true);
  });

  it('M1 counts approvals and rejections per type and source group for a recipient type', async () => {
    const res = await client.hs('GET', `${BRAND_PATH}/changes/${yesterday}/recipients/BIREYSEL`);
    expect(res.status).toBe(200);
    const stats = Object.fromEntries(
      res.body.changeStats.map((s: { type: string; consents: unknown[] }) => [s.type, s.consents]),
    );
    expect(stats.MESAJ).toEqual([
      { source: 'HS', approval: 1, rejection: 1, pending: 0, total: 2 },
      { source: 'IYS', approval: 0, rejection: 0, pending: 0, total: 0 },
    ]);
    expect(stats.EPOSTA).toEqual([
      { source: 'HS', approval: 0, rejection: 0, pending: 0, total: 0 },
      { source: 'IYS', approval: 1, rejection: 0, pending: 0, total: 1 },
    ]);
    const tacir = await client.hs('GET', `${BRAND_PATH}/changes/${yesterday}/recipients/TACIR`);
    expect(
      tacir.body.changeStats.every((s: { consents: { total: number }[] }) => s.consents.every((c) => c.total === 0)),
    ).toBe(true);
  });

  it('M1–M4 reportDate rules: bad format is 422 H501, older than 7 days is 422 H502', async () => {
    const bad = await client.hs('GET', `${BRAND_PATH}/agreements/2026-13-01`);
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({
      errors: [{ code: 'H501', message: expect.any(String), location: ['reportDate'], value: '2026-13-01' }],
    });
    const old = turkeyTime(Date.now() - 8 * DAY_MS).slice(0, 10);
    const tooOld = await client.hs('GET', `${BRAND_PATH}/changes/${old}/file`);
    expect(tooOld.status).toBe(422);
    expect(codesOf(tooOld.body)).toEqual(['H502']);
  });

  it('M2/M4 answer 204 for a day without movements and for today (the file exists once the day is over)', async () => {
    const quiet = turkeyTime(Date.now() - 3 * DAY_MS).slice(0, 10);
    expect((await client.hs('GET', `${BRAND_PATH}/changes/${quiet}/file`)).status).toBe(204);
    expect((await client.hs('GET', `${BRAND_PATH}/agreements/${quiet}`)).status).toBe(204);
    await client.hs('POST', `${BRAND_PATH}/consents`, consentBody());
    expect((await client.hs('GET', `${BRAND_PATH}/changes/${today}/file`)).status).toBe(204);
  });

  it('M1–M4 an integrator needs agreementControl for the brand (403 H353 otherwise)', async () => {
    expect((await client.integrator('GET', `${BRAND_PATH}/agreements/${yesterday}`)).status).toBe(200);
    await client.sim('POST', '/integrators', {
      integratorCode: 900005,
      users: [{ username: 'no-recon', password: 'pw' }],
      authorisations: [{ iysCode: SEED.iysCode, brandCode: SEED.brandCode, agreementControl: false }],
    });
    const res = await client.as(
      { username: 'no-recon', password: 'pw' },
      'GET',
      `${BRAND_PATH}/agreements/${yesterday}`,
    );
    expect(res.status).toBe(403);
    expect(codesOf(res.body)).toEqual(['H353']);
  });
});
