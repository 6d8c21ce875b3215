import { createHmac } from 'crypto';
import { generateWebhookSecret, signWebhook, verifyWebhookSignature } from './webhook-signature';

describe(signWebhook.name, () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1","type":"consent.changed","brandCode":"100001","movement":{"status":"RET"}}';
  const t = 1_764_330_000;

  it('signs "<t>.<body>" with HMAC-SHA256 in hex, as design.md specifies', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies its own signature within the tolerance, and nothing else', () => {
    const header = signWebhook(secret, body, t);
    expect(verifyWebhookSignature(secret, header, body, t + 299)).toEqual({ ok: true, timestamp: t });
    expect(verifyWebhookSignature(secret, header, body, t + 301)).toEqual({
      ok: false,
      reason: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    expect(verifyWebhookSignature(secret, header, body.replace('RET', 'ONAY'), t)).toEqual({
      ok: false,
      reason: 'SIGNATURE_MISMATCH',
    });
    expect(verifyWebhookSignature('whsec_other', header, body, t)).toEqual({ ok: false, reason: 'SIGNATURE_MISMATCH' });
    expect(verifyWebhookSignature(secret, header.replace(`t=${t}`, `t=${t + 1}`), body, t)).toEqual({
      ok: false,
      reason: 'SIGNATURE_MISMATCH',
    });
    expect(verifyWebhookSignature(secret, 'v1=abc', body, t)).toEqual({ ok: false, reason: 'MALFORMED' });
    expect(verifyWebhookSignature(secret, undefined, body, t)).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('accepts any one of several v1 signatures (while a secret is replaced)', () => {
    const header = `${signWebhook('whsec_old', body, t)},v1=${signWebhook(secret, body, t).split('v1=')[1]}`;
    expect(verifyWebhookSignature(secret, header, body, t).ok).toBe(true);
  });

  it('makes secrets that say what they are and do not repeat', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});
