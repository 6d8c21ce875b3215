import { SIGNAL_RULES } from './signal-rules';
import { foldForMatching } from './text-normalizer';

describe('SIGNAL_RULES', () => {
  it('has unique ids, prefixed by their category', () => {
    const ids = SIGNAL_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of SIGNAL_RULES) {
      const prefix = { PROMOTIONAL: 'promo.', TRANSACTIONAL: 'txn.', NEUTRAL: 'neutral.' }[rule.category];
      expect(rule.id.startsWith(prefix)).toBe(true);
    }
  });

  it('weighs only transactional rules', () => {
    for (const rule of SIGNAL_RULES) {
      const expected = rule.category === 'TRANSACTIONAL' ? [1, 2] : rule.category === 'PROMOTIONAL' ? [1] : [0];
      expect(expected).toContain(rule.weight);
    }
  });

  it('matches its own example, once folded, for every rule', () => {
    const misses = SIGNAL_RULES.filter((rule) => !new RegExp(rule.pattern.source).test(foldForMatching(rule.example)));
    expect(misses.map((rule) => rule.id)).toEqual([]);
  });

  it('explains every neutral rule', () => {
    expect(SIGNAL_RULES.filter((rule) => rule.category === 'NEUTRAL' && !rule.note)).toEqual([]);
  });

  it('uses no flags: folding already lower-cases, and the classifier adds the global flag', () => {
    expect(SIGNAL_RULES.filter((rule) => rule.pattern.flags !== '').map((rule) => rule.id)).toEqual([]);
  });
});
