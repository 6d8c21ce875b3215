import { randomBytes } from 'crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-files';

/**
 * Secrets that may be left unset (UNSUBSCRIBE_SECRET, ADMIN_API_KEY) are generated once and kept in
 * DATA_DIR/secrets.json with owner-only permissions, so a restart keeps unsubscribe links and the admin key valid.
 */
export function loadOrCreateSecret(dataDir: string, name: string, bytes = 32): { value: string; created: boolean } {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, 'secrets.json');
  const all: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (all[name]) return { value: all[name], created: false };
  all[name] = randomBytes(bytes).toString('base64url');
  writeFileSync(file, JSON.stringify(all, null, 2), { mode: PRIVATE_FILE_MODE });
  // The mode above applies only when the file is created; one written by an older release may be readable by all.
  chmodSync(file, PRIVATE_FILE_MODE);
  return { value: all[name], created: true };
}
