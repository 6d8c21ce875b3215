import { errorItem, type IysErrorItem } from '../core/iys-errors';
import { type ConsentType, isConsentType, isPlainObject } from '../core/iys-types';

// Push registration requests (P1, P3; iys-api.md §5.8). İYS requires an https URL (H531) and Basic-auth
// credentials (H093); the `pushAllowHttp` knob admits http:// for local test receivers.

export interface PushConnectionRequest {
  url: string;
  type: ConsentType;
  username: string;
  password: string;
}

const CONNECTION_FIELDS: ReadonlySet<string> = new Set(['url', 'type', 'username', 'password']);

export const MAX_ACTIVE_CONNECTIONS_PER_TYPE = 2;

export function validateConnection(
  raw: unknown,
  allowHttp: boolean,
  index?: number,
): { ok: true; value: PushConnectionRequest } | { ok: false; errors: IysErrorItem[] } {
  if (!isPlainObject(raw))
    return { ok: false, errors: [errorItem('SIM422', { message: 'Bağlantı bilgisi bir nesne olmalıdır.', index })] };
  const errors: IysErrorItem[] = [];
  for (const key of Object.keys(raw))
    if (!CONNECTION_FIELDS.has(key)) errors.push(errorItem('H118', { location: [key], value: raw[key], index }));
  const { url, type, username, password } = raw;
  let protocol: string | null = null;
  try {
    protocol = typeof url === 'string' ? new URL(url).protocol : null;
  } catch {
    protocol = null;
  }
  if (protocol !== 'https:' && !(allowHttp && protocol === 'http:'))
    errors.push(errorItem('H531', { location: ['url'], value: url, index }));
  if (!isConsentType(type)) errors.push(errorItem('H117', { location: ['type'], value: type, index }));
  if (typeof username !== 'string' || username === '')
    errors.push(errorItem('H093', { location: ['username'], index }));
  if (typeof password !== 'string' || password === '')
    errors.push(errorItem('H093', { location: ['password'], index }));
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      url: url as string,
      type: type as ConsentType,
      username: username as string,
      password: password as string,
    },
  };
}

export function validateRegistration(
  body: unknown,
  allowHttp: boolean,
): { ok: true; value: PushConnectionRequest[] } | { ok: false; errors: IysErrorItem[] } {
  if (!isPlainObject(body) || !Array.isArray(body.connection) || body.connection.length === 0) {
    return {
      ok: false,
      errors: [errorItem('SIM422', { message: 'connection listesi zorunludur.', location: ['connection'] })],
    };
  }
  const errors: IysErrorItem[] = [];
  for (const key of Object.keys(body))
    if (key !== 'connection') errors.push(errorItem('H118', { location: [key], value: body[key] }));
  const connections: PushConnectionRequest[] = [];
  body.connection.forEach((raw: unknown, index: number) => {
    const result = validateConnection(raw, allowHttp, index);
    if (result.ok) connections.push(result.value);
    else errors.push(...result.errors);
  });
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: connections };
}
