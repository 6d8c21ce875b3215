import { OAuthError } from '../core/iys-errors';

// Validation of POST /oauth2/token (iys-api.md §3). İYS answers these in OAuth's shape, `{ error,
// error_description }`, with the error kind per case as its examples show (they are not all `invalid_request`).

export type TokenGrant =
  { grant: 'password'; username: string; password: string } | { grant: 'refresh_token'; refreshToken: string };

function field(
  body: Record<string, unknown>,
  name: string,
  texts: { missing: string; empty: string; wrongType: string },
): string {
  const value = body[name];
  if (value === undefined || value === null) throw new OAuthError('invalid_request', texts.missing);
  if (typeof value !== 'string') throw new OAuthError('invalid_request', texts.wrongType);
  if (value.trim() === '') throw new OAuthError('invalid_grant', texts.empty);
  return value;
}

export function parseTokenRequest(body: unknown): TokenGrant {
  const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const grantType = field(b, 'grant_type', {
    missing: 'Giriş yöntemi (grant_type) belirtilmemiş.',
    empty: 'Giriş yöntemi (grant_type) boş olamaz.',
    wrongType: 'Desteklenmeyen giriş yöntemi.',
  });
  if (grantType === 'password') {
    const username = field(b, 'username', {
      missing: 'Kullanıcı adı verilmemiş.',
      empty: 'Kullanıcı adı boş bırakılamaz.',
      wrongType: 'Desteklenmeyen kullanıcı adı türü.',
    });
    const password = field(b, 'password', {
      missing: 'Şifre verilmemiş.',
      empty: 'Şifre boş bırakılamaz.',
      wrongType: 'Desteklenmeyen şifre türü.',
    });
    return { grant: 'password', username, password };
  }
  if (grantType === 'refresh_token') {
    const refreshToken = field(b, 'refresh_token', {
      missing: 'Yenileme jetonu (refresh_token) verilmemiş.',
      empty: 'Yenileme jetonu (refresh_token) boş olamaz.',
      wrongType: 'Desteklenmeyen yenileme jetonu türü.',
    });
    return { grant: 'refresh_token', refreshToken };
  }
  throw new OAuthError('invalid_request', 'Bilinmeyen giriş yöntemi.');
}
