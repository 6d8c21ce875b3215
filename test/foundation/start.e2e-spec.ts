import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '@izinli/testing';

const ROOT = join(__dirname, '..', '..');

/** Runs main.ts as `npm start` would (TypeScript through SWC instead of a build), with only the given env. */
function launch(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let out = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/campaigns/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), LOG_LEVEL: 'warn', ...env },
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function until(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The newcomer's path: no configuration at all. The first start prints the URL and the operator key and
 * answers /health; a restart keeps the data and the key, and prints no new key.
 */
describe('starting Izinli with no configuration (e2e)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'izinli-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the URL and the admin key once, answers /health, and keeps both across a restart', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), IYS_SIMULATOR_PORT: String(await freePort()) };
    const first = launch(env);
    try {
      await until(() => /Operator key \(shown once, keep it\): (\S+)/.test(first.output()), 90_000, first.output);
      const key = /Operator key \(shown once, keep it\): (\S+)/.exec(first.output())![1];
      expect(first.output()).toContain(`http://localhost:${port}`);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { checks: { database: { mode: string } } }).checks.database.mode).toBe(
        'embedded',
      );
      const created = await fetch(`http://127.0.0.1:${port}/v1/service-providers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Demo', iysCode: '100001' }),
      });
      expect(created.status).toBe(201);
      first.child.kill('SIGTERM');
      await first.exited;

      const second = launch(env);
      try {
        await until(() => second.output().includes('Izinli is running'), 90_000, second.output);
        expect(second.output()).not.toContain('Operator key');
        const brands = await fetch(`http://127.0.0.1:${port}/v1/brands`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(brands.status).toBe(200);
        const dup = await fetch(`http://127.0.0.1:${port}/v1/service-providers`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Demo', iysCode: '100001' }),
        });
        expect(dup.status).toBe(409);
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      first.child.kill('SIGKILL');
    }
  }, 200_000);

  it('refuses a bad configuration, naming each bad variable', async () => {
    const run = launch({ DATA_DIR: dataDir, PORT: 'eighty', ROLE: 'boss' });
    const code = await run.exited;
    expect(code).toBe(2);
    expect(run.output()).toMatch(/PORT/);
    expect(run.output()).toMatch(/ROLE/);
  }, 60_000);
});
