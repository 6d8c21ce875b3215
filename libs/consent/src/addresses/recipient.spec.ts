import type { IysType } from '../domain';
import { normalizeRecipient } from './recipient';

describe(normalizeRecipient.name, () => {
  it.each<[IysType, string, string]>([
    ['EPOSTA', ' Ayse@Example.com ', 'ayse@example.com'],
    ['MESAJ', '0532 111 22 33', '+905321112233'],
    ['ARAMA', '+90 212 123 00 00', '+902121230000'],
  ])('normalises a %s recipient %j', (type, input, value) => {
    expect(normalizeRecipient(type, input)).toMatchObject({ ok: true, value });
  });

  it.each<[IysType, string, string]>([
    ['EPOSTA', '+905321112233', 'LOOKS_LIKE_PHONE'],
    ['EPOSTA', '0532 111 22 33', 'LOOKS_LIKE_PHONE'],
    ['MESAJ', 'ayse@example.com', 'LOOKS_LIKE_EMAIL'],
    ['ARAMA', 'ayse@example.com', 'LOOKS_LIKE_EMAIL'],
  ])('reports a %s recipient %j of the other kind as a mismatch', (type, input, reason) => {
    const result = normalizeRecipient(type, input);
    expect(result).toMatchObject({ ok: false, code: 'RECIPIENT_TYPE_MISMATCH', reason });
    expect(result.ok ? '' : result.message).toContain(type);
  });

  it('passes malformed addresses through with the normaliser’s own code', () => {
    expect(normalizeRecipient('EPOSTA', 'ayşe@example.com')).toMatchObject({ ok: false, code: 'INVALID_EMAIL' });
    expect(normalizeRecipient('MESAJ', '+9005321112233')).toMatchObject({ ok: false, code: 'INVALID_PHONE' });
    expect(normalizeRecipient('EPOSTA', 'hello')).toMatchObject({
      ok: false,
      code: 'INVALID_EMAIL',
      reason: 'MISSING_AT_SIGN',
    });
  });
});
