import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ensurePrivateDir, restrictDataDir, restrictToOwner } from './private-files';
import { loadOrCreateSecret } from './secret-store';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('private files in DATA_DIR', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'izinli-private-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('ensurePrivateDir creates a directory and its missing parents owner-only, and leaves an existing one alone', () => {
    const fresh = join(root, 'a', 'b');
    ensurePrivateDir(fresh);
    expect(modeOf(join(root, 'a'))).toBe(0o700);
    expect(modeOf(fresh)).toBe(0o700);
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    ensurePrivateDir(shared);
    expect(modeOf(shared)).toBe(0o755);
  });

  it('restrictToOwner takes group and other bits off the whole tree, keeps the owner bits, follows no link', () => {
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'not ours');
    chmodSync(outside, 0o644);
    const data = join(root, 'data');
    mkdirSync(join(data, 'pg', 'base'), { recursive: true });
    writeFileSync(join(data, 'pg', 'PG_VERSION'), '17');
    writeFileSync(join(data, 'pg', 'base', 'run.sh'), '');
    chmodSync(join(data, 'pg', 'PG_VERSION'), 0o666);
    chmodSync(join(data, 'pg', 'base', 'run.sh'), 0o775);
    chmodSync(join(data, 'pg', 'base'), 0o777);
    chmodSync(data, 0o755);
    chmodSync(join(data, 'pg'), 0o750);
    symlinkSync(outside, join(data, 'link'));

    expect(restrictToOwner(data)).toBe(5);
    expect(modeOf(data)).toBe(0o700);
    expect(modeOf(join(data, 'pg', 'base'))).toBe(0o700);
    expect(modeOf(join(data, 'pg', 'PG_VERSION'))).toBe(0o600);
    expect(modeOf(join(data, 'pg', 'base', 'run.sh'))).toBe(0o700);
    expect(modeOf(outside)).toBe(0o644);
    expect(restrictToOwner(data)).toBe(0);
    expect(restrictToOwner(join(root, 'missing'))).toBe(0);
  });

  it("restrictDataDir closes Izinli's entries, and DATA_DIR itself only when it holds nothing else", () => {
    const dedicated = join(root, 'dedicated');
    mkdirSync(join(dedicated, 'pg'), { recursive: true });
    writeFileSync(join(dedicated, 'pg', 'PG_VERSION'), '17');
    writeFileSync(join(dedicated, 'secrets.json'), '{}');
    chmodSync(join(dedicated, 'pg', 'PG_VERSION'), 0o666);
    chmodSync(join(dedicated, 'secrets.json'), 0o644);
    chmodSync(dedicated, 0o777);
    restrictDataDir(dedicated, ['pg', 'mail', 'secrets.json']);
    expect(modeOf(dedicated)).toBe(0o700);
    expect(modeOf(join(dedicated, 'pg', 'PG_VERSION'))).toBe(0o600);
    expect(modeOf(join(dedicated, 'secrets.json'))).toBe(0o600);

    // DATA_DIR pointed at a shared directory: only what is Izinli's changes.
    const shared = join(root, 'shared');
    mkdirSync(join(shared, 'mail'), { recursive: true });
    writeFileSync(join(shared, 'notes.txt'), 'someone else');
    chmodSync(join(shared, 'notes.txt'), 0o644);
    chmodSync(join(shared, 'mail'), 0o755);
    chmodSync(shared, 0o755);
    restrictDataDir(shared, ['pg', 'mail', 'secrets.json']);
    expect(modeOf(join(shared, 'mail'))).toBe(0o700);
    expect(modeOf(join(shared, 'notes.txt'))).toBe(0o644);
    expect(modeOf(shared)).toBe(0o755);
    restrictDataDir(join(root, 'missing'), ['pg']);
  });

  it('loadOrCreateSecret keeps secrets.json owner-only, also one an older release left readable', () => {
    const data = join(root, 'data');
    loadOrCreateSecret(data, 'A');
    expect(modeOf(data)).toBe(0o700);
    expect(modeOf(join(data, 'secrets.json'))).toBe(0o600);
    chmodSync(join(data, 'secrets.json'), 0o644);
    loadOrCreateSecret(data, 'B');
    expect(modeOf(join(data, 'secrets.json'))).toBe(0o600);
  });
});
