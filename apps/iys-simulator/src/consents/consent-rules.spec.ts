import {
  type ConsentCommand,
  checkConsentDates,
  checkTransition,
  validateBatchShape,
  validateConsentShape,
} from './consent-rules';
import { parseTurkeyDateTime } from '../core/turkey-time';

const at = (s: string) => (parseTurkeyDateTime(s) as { ok: true; ms: number }).ms;
const NOW = at('2026-11-27 12:00:00'); // a Friday

const consentFactory = {
  body: (overrides: Record<string, unknown> = {}) => ({
    recipient: '+905321112233',
    type: 'MESAJ',
    source: 'HS_WEB',
    status: 'ONAY',
    consentDate: '2026-11-27 10:00:00',
    ...overrides,
  }),
  command: (overrides: Partial<ConsentCommand> = {}): ConsentCommand => ({
    recipient: '+905321112233',
    type: 'MESAJ',
    status: 'ONAY',
    recipientType: 'BIREYSEL',
    source: 'HS_WEB',
    consentDate: '2026-11-27 10:00:00',
    consentMs: at('2026-11-27 10:00:00'),
    ...overrides,
  }),
};
const dateOptions = { enforceThreeBusinessDays: true, threeBusinessDaysFromMs: null, holidays: new Set<string>() };
const transitions = { allowRepeatedOnay: true, allowEqualConsentDate: true };
const codes = (r: { ok: boolean; errors?: { code: string }[] }) => (r.ok ? [] : r.errors!.map((e) => e.code));

describe('validateConsentShape', () => {
  it('accepts a complete consent, defaulting recipientType and lower-casing e-mails', () => {
    const sut = validateConsentShape(consentFactory.body({ type: 'EPOSTA', recipient: 'Ornek@Adiniz.com' }));
    expect(sut).toEqual({
      ok: true,
      command: expect.objectContaining({ recipient: 'ornek@adiniz.com', recipientType: 'BIREYSEL' }),
    });
  });

  it('lists every schema error together, 422', () => {
    const sut = validateConsentShape({
      recipient: 'x',
      type: 'SMS',
      status: 'EVET',
      source: 'IYS_WEB',
      consentDate: '2025/01/01',
      extra: 1,
    });
    expect(sut.ok).toBe(false);
    expect(sut.ok ? 0 : sut.status).toBe(422);
    expect(codes(sut).sort()).toEqual(['H115', 'H117', 'H118', 'H119', 'H122', 'H158']);
  });

  it('reports missing required fields with their own codes', () => {
    expect(codes(validateConsentShape({})).sort()).toEqual(['H110', 'H111', 'H112', 'H113', 'H114']);
  });

  it('lets a TACIR first insert leave out source and consentDate', () => {
    const sut = validateConsentShape({
      recipient: '+905321112233',
      type: 'MESAJ',
      status: 'ONAY',
      recipientType: 'TACIR',
    });
    expect(sut.ok && sut.command.source === null && sut.command.consentDate === null).toBe(true);
  });

  it('answers empty optional fields with 400 H267 (rule 21)', () => {
    const sut = validateConsentShape(consentFactory.body({ retailerCode: '' }));
    expect(sut.ok ? 0 : sut.status).toBe(400);
    expect(codes(sut)).toEqual(['H267']);
  });

  it('refuses HS_KARAR with ONAY (rule 14, H408) and an empty retailer list (H163)', () => {
    expect(codes(validateConsentShape(consentFactory.body({ source: 'HS_KARAR' })))).toEqual(['H408']);
    expect(codes(validateConsentShape(consentFactory.body({ retailerAccess: [] })))).toEqual(['H163']);
  });
});

describe('checkConsentDates', () => {
  it('accepts a consent obtained today', () => {
    expect(checkConsentDates(consentFactory.command(), NOW, dateOptions)).toEqual([]);
  });

  it('applies H156, H155, H162 and H467', () => {
    const old = consentFactory.command({ consentDate: '2015-04-30 23:59:59', consentMs: at('2015-04-30 23:59:59') });
    expect(checkConsentDates(old, NOW, dateOptions).map((e) => e.code)).toEqual(['H156']);
    const wrong2015 = consentFactory.command({
      source: 'HS_2015',
      consentDate: '2015-05-02 00:00:00',
      consentMs: at('2015-05-02 00:00:00'),
    });
    expect(checkConsentDates(wrong2015, NOW, dateOptions).map((e) => e.code)).toEqual(['H155']);
    const future = consentFactory.command({ consentDate: '2026-11-27 12:00:01', consentMs: at('2026-11-27 12:00:01') });
    expect(checkConsentDates(future, NOW, dateOptions).map((e) => e.code)).toEqual(['H162']);
    const late = consentFactory.command({ consentDate: '2026-11-21 12:00:00', consentMs: at('2026-11-21 12:00:00') });
    expect(checkConsentDates(late, NOW, dateOptions).map((e) => e.code)).toEqual(['H467']);
  });

  it('exempts HS_2015 and honours the enforcement knobs', () => {
    const hs2015 = consentFactory.command({
      source: 'HS_2015',
      consentDate: '2015-05-01 00:00:00',
      consentMs: at('2015-05-01 00:00:00'),
    });
    expect(checkConsentDates(hs2015, NOW, dateOptions)).toEqual([]);
    const late = consentFactory.command({ consentDate: '2026-11-21 12:00:00', consentMs: at('2026-11-21 12:00:00') });
    expect(checkConsentDates(late, NOW, { ...dateOptions, enforceThreeBusinessDays: false })).toEqual([]);
    expect(checkConsentDates(late, NOW, { ...dateOptions, threeBusinessDaysFromMs: NOW + 1 })).toEqual([]);
  });
});

describe('checkTransition', () => {
  const onay = { status: 'ONAY' as const, consentMs: at('2026-11-27 10:00:00') };
  const ret = { status: 'RET' as const, consentMs: at('2026-11-27 10:00:00') };

  it('refuses a first RET (rule 10, H175)', () => {
    expect(checkTransition(undefined, consentFactory.command({ status: 'RET' }), transitions)?.code).toBe('H175');
  });

  it('refuses an older consentDate (rule 11, H178) and an equal one only when the knob says so', () => {
    const older = consentFactory.command({
      status: 'RET',
      consentDate: '2026-11-27 09:00:00',
      consentMs: at('2026-11-27 09:00:00'),
    });
    expect(checkTransition(onay, older, transitions)?.code).toBe('H178');
    const equal = consentFactory.command({ status: 'RET' });
    expect(checkTransition(onay, equal, transitions)).toBeNull();
    expect(checkTransition(onay, equal, { ...transitions, allowEqualConsentDate: false })?.code).toBe('H178');
  });

  it('refuses RET on RET (rule 12) and ONAY on ONAY only when the knob says so (rule 13)', () => {
    const later = { consentDate: '2026-11-27 11:00:00', consentMs: at('2026-11-27 11:00:00') };
    const sut = checkTransition(ret, consentFactory.command({ status: 'RET', ...later }), transitions);
    expect(sut).toEqual(
      expect.objectContaining({ code: 'H174', message: expect.stringContaining('İzin durumu: RET') }),
    );
    expect(checkTransition(onay, consentFactory.command(later), transitions)).toBeNull();
    expect(
      checkTransition(onay, consentFactory.command(later), { ...transitions, allowRepeatedOnay: false })?.code,
    ).toBe('H174');
  });

  it('requires consentDate and source on a TACIR update (rule 15)', () => {
    const tacir = { status: 'ONAY' as const, consentMs: null };
    expect(
      checkTransition(
        tacir,
        consentFactory.command({ recipientType: 'TACIR', consentDate: null, consentMs: null }),
        transitions,
      )?.code,
    ).toBe('H462');
    expect(
      checkTransition(tacir, consentFactory.command({ recipientType: 'TACIR', source: null }), transitions)?.code,
    ).toBe('H463');
  });
});

describe('validateBatchShape', () => {
  it('refuses more than 1000 items and empty lists', () => {
    expect(
      codes(
        validateBatchShape(
          Array.from({ length: 1001 }, () => ({})),
          'H091',
        ),
      ),
    ).toEqual(['H091']);
    expect(codes(validateBatchShape([], 'H125'))).toEqual(['H092']);
  });

  it('refuses a repeated (recipientType, type, recipient) with its index (H194)', () => {
    const sut = validateBatchShape([consentFactory.body(), consentFactory.body({ status: 'RET' })], 'H091');
    expect(sut.ok ? [] : sut.errors).toEqual([expect.objectContaining({ code: 'H194', index: 1 })]);
  });

  it('reports item errors with their index', () => {
    const sut = validateBatchShape(
      [consentFactory.body(), consentFactory.body({ recipient: '+905321112234', source: undefined })],
      'H091',
    );
    expect(sut.ok ? [] : sut.errors).toEqual([
      expect.objectContaining({ code: 'H113', index: 1, location: ['source'] }),
    ]);
  });
});
