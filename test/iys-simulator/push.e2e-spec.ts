// Conformance: push registration (P1), listing (P2), removal (P3) and the outbound pushes of IYS_* movements
// with HTTP Basic auth (iys-api.md §5.8). The receivers are local http servers, admitted by the pushAllowHttp knob.
import { type IncomingMessage, type Server, createServer } from 'http';
import type { AddressInfo } from 'net';
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import { BRAND_PATH, SEED, SimClient, codesOf, consentBody } from '../../apps/iys-simulator/test/conformance-kit';

const CREDENTIALS = { username: 'iys-push', password: 'push-secret' };
const BASIC = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`;

interface Receiver {
  url: string;
  received: { authorization?: string; body: any }[];
  close(): Promise<void>;
}

/** A push endpoint. `mode` decides how it answers; by default it enforces Basic auth like a proper receiver. */
async function startReceiver(
  mode: 'basic-auth' | 'no-auth-check' | 'hang' | 'fail-once' = 'basic-auth',
): Promise<Receiver> {
  const received: Receiver['received'] = [];
  let failures = mode === 'fail-once' ? 1 : 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (mode === 'hang') return;
      const authorised = req.headers.authorization === BASIC;
      if (mode !== 'no-auth-check' && !authorised) {
        res.writeHead(401).end();
        return;
      }
      received.push({ authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) });
      const isTestPayload = received[received.length - 1].body.list?.[0]?.iysCode === 121212;
      if (!isTestPayload && failures > 0) {
        failures--;
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/iys/push`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('İYS simulator: push (P1–P3) and outbound pushes', () => {
  let simulator: RunningIysSimulator;
  let client: SimClient;
  const receivers: Receiver[] = [];

  const receiver = async (mode?: Parameters<typeof startReceiver>[0]) => {
    const r = await startReceiver(mode);
    receivers.push(r);
    return r;
  };
  const register = (connection: Record<string, unknown>[]) =>
    client.hs('POST', `${BRAND_PATH}/push/registration`, { connection });
  const injectCitizenMovement = (overrides: Record<string, unknown> = {}) =>
    client.sim('POST', '/movements', {
      iysCode: SEED.iysCode,
      brandCode: SEED.brandCode,
      recipient: 'vatandas@ornek.com',
      type: 'EPOSTA',
      status: 'RET',
      source: 'IYS_MOBIL',
      ...overrides,
    });

  beforeAll(async () => {
    simulator = await startIysSimulator({
      port: 0,
      config: { rateLimits: { enabled: false }, pushAllowHttp: true, pushTimeoutSeconds: 1 },
    });
    client = new SimClient(simulator.url);
  });
  afterAll(async () => {
    await simulator.close();
    await Promise.all(receivers.map((r) => r.close()));
  });
  beforeEach(async () => {
    await client.sim('POST', '/reset');
    client.forgetTokens();
  });

  it("P1 registers a connection after İYS's test payload is accepted with Basic auth: 200 { message }", async () => {
    const r = await receiver();
    const res = await register([{ url: r.url, type: 'EPOSTA', ...CREDENTIALS }]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Bağlantı oluşturuldu' });
    expect(r.received).toEqual([
      {
        authorization: BASIC,
        body: {
          list: [expect.objectContaining({ iysCode: 121212, source: 'IYS_MOBIL', recipient: 'pushtest@iys.org.tr' })],
        },
      },
    ]);
  });

  it('P1 the URL must be https (422 H531) unless the pushAllowHttp knob allows http', async () => {
    await client.config({ pushAllowHttp: false });
    const res = await register([{ url: 'http://127.0.0.1:9/iys', type: 'EPOSTA', ...CREDENTIALS }]);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      errors: [
        { code: 'H531', message: expect.any(String), location: ['url'], value: 'http://127.0.0.1:9/iys', index: 0 },
      ],
    });
  });

  it('P1 username and password are required (422 H093)', async () => {
    const res = await register([{ url: 'https://hooks.example.com/iys', type: 'EPOSTA' }]);
    expect(res.status).toBe(422);
    expect(codesOf(res.body)).toEqual(['H093', 'H093']);
  });

  it('P1 an endpoint that does not enforce Basic auth is refused (422 H530) and listed as not created', async () => {
    const r = await receiver('no-auth-check');
    const res = await register([{ url: r.url, type: 'MESAJ', ...CREDENTIALS }]);
    expect(res.status).toBe(422);
    expect(codesOf(res.body)).toEqual(['H530']);
    const list = await client.hs('GET', `${BRAND_PATH}/push/registration`);
    expect(list.body).toEqual([
      { url: r.url, type: 'MESAJ', status: 'Bağlantı Oluşturulamadı', registerTime: expect.any(String) },
    ]);
  });

  it('P1 an endpoint that does not answer in time is refused (422 H191, "Bağlantı zaman aşımına uğradı")', async () => {
    await client.config({ pushTimeoutSeconds: 0.3 });
    const r = await receiver('hang');
    const res = await register([{ url: r.url, type: 'ARAMA', ...CREDENTIALS }]);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ code: 'H191', message: 'Bağlantı zaman aşımına uğradı.' }),
    ]);
  });

  it('P2 lists registrations { url, type, status, registerTime }; at most two active connections per type', async () => {
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    expect(
      (
        await register([
          { url: a.url, type: 'EPOSTA', ...CREDENTIALS },
          { url: b.url, type: 'EPOSTA', ...CREDENTIALS },
        ])
      ).status,
    ).toBe(200);
    const third = await register([{ url: c.url, type: 'EPOSTA', ...CREDENTIALS }]);
    expect(third.status).toBe(422);
    expect(codesOf(third.body)).toEqual(['SIM422']);
    const list = await client.hs('GET', `${BRAND_PATH}/push/registration`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      {
        url: a.url,
        type: 'EPOSTA',
        status: 'Bağlantı Oluşturuldu',
        registerTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      },
      { url: b.url, type: 'EPOSTA', status: 'Bağlantı Oluşturuldu', registerTime: expect.any(String) },
    ]);
  });

  it('push: an IYS_* movement is POSTed with Basic auth as { list: [movement] }; HS movements and other types are not', async () => {
    const r = await receiver();
    await register([{ url: r.url, type: 'EPOSTA', ...CREDENTIALS }]);
    r.received.length = 0;
    await client.hs('POST', `${BRAND_PATH}/consents`, consentBody({ type: 'EPOSTA', recipient: 'hs@ornek.com' }));
    await injectCitizenMovement({ type: 'MESAJ', recipient: '+905321112233' });
    const injected = await injectCitizenMovement();
    await eventually(() => r.received.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.received).toEqual([
      {
        authorization: BASIC,
        body: {
          list: [
            {
              iysCode: SEED.iysCode,
              brandCode: SEED.brandCode,
              consentDate: injected.body.consentDate,
              creationDate: injected.body.creationDate,
              source: 'IYS_MOBIL',
              recipient: 'vatandas@ornek.com',
              recipientType: 'BIREYSEL',
              status: 'RET',
              type: 'EPOSTA',
              transactionId: injected.body.transactionId,
            },
          ],
        },
      },
    ]);
  });

  it('push: a failed delivery is retried and every attempt is visible at /_sim/pushes', async () => {
    const r = await receiver('fail-once');
    await register([{ url: r.url, type: 'EPOSTA', ...CREDENTIALS }]);
    await injectCitizenMovement();
    await eventually(() => r.received.filter((x) => x.body.list[0].iysCode === SEED.iysCode).length === 2);
    const pushes = await client.sim('GET', '/pushes');
    expect(pushes.body.list.map((p: { attempt: number; status: number }) => [p.attempt, p.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
  });

  it('P3 removes a connection: { message: "Bağlantı Kaldırıldı" }; nothing more is pushed to it; unknown ones are 404', async () => {
    const r = await receiver();
    await register([{ url: r.url, type: 'EPOSTA', ...CREDENTIALS }]);
    const res = await client.hs('POST', `${BRAND_PATH}/push/unregistration`, {
      url: r.url,
      type: 'EPOSTA',
      ...CREDENTIALS,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Bağlantı Kaldırıldı' });
    expect((await client.hs('GET', `${BRAND_PATH}/push/registration`)).body).toEqual([]);
    r.received.length = 0;
    await injectCitizenMovement();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(r.received).toEqual([]);
    const again = await client.hs('POST', `${BRAND_PATH}/push/unregistration`, {
      url: r.url,
      type: 'EPOSTA',
      ...CREDENTIALS,
    });
    expect(again.status).toBe(404);
    expect(codesOf(again.body)).toEqual(['SIM404']);
  });
});
