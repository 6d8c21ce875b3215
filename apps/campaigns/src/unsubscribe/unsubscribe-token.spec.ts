import {
  signUnsubscribeToken,
  UnsubscribeClaims,
  UnsubscribeTokens,
  verifyUnsubscribeToken,
} from './unsubscribe-token';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

const claims = (over: Partial<UnsubscribeClaims> = {}): UnsubscribeClaims => ({
  brandId: '3b0f3a4e-6c55-4a7c-9a0e-0d1f2a3b4c5d',
  recipient: 'ayse@example.com',
  recipientType: 'BIREYSEL',
  messageId: 'c3b0f3a4e.r42@ornek.com.tr',
  ...over,
});

describe(UnsubscribeTokens.name, () => {
  const sut = new UnsubscribeTokens(SECRET);

  it('round-trips the brand, recipient, recipient type and message', () => {
    expect(sut.verify(sut.sign(claims()))).toEqual(claims());
    expect(sut.verify(sut.sign(claims({ recipientType: 'TACIR' })))).toEqual(claims({ recipientType: 'TACIR' }));
  });

  it('verifies tokens signed with the raw secret, and the raw secret verifies its tokens', () => {
    expect(sut.verify(signUnsubscribeToken(SECRET, claims()))).toEqual(claims());
    expect(verifyUnsubscribeToken(SECRET, sut.sign(claims()))).toEqual(claims());
  });

  it('gives a URL-safe token with no padding', () => {
    expect(sut.sign(claims())).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a token signed with another secret', () => {
    const other = signUnsubscribeToken('another-secret-that-is-long-enough-012345', claims());
    expect(sut.verify(other)).toBeNull();
  });

  it('refuses a payload changed after signing', () => {
    const token = sut.sign(claims());
    const [, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify([1, claims().brandId, 'mallory@example.com', 'B', claims().messageId]),
    ).toString('base64url');
    expect(sut.verify(`${forged}.${signature}`)).toBeNull();
  });

  it('refuses a truncated or altered signature', () => {
    const token = sut.sign(claims());
    expect(sut.verify(token.slice(0, -2))).toBeNull();
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(sut.verify(flipped)).toBeNull();
  });

  it.each([undefined, null, 42, '', '.', 'abc', 'abc.', '.abc', 'a.b.c', 'ä.ö', 'x'.repeat(5000)])(
    'refuses malformed input %p',
    (bad) => {
      expect(verifyUnsubscribeToken(SECRET, bad)).toBeNull();
    },
  );

  it('refuses a well-signed payload of the wrong shape', () => {
    const payload = Buffer.from(JSON.stringify([2, 'b', 'r', 'B', 'm'])).toString('base64url');
    const { createHmac } = jest.requireActual<typeof import('crypto')>('crypto');
    const sig = createHmac('sha256', SECRET).update(`izinli-unsubscribe.${payload}`).digest('base64url');
    expect(verifyUnsubscribeToken(SECRET, `${payload}.${sig}`)).toBeNull();
  });
});
