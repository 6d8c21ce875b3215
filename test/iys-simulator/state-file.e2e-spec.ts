// IYS_SIMULATOR_STATE_FILE (issue 18): a simulator restarted on the same file holds what İYS would have kept, so an
// outage test can stop it and start it again; without the setting it forgets everything, as before.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { loadSimulatorConfig } from '@izinli/config';
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import {
  BRAND_PATH,
  SEED,
  SimClient,
  consentBody,
  turkeyTime,
  uniqueEmail,
} from '../../apps/iys-simulator/test/conformance-kit';

describe('İYS simulator: state file', () => {
  let dir: string;
  const running: RunningIysSimulator[] = [];
  const start = async (stateFile?: string) => {
    const s = await startIysSimulator({
      port: 0,
      config: { rateLimits: { enabled: false }, pullLagMinutes: 0 },
      stateFile,
    });
    running.push(s);
    return { simulator: s, client: new SimClient(s.url) };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iys-state-'));
  });
  afterEach(async () => {
    for (const s of running.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const consentsOf = async (client: SimClient) =>
    (await client.sim('GET', `/consents?iysCode=${SEED.iysCode}&brandCode=${SEED.brandCode}`)).body.list as {
      recipient: string;
      status: string;
      transactionId: string;
    }[];

  it('keeps consents, accounts and tokens across a restart on the same file', async () => {
    const file = join(dir, 'iys.json');
    const first = await start(file);
    const recipient = uniqueEmail();
    const added = await first.client.hs('POST', `${BRAND_PATH}/consents`, consentBody({ recipient, type: 'EPOSTA' }));
    expect(added.status).toBe(200);
    expect(
      (
        await first.client.sim('POST', '/service-providers', {
          iysCode: 400101,
          brands: [{ brandCode: 400101, name: 'Kalıcı' }],
          users: [{ username: 'kalici', password: 'pw' }],
        })
      ).status,
    ).toBe(201);
    const token = await first.client.token();
    await first.simulator.close();
    running.splice(running.indexOf(first.simulator), 1);

    const second = await start(file);
    expect(await consentsOf(second.client)).toEqual([
      expect.objectContaining({ recipient, status: 'ONAY', transactionId: added.body.transactionId }),
    ]);
    // İYS would still honour a token it issued before, and still know the account added before.
    const status = await second.client.request('POST', `${BRAND_PATH}/consents/status`, {
      token,
      body: { recipient, type: 'EPOSTA', recipientType: 'BIREYSEL' },
    });
    expect({ status: status.status, consent: status.body.status }).toEqual({ status: 200, consent: 'ONAY' });
    expect(
      (
        await second.client.request('POST', '/oauth2/token', {
          body: { grant_type: 'password', username: 'kalici', password: 'pw' },
        })
      ).status,
    ).toBe(200);
    // A later movement continues the key's history where it stopped.
    const ret = await second.client.hs(
      'POST',
      `${BRAND_PATH}/consents`,
      consentBody({ recipient, type: 'EPOSTA', status: 'RET', consentDate: turkeyTime(Date.now()) }),
    );
    expect(ret.status).toBe(200);
    expect(await consentsOf(second.client)).toEqual([expect.objectContaining({ recipient, status: 'RET' })]);
  });

  it('writes soon after a change, owner-only, without waiting for a clean stop', async () => {
    const file = join(dir, 'iys.json');
    const { client } = await start(file);
    const recipient = uniqueEmail();
    await client.hs('POST', `${BRAND_PATH}/consents`, consentBody({ recipient, type: 'EPOSTA' }));
    await new Promise((r) => setTimeout(r, 600));
    // What a simulator killed now would start from.
    expect(readFileSync(file, 'utf8')).toContain(recipient);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses to start on a corrupt file, naming the setting', async () => {
    const file = join(dir, 'iys.json');
    writeFileSync(file, '{"format":1,"consents":[');
    await expect(start(file)).rejects.toThrow(/IYS_SIMULATOR_STATE_FILE .*iys\.json cannot be read: not JSON/);
    writeFileSync(file, JSON.stringify({ format: 99 }));
    await expect(start(file)).rejects.toThrow(/format 99/);
  });

  it('keeps nothing without the setting', async () => {
    const first = await start();
    const recipient = uniqueEmail();
    await first.client.hs('POST', `${BRAND_PATH}/consents`, consentBody({ recipient, type: 'EPOSTA' }));
    expect(await consentsOf(first.client)).toHaveLength(1);
    const second = await start();
    expect(await consentsOf(second.client)).toEqual([]);
  });

  it('reads IYS_SIMULATOR_STATE_FILE, unset by default', () => {
    expect(loadSimulatorConfig({}).stateFile).toBeUndefined();
    expect(loadSimulatorConfig({ IYS_SIMULATOR_STATE_FILE: '/var/lib/iys/state.json' }).stateFile).toBe(
      '/var/lib/iys/state.json',
    );
  });
});
