import { OAuthError } from '../core/iys-errors';
import { parseTokenRequest } from './token-request-rules';

function oauthError(body: unknown): { error: string; description: string } {
  try {
    parseTokenRequest(body);
  } catch (e) {
    if (e instanceof OAuthError) return { error: e.error, description: e.description };
  }
  throw new Error('expected an OAuthError');
}

describe('parseTokenRequest', () => {
  it('reads both grants', () => {
    expect(parseTokenRequest({ grant_type: 'password', username: 'u', password: 'p' })).toEqual({
      grant: 'password',
      username: 'u',
      password: 'p',
    });
    expect(parseTokenRequest({ grant_type: 'refresh_token', refresh_token: 'r' })).toEqual({
      grant: 'refresh_token',
      refreshToken: 'r',
    });
  });

  it('answers missing, empty and unknown values in OAuth terms', () => {
    expect(oauthError({}).error).toBe('invalid_request');
    expect(oauthError({ grant_type: '' }).error).toBe('invalid_grant');
    expect(oauthError({ grant_type: 'client_credentials' })).toEqual({
      error: 'invalid_request',
      description: 'Bilinmeyen giriş yöntemi.',
    });
    expect(oauthError({ grant_type: 'password', password: 'p' }).description).toBe('Kullanıcı adı verilmemiş.');
    expect(oauthError({ grant_type: 'refresh_token' }).error).toBe('invalid_request');
  });
});
