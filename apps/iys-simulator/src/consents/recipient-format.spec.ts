import { isValidEmail, isValidPhone, normaliseRecipient, recipientProblem } from './recipient-format';

describe('recipient-format', () => {
  it('accepts E.164 phones up to 15 characters and keeps them exactly as sent', () => {
    expect(isValidPhone('+905321112233')).toBe(true);
    expect(isValidPhone('+902121230000')).toBe(true);
    expect(isValidPhone('05321112233')).toBe(false);
    expect(recipientProblem('MESAJ', '+9053211122334455')).toBe('H160');
    expect(recipientProblem('ARAMA', '+9053211122334455', 'H166')).toBe('H166');
    // İYS stores the mis-typed '+9005…' as another number instead of correcting it.
    expect(normaliseRecipient('MESAJ', '+9005321112233')).toBe('+9005321112233');
  });

  it('applies the İYS e-mail shape', () => {
    expect(isValidEmail('ornek@adiniz.com')).toBe(true);
    expect(isValidEmail('a.b-c_d+kampanya@mail.example.com.tr')).toBe(true);
    expect(isValidEmail('_first@x.co')).toBe(true);
    expect(isValidEmail('şule@örnek.com')).toBe(false);
    expect(isValidEmail('a b@x.com')).toBe(false);
    expect(isValidEmail('a@b.c')).toBe(false);
    expect(isValidEmail('a#b@x.com')).toBe(false);
  });

  it('reports a recipient of the wrong kind for its type', () => {
    expect(recipientProblem('EPOSTA', '+905321112233')).toBe('H120');
    expect(recipientProblem('MESAJ', 'ornek@adiniz.com')).toBe('H121');
  });

  it('lower-cases e-mails only', () => {
    expect(normaliseRecipient('EPOSTA', 'Ornek@Adiniz.COM')).toBe('ornek@adiniz.com');
  });
});
