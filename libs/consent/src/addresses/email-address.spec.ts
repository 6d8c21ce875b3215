import { normalizeEmail } from './email-address';

describe(normalizeEmail.name, () => {
  it.each([
    ['ayse.yilmaz@example.com', 'ayse.yilmaz@example.com'],
    ['  Ayse.Yilmaz@Example.COM  ', 'ayse.yilmaz@example.com'],
    ['MEHMET+kampanya@firma.com.tr', 'mehmet+kampanya@firma.com.tr'],
    ['a_b-c.d@sub.domain.org', 'a_b-c.d@sub.domain.org'],
    ['.leading.dot@example.com', '.leading.dot@example.com'],
    ['--__..@example.com', '--__..@example.com'],
    ['a@b.co', 'a@b.co'],
    ['x@yy.zz', 'x@yy.zz'],
    ['user@xn--irket-ova.com.tr', 'user@xn--irket-ova.com.tr'],
    ['user@my-company.istanbul', 'user@my-company.istanbul'],
    ['ali\u200b@example.com', 'ali@example.com'],
    ['\ufeffveli@example.com', 'veli@example.com'],
    ['INFO@EXAMPLE.COM', 'info@example.com'],
    ['123@456.net', '123@456.net'],
  ])('accepts %j as %j', (input, value) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'EMPTY', /empty/],
    ['   ', 'EMPTY', /empty/],
    ['ayşe@example.com', 'TURKISH_LETTER', /Turkish letter 'ş'/],
    ['AYŞE@EXAMPLE.COM', 'TURKISH_LETTER', /'Ş'/],
    ['IŞIK@example.com', 'TURKISH_LETTER', /'Ş'/],
    ['kullanıcı@example.com', 'TURKISH_LETTER', /'ı'/],
    ['İnci@example.com', 'TURKISH_LETTER', /'İ'/],
    ['user@şirket.com.tr', 'TURKISH_LETTER', /'ş'/],
    ['gül@example.com', 'TURKISH_LETTER', /'ü'/],
    ['ali veli@example.com', 'CONTAINS_SPACE', /space/],
    ['ali@exa mple.com', 'CONTAINS_SPACE', /space/],
    ['ali.example.com', 'MISSING_AT_SIGN', /no '@'/],
    ['ali@@example.com', 'TOO_MANY_AT_SIGNS', /more than one/],
    ['ali@veli@example.com', 'TOO_MANY_AT_SIGNS', /more than one/],
    ['@example.com', 'EMPTY_LOCAL_PART', /nothing before/],
    ['ali@', 'INVALID_DOMAIN', /no domain/],
    ['ali!@example.com', 'FORBIDDEN_CHARACTER', /contains '!'/],
    ['"ali"@example.com', 'FORBIDDEN_CHARACTER', /contains '"'/],
    ['ali#veli@example.com', 'FORBIDDEN_CHARACTER', /'#'/],
    ['josé@example.com', 'FORBIDDEN_CHARACTER', /'é'/],
    ['ali&veli@example.com', 'FORBIDDEN_CHARACTER', /'&'/],
    ['ali@localhost', 'INVALID_DOMAIN', /no dot/],
    ['ali@example..com', 'INVALID_DOMAIN', /empty part/],
    ['ali@.example.com', 'INVALID_DOMAIN', /empty part/],
    ['ali@example.com.', 'INVALID_DOMAIN', /empty part/],
    ['ali@-example.com', 'INVALID_DOMAIN', /'-example'/],
    ['ali@example-.com', 'INVALID_DOMAIN', /'example-'/],
    ['ali@example.c', 'INVALID_DOMAIN', /'\.c'/],
    ['ali@example.123', 'INVALID_DOMAIN', /'\.123'/],
    ['ali@exam_ple.com', 'INVALID_DOMAIN', /contains '_'/],
    ['ali@[127.0.0.1]', 'INVALID_DOMAIN', /contains '\['/],
    ['a@b.c', 'INVALID_DOMAIN', /ending/],
    [`${'a'.repeat(260)}@example.com`, 'TOO_LONG', /272 characters long; İYS accepts at most 265/],
  ])('rejects %j (%s)', (input, reason, message) => {
    const result = normalizeEmail(input);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_EMAIL', reason });
    expect(result.ok ? '' : result.message).toMatch(message);
  });

  it('accepts exactly 6 and 265 characters', () => {
    expect(normalizeEmail('a@b.co')).toEqual({ ok: true, value: 'a@b.co' });
    const longest = `${'a'.repeat(265 - '@example.com'.length)}@example.com`;
    expect(longest).toHaveLength(265);
    expect(normalizeEmail(longest)).toEqual({ ok: true, value: longest });
    expect(normalizeEmail(`a${longest}`)).toMatchObject({ ok: false, reason: 'TOO_LONG' });
  });

  it('refuses a value that is not text', () => {
    expect(normalizeEmail(42 as unknown as string)).toMatchObject({
      ok: false,
      code: 'INVALID_EMAIL',
      reason: 'NOT_TEXT',
    });
  });
});
