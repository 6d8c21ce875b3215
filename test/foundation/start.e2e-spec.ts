import { ChildProcess, spawn } from 'child_process';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { createServer, Server } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { freePort } from '@izinli/testing';

const ROOT = join(__dirname, '..', '..');

/** Runs main.ts as `npm start` would (TypeScript through SWC instead of a build), with only the given env. */
function launch(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
} {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/campaigns/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), LOG_LEVEL: 'warn', ...env },
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  // 'close', not 'exit': the output is complete only once the pipes are.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, errors: () => err, exited };
}

/** Every path under `root` (itself included) whose mode gives group or other any permission, with that mode. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if (stat.mode & 0o077) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return found;
}

/** Holds a port the way another program would, on every address. */
function occupy(port: number, host = '0.0.0.0'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
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
    // A DATA_DIR that does not exist yet: the start creates it.
    const data = join(dataDir, 'restart');
    const env = { DATA_DIR: data, PORT: String(port), IYS_SIMULATOR_PORT: String(await freePort()) };
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
      // The embedded database, the generated secret and the directories are the owner's alone.
      expect(openToOthers(data)).toEqual([]);
      // A DATA_DIR left open (by an older release, or by hand) is closed at the next start.
      chmodSync(data, 0o777);
      chmodSync(join(data, 'secrets.json'), 0o666);
      chmodSync(join(data, 'pg', 'PG_VERSION'), 0o666);

      const second = launch(env);
      try {
        await until(() => second.output().includes('Izinli is running'), 90_000, second.output);
        expect(second.output()).not.toContain('Operator key');
        // The key cannot be shown again (only its hash is kept): the banner says how to replace it.
        expect(second.output()).toMatch(/Lost it\? Restart with ADMIN_API_KEY set to a new key/);
        expect(openToOthers(data)).toEqual([]);
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

  it('stops on a taken PORT with one line naming it, and the next start still shows an operator key', async () => {
    const port = await freePort();
    const data = join(dataDir, 'taken-port');
    const env = { DATA_DIR: data, PORT: String(port), IYS_SIMULATOR_PORT: String(await freePort()) };
    const squatter = await occupy(port);
    let failed;
    try {
      failed = launch(env);
      expect(await failed.exited).toBe(1);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect(failed.errors()).toBe(`Izinli failed to start: PORT ${port} is already in use; set PORT to a free port\n`);
    expect(failed.output()).not.toContain('Operator key');

    // The failed start had created the database; the key is made and shown only by a start that serves.
    const next = launch(env);
    try {
      await until(() => /Operator key \(shown once, keep it\): (\S+)/.test(next.output()), 90_000, next.output);
      const key = /Operator key \(shown once, keep it\): (\S+)/.exec(next.output())![1];
      const brands = await fetch(`http://127.0.0.1:${port}/v1/brands`, { headers: { authorization: `Bearer ${key}` } });
      expect(brands.status).toBe(200);
    } finally {
      next.child.kill('SIGTERM');
      await next.exited;
    }
  }, 200_000);

  it('stops on a taken IYS_SIMULATOR_PORT or an unreachable DATABASE_URL with one line naming it', async () => {
    const simulatorPort = await freePort();
    const squatter = await occupy(simulatorPort, '127.0.0.1');
    try {
      const run = launch({
        DATA_DIR: join(dataDir, 'taken-simulator-port'),
        PORT: String(await freePort()),
        IYS_SIMULATOR_PORT: String(simulatorPort),
      });
      expect(await run.exited).toBe(1);
      expect(run.errors()).toMatch(
        new RegExp(`^Izinli failed to start: IYS_SIMULATOR_PORT ${simulatorPort} is already in use; [^\n]*\n$`),
      );
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }

    // Nothing listens on a port freePort has just released.
    const closed = await freePort();
    const run = launch({
      DATA_DIR: join(dataDir, 'no-database'),
      PORT: String(await freePort()),
      IYS_SIMULATOR_PORT: String(await freePort()),
      DATABASE_URL: `postgres://izinli:not-shown@127.0.0.1:${closed}/izinli`,
    });
    expect(await run.exited).toBe(1);
    expect(run.errors()).toMatch(
      new RegExp(
        `^Izinli failed to start: DATABASE_URL: cannot use the PostgreSQL server at 127\\.0\\.0\\.1:${closed}/izinli \\(ECONNREFUSED[^\n]*\n$`,
      ),
    );
    expect(run.output()).not.toContain('not-shown');
  }, 120_000);

  it('refuses a bad configuration, naming each bad variable', async () => {
    const run = launch({ DATA_DIR: dataDir, PORT: 'eighty', ROLE: 'boss' });
    const code = await run.exited;
    expect(code).toBe(2);
    expect(run.output()).toMatch(/PORT/);
    expect(run.output()).toMatch(/ROLE/);
  }, 60_000);
});
