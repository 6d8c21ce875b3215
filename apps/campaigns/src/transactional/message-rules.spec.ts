import {
  canonicalJson,
  IDEMPOTENCY_KEY,
  messageHeaders,
  requestHash,
  retryDelayMs,
  transactionalMessageId,
} from './message-rules';

describe('message rules', () => {
  describe(canonicalJson.name, () => {
    it('sorts keys at every level and drops undefined members', () => {
      expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
        '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
      );
    });
    it('gives the same hash for the same request written in another order, a different one for another body', () => {
      const sut = requestHash;
      expect(sut({ to: 'a@example.com', purpose: 'ORDER', data: { n: 1, m: 'x' } })).toBe(
        sut({ data: { m: 'x', n: 1 }, purpose: 'ORDER', to: 'a@example.com' }),
      );
      expect(sut({ to: 'a@example.com', purpose: 'ORDER' })).not.toBe(sut({ to: 'a@example.com', purpose: 'PAYMENT' }));
      expect(sut({ data: { n: 1 } })).not.toBe(sut({ data: { n: '1' } }));
    });
  });

  it('accepts printable ASCII idempotency keys only', () => {
    expect(IDEMPOTENCY_KEY.test('0b6c1e9e-0a0a-4c5e-9f1e-1f2a3b4c5d6e')).toBe(true);
    expect(IDEMPOTENCY_KEY.test('a b')).toBe(false);
    expect(IDEMPOTENCY_KEY.test('x\r\ny')).toBe(false);
    expect(IDEMPOTENCY_KEY.test('')).toBe(false);
    expect(IDEMPOTENCY_KEY.test('k'.repeat(256))).toBe(false);
  });

  it('builds a deterministic Message-ID on the brand domain', () => {
    expect(transactionalMessageId('3f0e', 'bildirim@Alfa.com.tr')).toBe('<m3f0e@alfa.com.tr>');
  });

  describe(messageHeaders.name, () => {
    it('gives transactional mail no unsubscribe headers and its own Feedback-ID kind', () => {
      const sut = messageHeaders({
        kind: 'TRANSACTIONAL',
        brandCode: '100001',
        senderId: '700001',
        unsubscribeUrl: null,
      });
      expect(sut).toEqual({ 'Feedback-ID': 'api:100001:transactional:700001' });
    });
    it('gives commercial mail the one-click unsubscribe pair', () => {
      const sut = messageHeaders({
        kind: 'COMMERCIAL',
        brandCode: '100001',
        senderId: '700001',
        unsubscribeUrl: 'https://x.test/u/t',
      });
      expect(sut).toEqual({
        'Feedback-ID': 'api:100001:commercial:700001',
        'List-Unsubscribe': '<https://x.test/u/t>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      });
    });
    it('refuses commercial mail without an unsubscribe URL', () => {
      expect(() => messageHeaders({ kind: 'COMMERCIAL', brandCode: '1', senderId: '1', unsubscribeUrl: null })).toThrow(
        /unsubscribe/,
      );
    });
  });

  it('backs off exponentially, capped at six hours', () => {
    expect([1, 2, 3].map((a) => retryDelayMs(1000, a))).toEqual([1000, 2000, 4000]);
    expect(retryDelayMs(60_000, 30)).toBe(6 * 3600_000);
  });
});
