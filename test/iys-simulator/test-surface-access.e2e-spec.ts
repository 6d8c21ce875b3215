// Who may use the simulator's test surface (/_sim/), over real HTTP. Callers off this machine cannot be made here
// without leaving it; apps/iys-simulator/src/http/test-surface-access.spec.ts covers that branch.
import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { type RunningIysSimulator, startIysSimulator } from '@izinli/iys-simulator';
import { freePort } from '@izinli/testing';

const ROOT = join(__dirname, '..', '..');
const TOKEN = 'sim-token-0b7e4c2a9f1d6358e2a7';

async function call(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

describe('İYS simulator: access to the test surface (e2e)', () => {
  describe('with no token', () => {
    let simulator: RunningIysSimulator;
    beforeAll(async () => {
      simulator = await startIysSimulator({ port: 0 });
    });
    afterAll(() => simulator.close());

    it('answers callers on this machine, and ignores a token nobody configured', async () => {
      expect((await call(`${simulator.url}/_sim/config`)).status).toBe(200);
      expect((await call(`${simulator.url}/_sim/config`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    });
  });

  describe('with IYS_SIMULATOR_TOKEN', () => {
    let simulator: RunningIysSimulator;
    beforeAll(async () => {
      simulator = await startIysSimulator({ port: 0, testSurfaceToken: TOKEN });
    });
    afterAll(() => simulator.close());

    it('answers a caller that presents the token, as a bearer token or in X-Simulator-Token', async () => {
      expect((await call(`${simulator.url}/_sim/config`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
      expect((await call(`${simulator.url}/_sim/requests`, { 'x-simulator-token': TOKEN })).status).toBe(200);
    });

    it('refuses a missing or wrong token with 403 SIM403, even from loopback, and changes nothing', async () => {
      for (const headers of [
        {},
        { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
        { 'x-simulator-token': 'x' },
      ] as Record<string, string>[]) {
        const answer = await call(`${simulator.url}/_sim/config`, headers);
        expect(answer.status).toBe(403);
        expect(answer.body.errors[0].code).toBe('SIM403');
      }
      const patch = await fetch(`${simulator.url}/_sim/config`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ batchDelaySeconds: 7 }),
      });
      expect(patch.status).toBe(403);
      const knobs = await call(`${simulator.url}/_sim/config`, { authorization: `Bearer ${TOKEN}` });
      expect(knobs.body.batchDelaySeconds).not.toBe(7);
    });

    it("leaves İYS's own paths as they were: they authenticate with İYS's tokens", async () => {
      const res = await fetch(`${simulator.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'integrator', password: 'integrator-secret', grant_type: 'password' }),
      });
      expect(res.status).toBe(200);
    });
  });

  describe('npm run iys-simulator', () => {
    function launch(env: Record<string, string>): {
      child: ChildProcess;
      output: () => string;
      exited: Promise<number | null>;
    } {
      let out = '';
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/iys-simulator/src/main.ts'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
      });
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return { child, output: () => out, exited };
    }

    it('reads IYS_SIMULATOR_TOKEN and guards /_sim/ with it', async () => {
      const port = await freePort();
      const run = launch({
        IYS_SIMULATOR_HOST: '127.0.0.1',
        IYS_SIMULATOR_PORT: String(port),
        IYS_SIMULATOR_TOKEN: TOKEN,
      });
      try {
        const deadline = Date.now() + 60_000;
        while (!run.output().includes('listening')) {
          if (Date.now() > deadline) throw new Error(`the simulator did not start:\n${run.output()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect((await call(`http://127.0.0.1:${port}/_sim/config`)).status).toBe(403);
        expect((await call(`http://127.0.0.1:${port}/_sim/config`, { authorization: `Bearer ${TOKEN}` })).status).toBe(
          200,
        );
      } finally {
        run.child.kill('SIGTERM');
        await run.exited;
      }
    }, 90_000);

    it('refuses to start with a weak token, naming it', async () => {
      const run = launch({ IYS_SIMULATOR_PORT: String(await freePort()), IYS_SIMULATOR_TOKEN: 'x'.repeat(32) });
      expect(await run.exited).not.toBe(0);
      expect(run.output()).toContain('IYS_SIMULATOR_TOKEN');
    }, 60_000);
  });
});
