import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

/**
 * Secrets that may be left unset (UNSUBSCRIBE_SECRET, ADMIN_API_KEY) are generated once and kept in
 * DATA_DIR/secrets.json with owner-only permissions, so a restart keeps unsubscribe links and the admin key valid.
 */
export function loadOrCreateSecret(dataDir: string, name: string, bytes = 32): { value: string; created: boolean } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'secrets.json');
  const all: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (all[name]) return { value: all[name], created: false };
  all[name] = randomBytes(bytes).toString('base64url');
  writeFileSync(file, JSON.stringify(all, null, 2), { mode: 0o600 });
  return { value: all[name], created: true };
}
