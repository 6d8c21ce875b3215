/**
 * Secrets an operator chooses (ADMIN_API_KEY, UNSUBSCRIBE_SECRET, IYS_PUSH_PASSWORD, IYS_SIMULATOR_TOKEN) are checked
 * at start: a guessable one is as good as none. Length alone does not do it: `aaaa…` and the placeholders copied
 * from examples (the old compose file shipped `change-me-…` defaults that anyone can read) pass any length check.
 */
export const MIN_DISTINCT_CHARACTERS = 6;

/** The shortest each chosen secret may be. */
export const SECRET_MIN_LENGTH = {
  ADMIN_API_KEY: 24,
  UNSUBSCRIBE_SECRET: 32,
  // Links signed under a former secret stay valid while it is listed, so it must be as strong as the current one.
  UNSUBSCRIBE_SECRET_PREVIOUS: 32,
  IYS_PUSH_PASSWORD: 16,
  IYS_SIMULATOR_TOKEN: 24,
} as const;

export type ChosenSecret = keyof typeof SECRET_MIN_LENGTH;

/** Values, lower-cased with everything but letters removed, that are names of a secret rather than secrets. */
const PLACEHOLDER_WORDS = new Set([
  'password',
  'passwd',
  'secret',
  'admin',
  'adminkey',
  'apikey',
  'key',
  'token',
  'operatorkey',
  'unsubscribesecret',
  'pushpassword',
  'simulatortoken',
  'default',
  'test',
  'qwerty',
  'letmein',
]);

/** Beginnings that mark a value as a placeholder whatever follows (`change-me-operator-key-0123456789`). */
const PLACEHOLDER_PREFIXES = ['changeme', 'replaceme', 'placeholder', 'example', 'yoursecret', 'yourkey', 'todo'];

/** Why `value` is too weak to be the secret `variable`, or null when it will do. */
export function weakSecretProblem(variable: ChosenSecret, value: string): string | null {
  const minLength = SECRET_MIN_LENGTH[variable];
  if (value.length < minLength) return `${variable} must be at least ${minLength} characters`;
  const distinct = new Set(value).size;
  if (distinct === 1) return `${variable} is one character repeated; use a random value (openssl rand -hex 32)`;
  if (distinct < MIN_DISTINCT_CHARACTERS) {
    return `${variable} has only ${distinct} different characters (at least ${MIN_DISTINCT_CHARACTERS}); use a random value (openssl rand -hex 32)`;
  }
  const letters = value.toLowerCase().replace(/[^a-z]/g, '');
  const compact = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (PLACEHOLDER_WORDS.has(letters) || PLACEHOLDER_PREFIXES.some((p) => compact.startsWith(p))) {
    return `${variable} is a placeholder, not a secret; use a random value (openssl rand -hex 32)`;
  }
  return null;
}
