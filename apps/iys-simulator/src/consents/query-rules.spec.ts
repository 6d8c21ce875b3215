import { validateKeyQuery, validateMultiStatus, validatePage } from './query-rules';

const codes = (r: { ok: boolean; errors?: { code: string }[] }) => (r.ok ? [] : r.errors!.map((e) => e.code));

describe('query-rules', () => {
  it('requires recipientType in a status query (H170)', () => {
    expect(codes(validateKeyQuery({ recipient: '+905321112233', type: 'MESAJ' }))).toEqual(['H170']);
    expect(validateKeyQuery({ recipient: 'A@B.com.tr', type: 'EPOSTA', recipientType: 'BIREYSEL' })).toEqual({
      ok: true,
      value: { recipient: 'a@b.com.tr', type: 'EPOSTA', recipientType: 'BIREYSEL' },
    });
  });

  it('checks the multi-status list (H168, H478, H164, H464, H193)', () => {
    expect(codes(validateMultiStatus({}, 'MESAJ'))).toEqual(['H168']);
    expect(codes(validateMultiStatus({ recipients: 'x' }, 'MESAJ'))).toEqual(['H478']);
    expect(codes(validateMultiStatus({ recipients: [] }, 'MESAJ'))).toEqual(['H164']);
    const sut = validateMultiStatus({ recipients: ['a@b.com', 'A@B.com', '+905321112233'] }, 'EPOSTA');
    expect(sut.ok ? [] : sut.errors).toEqual([
      expect.objectContaining({ code: 'H193', location: ['recipients', 1] }),
      expect.objectContaining({ code: 'H464', location: ['recipients', 2] }),
    ]);
  });

  it('pages with offset and limit (H182, H183, H186, H187)', () => {
    expect(validatePage(undefined, undefined)).toEqual({ ok: true, value: { offset: 0, limit: 100 } });
    expect(codes(validatePage('-1', '0'))).toEqual(['H182', 'H187']);
    expect(codes(validatePage('0', '101'))).toEqual(['H186']);
    expect(codes(validatePage('0', '-5'))).toEqual(['H183']);
  });
});
