import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { SystemClock } from '../clock';
import { IysClient } from './iys-client';
import { IysApiError, IysTransportError } from './iys-errors';
import { InProcessIysRateLimiter, IysRateLimiter } from './iys-rate-limiter';
import { InProcessIysTokenStore } from './iys-token-store';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const ref = { iysCode: '100001', brandCode: '100001' };
const body = {
  recipient: 'a@example.com',
  recipientType: 'BIREYSEL' as const,
  status: 'ONAY' as const,
  type: 'EPOSTA' as const,
  consentDate: '2026-11-30 12:00:00',
  source: 'HS_WEB',
};

describe(IysClient.name, () => {
  let server: Server;
  let url: string;
  let handle: Handler;
  let tokens: number;
  let limiter: IysRateLimiter & { paused: number };
  let sut: IysClient;

  const json = (res: ServerResponse, status: number, payload: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));

  beforeAll(async () => {
    server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        if (req.url === '/oauth2/token') {
          tokens++;
          json(res, 200, {
            access_token: `t${tokens}`,
            refresh_token: `r${tokens}`,
            expires_in: 7200,
            refresh_expires_in: 14400,
            token_type: 'bearer',
          });
          return;
        }
        handle(req, data, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  beforeEach(() => {
    tokens = 0;
    const inner = new InProcessIysRateLimiter();
    limiter = Object.assign(Object.create(inner) as InProcessIysRateLimiter, {
      paused: 0,
      pause: async (ms: number) => {
        limiter.paused += ms;
      },
    });
    sut = new IysClient(
      { baseUrl: url, username: 'integrator', password: 'secret', requestTimeoutMs: 300 },
      limiter,
      new InProcessIysTokenStore(),
      new SystemClock(),
    );
  });

  it('adds a consent with the v2 single add, as JSON, with a bearer token', async () => {
    const seen: { url?: string; auth?: string; body?: string } = {};
    handle = (req, data, res) => {
      Object.assign(seen, { url: req.url, auth: req.headers.authorization, body: data });
      json(res, 200, { transactionId: 'AB12CD', creationDate: '2026-11-30 12:00:03' });
    };
    const answer = await sut.addConsent(ref, body);
    expect(answer).toEqual({ transactionId: 'ab12cd', creationDate: new Date('2026-11-30T09:00:03Z') });
    expect(seen).toEqual({
      url: '/v2/sps/100001/brands/100001/consents',
      auth: 'Bearer t1',
      body: JSON.stringify(body),
    });
  });

  it('gets a new token and tries once more when İYS refuses the token (H351)', async () => {
    let calls = 0;
    handle = (req, _data, res) => {
      calls++;
      if (req.headers.authorization === 'Bearer t1')
        json(res, 401, { errors: [{ code: 'H351', message: 'Eksik veya geçersiz jeton!' }] });
      else json(res, 200, { transactionId: 'ff', creationDate: '2026-11-30 12:00:03' });
    };
    await expect(sut.addConsent(ref, body)).resolves.toMatchObject({ transactionId: 'ff' });
    expect([calls, tokens]).toEqual([2, 2]);
  });

  it("throws İYS's codes, and holds every caller back after a per-second 429", async () => {
    handle = (_req, _data, res) => json(res, 429, { errors: [{ code: 'H124', message: 'limit' }] });
    const err = await sut.addConsent(ref, body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IysApiError);
    expect((err as IysApiError).code).toBe('H124');
    expect(limiter.paused).toBe(1000);
    handle = (_req, _data, res) => json(res, 400, { errors: [{ code: 'H178', message: 'eski' }] });
    await expect(sut.addConsent(ref, body)).rejects.toMatchObject({ httpStatus: 400, codes: ['H178'] });
  });

  it('reports no answer as a transport failure: timeout or unreachable', async () => {
    handle = () => undefined;
    await expect(sut.addConsent(ref, body)).rejects.toMatchObject({ kind: 'TIMEOUT' });
    const closed = new IysClient(
      { baseUrl: 'http://127.0.0.1:9', username: 'x', password: 'y' },
      new InProcessIysRateLimiter(),
      new InProcessIysTokenStore(),
      new SystemClock(),
    );
    await expect(closed.addConsent(ref, body)).rejects.toBeInstanceOf(IysTransportError);
  });

  it('answers null for an empty change feed (204) and for a key İYS does not know', async () => {
    handle = (_req, _data, res) => res.writeHead(204).end();
    expect(await sut.changes(ref, { source: 'IYS', after: '1597740617_ab' })).toBeNull();
    handle = (_req, _data, res) => json(res, 404, { errors: [{ code: 'SIM404', message: 'yok' }] });
    expect(
      await sut.consentStatus(ref, { recipient: 'a@example.com', recipientType: 'BIREYSEL', type: 'EPOSTA' }),
    ).toBeNull();
  });

  it('reads a change feed page, keeping the cursor and setting aside what it cannot read', async () => {
    let path = '';
    handle = (req, _data, res) => {
      path = req.url!;
      json(res, 200, {
        after: '1764330000_aa',
        list: [
          {
            consentDate: '2026-11-28 15:00:00',
            creationDate: '2026-11-28 15:00:02',
            source: 'IYS_MOBIL',
            recipient: 'x@example.com',
            recipientType: 'BIREYSEL',
            status: 'RET',
            type: 'EPOSTA',
            transactionId: 'aa'.repeat(32),
          },
          { transactionId: 'bb'.repeat(32), status: 'MAYBE' },
        ],
      });
    };
    const page = await sut.changes(ref, { source: 'HS', after: '1764329000_ff', limit: 500 });
    expect(path).toBe('/sps/100001/brands/100001/consents/changes?source=HS&limit=500&after=1764329000_ff');
    expect(page!.after).toBe('1764330000_aa');
    expect(page!.list).toHaveLength(1);
    expect(page!.unreadable).toEqual([
      { transactionId: 'bb'.repeat(32), problem: 'type is not ARAMA, MESAJ or EPOSTA' },
    ]);
  });

  it('says so when İYS is not configured', async () => {
    const unconfigured = new IysClient(
      undefined,
      new InProcessIysRateLimiter(),
      new InProcessIysTokenStore(),
      new SystemClock(),
    );
    await expect(unconfigured.addConsent(ref, body)).rejects.toThrow(/not configured/);
  });
});
