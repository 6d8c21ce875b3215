import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '@izinli/testing';
import { signUnsubscribeToken } from '../../apps/campaigns/src/unsubscribe/unsubscribe-token';

const ROOT = join(__dirname, '..', '..');
const ADDRESS = 'gizli.alici@example.com';
const PHONE = '+905321112233';

/**
 * "No personal data in logs", at the most talkative level: the app runs as main.ts starts it, with LOG_LEVEL=debug
 * (every request logged), and is driven through the routes that carry an address in the path, the body or a token.
 * Its whole output must name no address and no token, while still logging those requests.
 */
describe('logs carry no personal data, even at debug level (e2e)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'izinli-logs-'));
  const secret = randomBytes(32).toString('hex');
  const adminKey = `logs-admin-${randomBytes(16).toString('hex')}`;
  let child: ChildProcess;
  let output = '';
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/campaigns/src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        LOG_LEVEL: 'debug',
        DATA_DIR: dataDir,
        PORT: String(port),
        IYS_SIMULATOR_PORT: String(await freePort()),
        ADMIN_API_KEY: adminKey,
        UNSUBSCRIBE_SECRET: secret,
      },
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!output.includes('Izinli is running')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the app did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs the requests by route, with the addresses and tokens in their paths replaced', async () => {
    const call = async (
      method: string,
      path: string,
      key: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.text()) as string };
    };
    const sp = JSON.parse(
      (await call('POST', '/v1/service-providers', adminKey, { name: 'Gizlilik A.Ş.', iysCode: '781001' })).body,
    );
    const brand = JSON.parse(
      (
        await call('POST', `/v1/service-providers/${sp.id}/brands`, adminKey, {
          name: 'Gizlilik',
          brandCode: '781001',
          fromEmail: 'bilgi@gizlilik.com.tr',
          fromName: 'Gizlilik',
        })
      ).body,
    );
    const key = sp.apiKey as string;

    const steps: [string, number][] = [];
    const step = async (what: string, p: Promise<{ status: number }>) => steps.push([what, (await p).status]);
    await step(
      'record',
      call('POST', '/v1/brands/781001/consents', key, {
        recipient: ADDRESS,
        type: 'EPOSTA',
        status: 'ONAY',
        source: 'HS_WEB',
      }),
    );
    await step(
      'record phone',
      call('POST', '/v1/brands/781001/consents', key, {
        recipient: PHONE,
        type: 'MESAJ',
        status: 'ONAY',
        source: 'HS_WEB',
      }),
    );
    await step('read', call('GET', `/v1/brands/781001/consents/EPOSTA/${encodeURIComponent(ADDRESS)}`, key));
    await step('read phone', call('GET', `/v1/brands/781001/consents/MESAJ/${encodeURIComponent(PHONE)}`, key));
    await step('suppress', call('POST', '/v1/suppressions', key, { email: ADDRESS, reason: 'HARD_BOUNCE' }));
    await step('list', call('GET', `/v1/suppressions?email=${encodeURIComponent(ADDRESS)}`, key));
    await step('unsuppress', call('DELETE', `/v1/suppressions/${encodeURIComponent(ADDRESS)}`, key));
    await step(
      'message',
      call(
        'POST',
        '/v1/messages',
        key,
        { brandCode: '781001', to: ADDRESS, purpose: 'ORDER', subject: 'Siparişiniz', text: 'Merhaba' },
        { 'idempotency-key': 'order-1' },
      ),
    );
    const token = signUnsubscribeToken(secret, {
      brandId: brand.id,
      recipient: ADDRESS,
      recipientType: 'BIREYSEL',
      messageId: 'm1@gizlilik.com.tr',
    });
    await step('page', call('GET', `/u/${token}`, ''));
    await step(
      'one-click',
      fetch(`${base}/u/${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      }),
    );
    await step(
      'bad input',
      call('POST', '/v1/brands/781001/consents', key, {
        recipient: `${ADDRESS}\r\nBcc: x@example.com`,
        type: 'EPOSTA',
        status: 'ONAY',
        source: 'HS_WEB',
      }),
    );
    // The requests did what they should, so the logs below are of real work.
    expect(steps).toEqual([
      ['record', 201],
      ['record phone', 201],
      ['read', 200],
      ['read phone', 200],
      ['suppress', 201],
      ['list', 200],
      ['unsuppress', 204],
      ['message', 202],
      ['page', 200],
      ['one-click', 200],
      ['bad input', 422],
    ]);
    await new Promise((r) => setTimeout(r, 1_000));

    // Each request was logged, by route.
    expect(output).toContain('"path":"/v1/brands/781001/consents/EPOSTA/[address]"');
    expect(output).toContain('"path":"/v1/suppressions/[address]"');
    expect(output).toContain('"path":"/u/[token]"');
    // And nothing names the recipient, raw, encoded, or inside the token.
    const payload = token.split('.')[0];
    for (const secretText of [
      ADDRESS,
      encodeURIComponent(ADDRESS),
      'gizli.alici',
      PHONE,
      encodeURIComponent(PHONE),
      '5321112233',
      payload,
      key,
      adminKey,
    ]) {
      expect([secretText, output.includes(secretText)]).toEqual([secretText, false]);
    }
  });
});
