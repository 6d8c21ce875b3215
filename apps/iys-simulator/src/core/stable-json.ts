/**
 * JSON with object keys sorted, so two bodies that differ only in key order compare equal. İYS's v2 idempotency
 * is defined on "exactly the same body", and a client that rebuilds its body for a retry may order keys
 * differently: the data is the same, so the answer must be too.
 */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
