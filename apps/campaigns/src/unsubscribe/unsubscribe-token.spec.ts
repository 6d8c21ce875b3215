import { addressTraces, legacyUnsubscribeToken } from '../../../../test/support/legacy-unsubscribe-token';
import {
  signUnsubscribeToken,
  UnsubscribeClaims,
  UnsubscribeTokens,
  verifyUnsubscribeToken,
} from './unsubscribe-token';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const OLD_SECRET = 'the-secret-before-the-rotation-0123456789';
const ISSUED = new Date('2025-03-04T05:06:07Z');

const claims = (over: Partial<UnsubscribeClaims> = {}): UnsubscribeClaims => ({
  brandId: '3b0f3a4e-6c55-4a7c-9a0e-0d1f2a3b4c5d',
  recipient: 'ayse.yilmaz@example.com',
  recipientType: 'BIREYSEL',
  messageId: 'c3b0f3a4e.r42@ornek.com.tr',
  ...over,
});

const flipBit = (token: string, byte: number): string => {
  const raw = Buffer.from(token, 'base64url');
  raw[byte] ^= 0x01;
  return raw.toString('base64url');
};

describe(UnsubscribeTokens.name, () => {
  const sut = new UnsubscribeTokens(SECRET);

  it('round-trips the brand, recipient, recipient type, message and issue time', () => {
    expect(sut.verify(sut.sign(claims(), ISSUED))).toEqual({ ...claims(), issuedAt: ISSUED });
    const tacir = claims({ recipientType: 'TACIR', recipient: 'muhasebe+fatura@şirket.example' });
    expect(sut.verify(sut.sign(tacir, ISSUED))).toEqual({ ...tacir, issuedAt: ISSUED });
  });

  it('gives an opaque, URL-safe token: no address, no base64 of it, no JSON, different on every mint', () => {
    const token = sut.sign(claims());
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const trace of addressTraces(claims().recipient)) expect(token).not.toContain(trace);
    const raw = Buffer.from(token, 'base64url');
    expect(raw.includes(Buffer.from(claims().recipient))).toBe(false);
    expect(raw.includes(Buffer.from(claims().messageId))).toBe(false);
    expect(raw[0]).toBe(2);
    expect(() => JSON.parse(raw.toString('utf8'))).toThrow();
    expect(sut.sign(claims())).not.toBe(token);
    // Shorter than the readable format it replaces, for the same claims.
    expect(token.length).toBeLessThan(legacyUnsubscribeToken(SECRET, claims()).length);
  });

  it('verifies tokens made with the raw secret, and the raw secret verifies its tokens', () => {
    expect(sut.verify(signUnsubscribeToken(SECRET, claims()))).toMatchObject(claims());
    expect(verifyUnsubscribeToken(SECRET, sut.sign(claims()))).toMatchObject(claims());
  });

  it('keeps verifying legacy (format 1) tokens, which carry no issue time', () => {
    const legacy = legacyUnsubscribeToken(SECRET, claims());
    expect(sut.verify(legacy)).toEqual(claims());
    expect(sut.verify(legacyUnsubscribeToken(SECRET, claims({ recipientType: 'TACIR' })))).toEqual(
      claims({ recipientType: 'TACIR' }),
    );
  });

  it('refuses a token sealed or signed with another secret', () => {
    expect(sut.verify(signUnsubscribeToken('another-secret-that-is-long-enough-012345', claims()))).toBeNull();
    expect(sut.verify(legacyUnsubscribeToken('another-secret-that-is-long-enough-012345', claims()))).toBeNull();
  });

  it('refuses any changed bit: version, nonce, ciphertext or tag', () => {
    const token = sut.sign(claims());
    const length = Buffer.from(token, 'base64url').length;
    for (const byte of [0, 1, 12, 13, 20, length - 17, length - 1]) expect(sut.verify(flipBit(token, byte))).toBeNull();
    expect(sut.verify(token.slice(0, -2))).toBeNull();
    expect(sut.verify(token + 'AA')).toBeNull();
  });

  it('refuses a legacy payload changed after signing, or a legacy payload of the wrong shape', () => {
    const [, signature] = legacyUnsubscribeToken(SECRET, claims()).split('.');
    const forged = legacyUnsubscribeToken(SECRET, claims({ recipient: 'mallory@example.com' })).split('.')[0];
    expect(sut.verify(`${forged}.${signature}`)).toBeNull();
    expect(sut.verify(legacyUnsubscribeToken(SECRET, claims(), [2, 'b', 'r', 'B', 'm']))).toBeNull();
    expect(sut.verify(legacyUnsubscribeToken(SECRET, claims(), [1, 'b', 'r', 'X', 'm']))).toBeNull();
  });

  it.each([undefined, null, 42, '', '.', 'abc', 'abc.', '.abc', 'a.b.c', 'ä.ö', 'ä', 'AAAA', 'x'.repeat(5000)])(
    'refuses malformed input %p',
    (bad) => {
      expect(verifyUnsubscribeToken(SECRET, bad)).toBeNull();
    },
  );

  it('refuses to seal a brand id that is not a UUID', () => {
    expect(() => sut.sign(claims({ brandId: 'not-a-uuid' }))).toThrow(/UUID/);
  });

  describe('secret rotation', () => {
    const rotated = new UnsubscribeTokens(SECRET, [OLD_SECRET]);

    it('seals new links under the current secret only', () => {
      const token = rotated.sign(claims());
      expect(verifyUnsubscribeToken(SECRET, token)).toMatchObject(claims());
      expect(verifyUnsubscribeToken(OLD_SECRET, token)).toBeNull();
    });

    it('still reads links of both formats made under a previous secret', () => {
      expect(rotated.verify(signUnsubscribeToken(OLD_SECRET, claims()))).toMatchObject(claims());
      expect(rotated.verify(legacyUnsubscribeToken(OLD_SECRET, claims()))).toEqual(claims());
    });

    it('stops reading them once that secret is dropped from the list', () => {
      expect(sut.verify(signUnsubscribeToken(OLD_SECRET, claims()))).toBeNull();
      expect(sut.verify(legacyUnsubscribeToken(OLD_SECRET, claims()))).toBeNull();
    });
  });
});
