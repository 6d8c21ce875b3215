import { maskEmail } from './mask-address';

describe(maskEmail.name, () => {
  it.each([
    ['ayse@example.com', 'a***@e***.com'],
    ['a@b.co', 'a***@b***.co'],
    ['ali.veli@ornek.com.tr', 'a***@o***.com.tr'],
    ['x@mail.ornek.com.tr', 'x***@o***.com.tr'],
    ['x@mail.example.org', 'x***@e***.org'],
    ['user@localhost', 'u***@l***'],
  ])('masks %s as %s', (address, masked) => {
    expect(maskEmail(address)).toBe(masked);
  });

  it('never reveals the length of either part', () => {
    expect(maskEmail('a@example.com')).toBe(maskEmail('abcdefghij@example.com'));
    expect(maskEmail('a@e.com')).toBe(maskEmail('a@enormouslylongdomainname.com'));
  });

  it('answers something harmless for what is not an address', () => {
    for (const bad of ['', '@', 'no-at-sign', 'trailing@', '@leading.com']) expect(maskEmail(bad)).toBe('***');
  });
});
