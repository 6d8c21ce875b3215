// Conformance: async batch add and its results (C2, C2v2, C3, C3v2; iys-api.md §5.3, rules 18 and 20).
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TX = /^[0-9a-f]{64}$/;

describe('İYS simulator: async batch add (C2, C2v2) and results (C3, C3v2)', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;

  // A long real delay keeps the background timer out of the way; the tests move the simulated clock instead.
  beforeAll(async () => {
    simulator = await startIysSimulator({
      port: 0,
      config: { rateLimits: { enabled: false }, batchDelaySeconds: 600 },
    });
    client = new SimClient(simulator.url);
  });
  afterAll(() => simulator.close());
  afterEach(() => client.config({ clockOffsetSeconds: 0, batchDelaySeconds: 600 }));

  const submit = (items: unknown, version: 1 | 2 = 1) =>
    client.hs('POST', `${version === 2 ? '/v2' : ''}${BRAND_PATH}/consents/request`, items);
  const results = (requestId: string, version: 1 | 2 = 1) =>
    client.hs('GET', `${version === 2 ? '/v2' : ''}${BRAND_PATH}/consents/request/${requestId}`);
  const afterDelay = () => client.config({ clockOffsetSeconds: 601 });

  it('C2 accepts a list: 202 { requestId (UUID), subRequests echoing each item with subRequestId and creationDate }', async () => {
    const items = [consentBody(), consentBody({ type: 'EPOSTA', recipient: 'Liste@Ornek.com' })];
    const res = await submit(items);
    expect(res.status).toBe(202);
    expect(res.body.requestId).toMatch(UUID);
    expect(res.body.subRequests).toEqual([
      expect.objectContaining({
        subRequestId: expect.stringMatching(UUID),
        type: 'MESAJ',
        recipient: items[0].recipient,
        status: 'ONAY',
        creationDate: expect.any(String),
      }),
      expect.objectContaining({
        subRequestId: expect.stringMatching(UUID),
        type: 'EPOSTA',
        recipient: 'liste@ornek.com',
        recipientType: 'BIREYSEL',
      }),
    ]);
  });

  it('C3 before processing: an empty array first, then every item as "enqueue"', async () => {
    const { body } = await submit([consentBody(), consentBody()]);
    const early = await results(body.requestId);
    expect(early.status).toBe(200);
    expect(early.body).toEqual([]);
    await client.config({ clockOffsetSeconds: 301 });
    const pending = await results(body.requestId);
    expect(pending.body).toEqual([
      { index: 0, status: 'enqueue', subrequestId: body.subRequests[0].subRequestId },
      { index: 1, status: 'enqueue', subrequestId: body.subRequests[1].subRequestId },
    ]);
  });

  it('C3 after processing: success items carry transactionId and creationDate; business rules (H175, H467) fail per item', async () => {
    const ok = consentBody();
    const firstRet = consentBody({ status: 'RET' });
    const tooOld = consentBody({ consentDate: turkeyTime(Date.now() - 30 * 86_400_000) });
    const { body } = await submit([ok, firstRet, tooOld]);
    await afterDelay();
    const res = await results(body.requestId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        requestId: body.requestId,
        subRequestId: body.subRequests[0].subRequestId,
        index: 0,
        status: 'success',
        transactionId: expect.stringMatching(TX),
        creationDate: expect.any(String),
      },
      {
        subRequestId: body.subRequests[1].subRequestId,
        index: 1,
        status: 'failure',
        error: { code: 'H175', message: expect.any(String) },
      },
      {
        subRequestId: body.subRequests[2].subRequestId,
        index: 2,
        status: 'failure',
        error: { code: 'H467', message: expect.any(String) },
      },
    ]);
    const stored = await client.hs('POST', `${BRAND_PATH}/consents/status`, {
      recipient: ok.recipient,
      type: 'MESAJ',
      recipientType: 'BIREYSEL',
    });
    expect(stored.body.transactionId).toBe(res.body[0].transactionId);
  });

  it('C2 processes in the background once batchDelaySeconds has passed', async () => {
    await client.config({ batchDelaySeconds: 0.2 });
    const { body } = await submit([consentBody()]);
    await new Promise((r) => setTimeout(r, 400));
    const res = await results(body.requestId);
    expect(res.body).toEqual([expect.objectContaining({ index: 0, status: 'success' })]);
  });

  it('rule 18: more than 1000 consents is 422 H091 (v1) and H125 (v2)', async () => {
    const items = Array.from({ length: 1001 }, () => consentBody());
    const v1 = await submit(items);
    expect(v1.status).toBe(422);
    expect(codesOf(v1.body)).toEqual(['H091']);
    const v2 = await submit(items, 2);
    expect(v2.status).toBe(422);
    expect(codesOf(v2.body)).toEqual(['H125']);
    expect((await submit(items.slice(0, 1000))).status).toBe(202);
  });

  it('rule 18: the same (recipientType, type, recipient) twice in one list is 422 H194 with the index', async () => {
    const recipient = uniquePhone();
    const res = await submit([
      consentBody({ recipient }),
      consentBody({ recipient: uniquePhone() }),
      consentBody({ recipient, status: 'RET' }),
    ]);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      errors: [{ code: 'H194', message: expect.any(String), index: 2, location: ['recipient'], value: recipient }],
    });
  });

  it('C2 a schema error in any item refuses the whole list: 422 with index and location, no requestId', async () => {
    const res = await submit([consentBody(), consentBody({ source: undefined }), consentBody({ type: 'SMS' })]);
    expect(res.status).toBe(422);
    expect(res.body.requestId).toBeUndefined();
    expect(res.body.errors).toEqual([
      expect.objectContaining({ code: 'H113', index: 1, location: ['source'] }),
      expect.objectContaining({ code: 'H117', index: 2, location: ['type'] }),
    ]);
  });

  it('H092 a batch body that is not a non-empty list is 400', async () => {
    for (const body of [[], consentBody()]) {
      const res = await submit(body);
      expect(res.status).toBe(400);
      expect(codesOf(res.body)).toEqual(['H092']);
    }
  });

  it('rule 20 (C2v2, C3v2): re-sending a stored consent gives a new requestId whose result points to the original request', async () => {
    const item = consentBody();
    const first = await submit([item], 2);
    await afterDelay();
    const firstResult = await results(first.body.requestId, 2);
    expect(firstResult.body[0].status).toBe('success');
    await client.config({ clockOffsetSeconds: 0 });
    const again = await submit([item], 2);
    expect(again.body.requestId).not.toBe(first.body.requestId);
    await afterDelay();
    const res = await results(again.body.requestId, 2);
    expect(res.body).toEqual([
      expect.objectContaining({
        index: 0,
        status: 'success',
        transactionId: firstResult.body[0].transactionId,
        isAddConsentV2Service: 'true',
        originalRequestInformation: {
          requestId: first.body.requestId,
          subRequestId: first.body.subRequests[0].subRequestId,
        },
      }),
    ]);
  });

  it('C3 requestId validation: H198 (over 36 characters), H199 (letters only), H400 (digits only); unknown ids give []', async () => {
    const cases: [string, string][] = [
      ['a'.repeat(37), 'H198'],
      ['abcdef', 'H199'],
      ['123456', 'H400'],
    ];
    for (const [id, code] of cases) {
      const res = await results(id);
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ errors: [{ code, message: expect.any(String), location: ['requestId'], value: id }] });
    }
    expect((await results('5a2edd8e-dd6e-4293-b09b-6180b2c5d021')).body).toEqual([]);
  });

  it('rule 16 (batch): an integrator may only batch the types it is authorised for (403 H353 with index)', async () => {
    await client.sim('POST', '/integrators', {
      integratorCode: 900003,
      users: [{ username: 'mail-partner', password: 'pw' }],
      authorisations: [{ iysCode: SEED.iysCode, brandCode: SEED.brandCode, types: ['EPOSTA'] }],
    });
    const res = await client.as(
      { username: 'mail-partner', password: 'pw' },
      'POST',
      `${BRAND_PATH}/consents/request`,
      [consentBody()],
    );
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ errors: [expect.objectContaining({ code: 'H353', index: 0, location: ['type'] })] });
  });
});
