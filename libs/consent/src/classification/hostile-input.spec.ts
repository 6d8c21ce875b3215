import { performance } from 'perf_hooks';
import { classifyMessage } from './message-classifier';
import { SIGNAL_RULES } from './signal-rules';
import { htmlToText, prepareText } from './text-normalizer';

/**
 * Every pass the classifier makes over a message must be linear: these inputs once took seconds to minutes
 * (quadratic backtracking in the HTML stripping, the address pattern and the percent rules). The bounds are
 * absolute and generous, 50 ms per 100 KB on a slow shared machine; a quadratic pass misses them by orders
 * of magnitude.
 */
const MS_PER_100_KB = 50;

function expectFast(input: string, pass: () => unknown, passes = 1): void {
  pass(); // compiled and warmed up once: the bound is on the work, not on the JIT
  const t0 = performance.now();
  pass();
  const ms = performance.now() - t0;
  expect(ms).toBeLessThan(passes * MS_PER_100_KB * Math.max(1, input.length / 100_000) + 20);
}

const HOSTILE_HTML: [string, string][] = [
  ["'<a ' repeated", '<a '.repeat(160_000)],
  ["'<!--' repeated", '<!--'.repeat(120_000)],
  ["'<' and 'a=' repeated", '<' + 'a='.repeat(240_000)],
  ['an unclosed <script> after many tags', '<b>x</b>'.repeat(30_000) + '<script>' + '<x'.repeat(50_000)],
  ['table cells', '<td>'.repeat(120_000)],
  ['unicode spaces and separators', '\u2003|'.repeat(120_000) + 'x'],
];

const HOSTILE_TEXT: [string, string][] = [
  ['word characters with no @ (address pattern)', 'a.'.repeat(100_000)],
  ['a percent sign and digits (percent rules)', '%' + '1'.repeat(200_000)],
  ['percent signs and digits', '% 1'.repeat(60_000)],
  ['digits and spaces', '1 '.repeat(100_000)],
  ['a link and word characters', 'https://' + 'x'.repeat(200_000)],
  ['at signs', 'a@b-'.repeat(50_000)],
  ['words and spaces', 'ab '.repeat(70_000)],
];

describe('the classifier on hostile input', () => {
  it.each(HOSTILE_HTML)('reduces HTML to text in linear time: %s', (_name, html) => {
    expectFast(html, () => htmlToText(html));
  });

  it.each(HOSTILE_TEXT)('folds text in linear time: %s', (_name, text) => {
    expectFast(text, () => prepareText(text));
  });

  it.each(HOSTILE_TEXT)('runs every signal rule in linear time: %s', (_name, text) => {
    const folded = prepareText(text).folded;
    const patterns = SIGNAL_RULES.map((rule) => new RegExp(rule.pattern.source, 'g'));
    expectFast(
      folded,
      () => {
        for (const pattern of patterns) {
          pattern.lastIndex = 0;
          for (let m = pattern.exec(folded); m !== null; m = pattern.exec(folded)) {
            if (m[0].length === 0) pattern.lastIndex++;
          }
        }
      },
      // Sixty rules, each a scan of its own.
      SIGNAL_RULES.length / 4,
    );
  });

  it('classifies a message of hostile HTML and text as a whole', () => {
    const html = HOSTILE_HTML[0]![1];
    const text = HOSTILE_TEXT[1]![1];
    expectFast(html + text, () => classifyMessage({ channel: 'EMAIL', html, text }), 3);
    expect(classifyMessage({ channel: 'EMAIL', html, text }).kind).toBe('COMMERCIAL');
  });

  it('still finds addresses and percentages the rewritten patterns must match', () => {
    expect(prepareText('Yazın: destek.ekibi+tr@ornek.com.tr bugün').folded).toBe('yazin: bugun');
    expect(prepareText('x.y@z.example').folded).toBe('');
    const analysis = classifyMessage({
      channel: 'EMAIL',
      text: "Paketinizin %80'ini kullandınız. Fiyat %20 KDV dahil.",
    });
    expect(analysis.signals).toEqual(expect.arrayContaining(['neutral.usage-percent', 'neutral.tax-or-rate']));
  });
});
