import {
  BLOCK_REASONS,
  CHANNELS,
  COMMERCIAL_PURPOSES,
  CONSENT_SOURCES,
  HS_SOURCES,
  IYS_SOURCES,
  PURPOSES,
  TRANSACTIONAL_PURPOSES,
  channelToIysType,
  isHsSource,
  isIysSideSource,
  isIysSource,
  isIysType,
  isPurpose,
  purposeKind,
} from './index';

describe('domain enums', () => {
  it('names every purpose of compliance.md §1 exactly once, each in one group', () => {
    expect([...PURPOSES].sort()).toEqual(
      [
        'PROMOTION',
        'BRAND_AWARENESS',
        'GREETING',
        'SURVEY',
        'NEWSLETTER',
        'SUBSCRIPTION',
        'PAYMENT',
        'DEBT_REMINDER',
        'INFO_UPDATE',
        'ORDER',
        'DELIVERY',
        'SERVICE_NOTICE',
        'LEGAL_NOTICE',
        'SECURITY',
      ].sort(),
    );
    const overlap = COMMERCIAL_PURPOSES.filter((p) => (TRANSACTIONAL_PURPOSES as readonly string[]).includes(p));
    expect(overlap).toEqual([]);
  });

  it('keeps HS_* and IYS_* sources apart and complete', () => {
    expect(HS_SOURCES).toHaveLength(13);
    expect(IYS_SOURCES).toHaveLength(9);
    expect(HS_SOURCES.every((s) => s.startsWith('HS_'))).toBe(true);
    expect(IYS_SOURCES.every((s) => s.startsWith('IYS_'))).toBe(true);
    expect(new Set(CONSENT_SOURCES).size).toBe(22);
  });

  it.each([
    ['HS_WEB', true, false, false],
    ['IYS_MOBIL', false, true, true],
    ['IYS_3338', false, false, true],
    ['HS_UNKNOWN', false, false, false],
    ['iys_web', false, false, false],
  ])('recognises source %s', (value, hs, iys, iysSide) => {
    expect(isHsSource(value)).toBe(hs);
    expect(isIysSource(value)).toBe(iys);
    expect(isIysSideSource(value)).toBe(iysSide);
  });

  it('maps each channel to its İYS type, and PUSH to none', () => {
    expect(CHANNELS.map((c) => channelToIysType(c))).toEqual(['EPOSTA', 'MESAJ', 'ARAMA', null]);
  });

  it('gives the starting kind of a purpose', () => {
    expect(purposeKind('GREETING')).toBe('COMMERCIAL');
    expect(purposeKind('SECURITY')).toBe('TRANSACTIONAL');
  });

  it('guards untrusted values', () => {
    expect(isIysType('EPOSTA')).toBe(true);
    expect(isIysType('EMAIL')).toBe(false);
    expect(isPurpose('ORDER')).toBe(true);
    expect(isPurpose('order')).toBe(false);
    expect(isPurpose(undefined)).toBe(false);
    expect(BLOCK_REASONS).toEqual(['NO_CONSENT', 'REFUSED', 'NOT_REGISTERED', 'SUPPRESSED']);
  });
});
