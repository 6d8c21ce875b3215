import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'fs';
import { join } from 'path';

/**
 * DATA_DIR holds the embedded database, the generated secrets and every captured message: nothing in it is for
 * another user of the machine. Directories are 0700 and files 0600 (owner only).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) owner-only. An existing `dir` keeps its mode: it may be a shared directory
 * that only happens to be DATA_DIR (restrictDataDir decides that at start).
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * Takes every group and other permission off `root` and everything under it, and answers how many entries it
 * changed. PGlite unpacks its initial database world-writable (0666), and a DATA_DIR made by an older release or by
 * hand may be open too. Symbolic links are left alone: their own mode means nothing, and following one could
 * change a file outside DATA_DIR. So are entries of another user, which only their owner (or root) may change.
 */
export function restrictToOwner(root: string): number {
  if (!existsSync(root)) return 0;
  const uid = process.getuid?.();
  let changed = 0;
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    const mode = stat.mode & 0o7777;
    if (mode & 0o077 && (uid === undefined || uid === 0 || stat.uid === uid)) {
      chmodSync(path, mode & ~0o077);
      changed++;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return changed;
}

/**
 * Closes what Izinli keeps in `dataDir` to other users: each of `owned` (e.g. `pg`, `mail`, `secrets.json`) with
 * everything under it, and `dataDir` itself, since in a directory others may write to they could swap
 * secrets.json for one whose secret they know. A `dataDir` that holds anything else is a shared directory (`/`,
 * `/tmp`, a home) that only happens to be DATA_DIR: its own mode and the rest of its contents are left alone.
 */
export function restrictDataDir(dataDir: string, owned: readonly string[]): void {
  if (!existsSync(dataDir)) return;
  for (const name of owned) restrictToOwner(join(dataDir, name));
  if (readdirSync(dataDir).some((name) => !owned.includes(name))) return;
  const stat = lstatSync(dataDir);
  const mode = stat.mode & 0o7777;
  if (stat.isDirectory() && mode & 0o077) chmodSync(dataDir, mode & ~0o077);
}
