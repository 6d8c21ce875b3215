import { parseIysErrorBody, parseOAuthError } from './iys-errors';

describe(parseIysErrorBody.name, () => {
  it("reads the data endpoints' errors[] with location, value and index", () => {
    const body = JSON.stringify({
      errors: [
        { code: 'H467', message: 'Üç iş günü…', location: ['consentDate'], value: '2020-01-13 13:35:13' },
        { code: 'H113', message: '', index: 1 },
      ],
    });
    expect(parseIysErrorBody(body)).toEqual([
      { code: 'H467', message: 'Üç iş günü…', location: ['consentDate'], value: '2020-01-13 13:35:13' },
      { code: 'H113', message: '', index: 1 },
    ]);
  });

  it('reads H084 as a top-level code, and the body that carries both shapes once', () => {
    expect(parseIysErrorBody('{"code":"H084","message":"Saatte kabul edilen…"}')).toEqual([
      { code: 'H084', message: 'Saatte kabul edilen…' },
    ]);
    expect(parseIysErrorBody('{"code":"H084","message":"m","errors":[{"code":"H084","message":"m"}]}')).toEqual([
      { code: 'H084', message: 'm' },
    ]);
  });

  it('reads İYS\'s misspelt "code:" key', () => {
    expect(parseIysErrorBody('{"errors":[{"code:":"H353","message":"iysCode eşleştirilemiyor"}]}')[0].code).toBe(
      'H353',
    );
  });

  it('answers nothing for bodies without a code, rather than guessing', () => {
    expect(parseIysErrorBody('<html>502 Bad Gateway</html>')).toEqual([]);
    expect(parseIysErrorBody('')).toEqual([]);
    expect(parseIysErrorBody('{"status":400,"message":"bad"}')).toEqual([]);
    expect(parseIysErrorBody('[1,2]')).toEqual([]);
  });
});

describe(parseOAuthError.name, () => {
  it("reads the token endpoint's OAuth shape only", () => {
    expect(
      parseOAuthError('{"error":"invalid_grant","error_description":"Kullanıcı kimlik bilgileri geçersiz."}'),
    ).toEqual({ error: 'invalid_grant', description: 'Kullanıcı kimlik bilgileri geçersiz.' });
    expect(parseOAuthError('{"errors":[{"code":"H015"}]}')).toBeNull();
    expect(parseOAuthError('nope')).toBeNull();
  });
});
