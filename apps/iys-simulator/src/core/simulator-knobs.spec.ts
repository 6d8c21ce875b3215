import { KnobsValidationError, defaultKnobs, mergeKnobs } from './simulator-knobs';

describe('simulator-knobs', () => {
  it('has the defaults iys-api.md asks for', () => {
    const sut = defaultKnobs();
    expect(sut.rateLimits).toEqual({
      enabled: true,
      perSecond: 10,
      tokenPerHour: 10,
      statusPerHour: 1000,
      historyPerHour: 100,
    });
    expect(sut.pullLagMinutes).toBe(60);
    expect(sut.allowRepeatedOnay).toBe(true);
    expect(sut.holidays).toContain('2026-10-29');
  });

  it('merges a partial rateLimits patch without touching the other limits', () => {
    const sut = mergeKnobs(defaultKnobs(), { rateLimits: { tokenPerHour: 100 }, pullLagMinutes: 0 });
    expect(sut.rateLimits.tokenPerHour).toBe(100);
    expect(sut.rateLimits.perSecond).toBe(10);
    expect(sut.pullLagMinutes).toBe(0);
  });

  it('switches one limit off with null', () => {
    expect(mergeKnobs(defaultKnobs(), { rateLimits: { perSecond: null } }).rateLimits.perSecond).toBeNull();
  });

  it('refuses unknown names and wrong types as a whole', () => {
    const base = defaultKnobs();
    expect(() => mergeKnobs(base, { pullLagMinute: 5, batchDelaySeconds: -1, holidays: ['2026-02-30'] })).toThrow(
      KnobsValidationError,
    );
    try {
      mergeKnobs(base, { pullLagMinute: 5, unknownStatusAnswer: 'MAYBE' });
    } catch (error) {
      expect((error as KnobsValidationError).problems).toEqual([
        'pullLagMinute is not a knob',
        'unknownStatusAnswer must be NOT_FOUND, EMPTY or NO_CONTENT',
      ]);
    }
    expect(base.pullLagMinutes).toBe(60);
  });
});
