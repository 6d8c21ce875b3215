import { normalizePhone } from './phone-number';

describe(normalizePhone.name, () => {
  it.each([
    ['+905321112233', '+905321112233', 'TR_MOBILE'],
    ['05321112233', '+905321112233', 'TR_MOBILE'],
    ['5321112233', '+905321112233', 'TR_MOBILE'],
    ['00905321112233', '+905321112233', 'TR_MOBILE'],
    ['905321112233', '+905321112233', 'TR_MOBILE'],
    ['+90 532 111 22 33', '+905321112233', 'TR_MOBILE'],
    ['+90 (532) 111-22-33', '+905321112233', 'TR_MOBILE'],
    ['0 (532) 111 22 33', '+905321112233', 'TR_MOBILE'],
    ['0532-111-22-33', '+905321112233', 'TR_MOBILE'],
    ['0532.111.22.33', '+905321112233', 'TR_MOBILE'],
    ['0090 532 111 2233', '+905321112233', 'TR_MOBILE'],
    ['  +90\u00a0532\u00a0111\u00a022\u00a033 ', '+905321112233', 'TR_MOBILE'],
    ['+902121230000', '+902121230000', 'TR_GEOGRAPHIC'],
    ['0212 123 00 00', '+902121230000', 'TR_GEOGRAPHIC'],
    ['(0312) 444 55 66', '+903124445566', 'TR_GEOGRAPHIC'],
    ['0850 222 33 44', '+908502223344', 'TR_NON_GEOGRAPHIC'],
    ['+44 20 7946 0958', '+442079460958', 'INTERNATIONAL'],
    ['0044 20 7946 0958', '+442079460958', 'INTERNATIONAL'],
    ['+1 (415) 555-2671', '+14155552671', 'INTERNATIONAL'],
    ['+4915123456789', '+4915123456789', 'INTERNATIONAL'],
  ])('normalises %j to %s', (input, value, lineType) => {
    expect(normalizePhone(input)).toEqual({ ok: true, value, lineType });
  });

  it.each([
    ['', 'EMPTY', /empty/],
    ['  - ', 'EMPTY', /empty/],
    ['+9005321112233', 'TRUNK_ZERO_AFTER_COUNTRY_CODE', /drop that 0/],
    ['+90 0532 111 22 33', 'TRUNK_ZERO_AFTER_COUNTRY_CODE', /\+9005/],
    ['009005321112233', 'TRUNK_ZERO_AFTER_COUNTRY_CODE', /drop that 0/],
    ['+90532111223', 'WRONG_LENGTH', /this one has 9/],
    ['+9053211122334', 'WRONG_LENGTH', /this one has 11/],
    ['0532111223', 'WRONG_LENGTH', /this one has 9/],
    ['053211122334', 'WRONG_LENGTH', /this one has 11/],
    ['532111223', 'WRONG_LENGTH', /this one has 9/],
    ['1234567890', 'INVALID_NUMBER', /do not start with 1/],
    ['+906321112233', 'INVALID_NUMBER', /do not start with 6/],
    ['0532 111 22 33 ext 5', 'FORBIDDEN_CHARACTER', /contains 'e'/],
    ['0532O111223', 'FORBIDDEN_CHARACTER', /contains 'O'/],
    ['+90+5321112233', 'FORBIDDEN_CHARACTER', /contains '\+'/],
    ['0532#1112233', 'FORBIDDEN_CHARACTER', /'#'/],
    ['ali@example.com', 'LOOKS_LIKE_EMAIL', /e-mail address/],
    ['+0532111223', 'MISSING_COUNTRY_CODE', /country code/],
    ['+', 'MISSING_COUNTRY_CODE', /country code/],
    ['+44123', 'WRONG_LENGTH', /too short/],
    ['+4412345678901234', 'TOO_LONG', /at most 15/],
  ])('rejects %j (%s)', (input, reason, message) => {
    const result = normalizePhone(input);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_PHONE', reason });
    expect(result.ok ? '' : result.message).toMatch(message);
  });

  it('refuses a value that is not text', () => {
    expect(normalizePhone(5321112233 as unknown as string)).toMatchObject({ ok: false, reason: 'NOT_TEXT' });
  });
});
