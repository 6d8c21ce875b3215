import { HtmlScanOptions, scanHtml } from './html-scanner';

type Token = string;

/** The scan as a list: "text:…", "<name>", "</name>", "<name alt=…>" for a requested attribute, "~" for skipped. */
function tokens(html: string, options: Partial<HtmlScanOptions> = {}, attribute?: string): Token[] {
  const out: Token[] = [];
  scanHtml(
    html,
    {
      text: (raw) => out.push(`text:${raw}`),
      tag: (tag) => {
        const value = attribute ? tag.attribute(attribute) : undefined;
        out.push(`<${tag.closing ? '/' : ''}${tag.name}${value !== undefined ? ` ${attribute}=${value}` : ''}>`);
      },
      skipped: () => out.push('~'),
    },
    { hidden: new Set(['script', 'style']), unclosedHidden: 'drop', ...options },
  );
  return out;
}

describe(scanHtml.name, () => {
  it('reads text and tags, lower-casing names', () => {
    expect(tokens('a<B>b</B >c<br/>')).toEqual(['text:a', '<b>', 'text:b', '</b>', 'text:c', '<br>']);
  });

  it("keeps a '>' inside a quoted attribute value inside the tag, and decodes attribute values", () => {
    expect(tokens(`<img title="a>b" alt='x &amp; y' src=z>t`, {}, 'alt')).toEqual(['<img alt=x & y>', 'text:t']);
    expect(tokens('<a href=/x title="q">', {}, 'href')).toEqual(['<a href=/x>']);
    expect(tokens("<p don't alt=1 alt=2>", {}, 'alt')).toEqual(['<p alt=1>']);
  });

  it("treats a '<' that cannot open a tag as text, and drops a tag the document ends inside", () => {
    expect(tokens('a < b <3 <')).toEqual(['text:a ', 'text:<', 'text: b ', 'text:<', 'text:3 ', 'text:<']);
    expect(tokens('ok <a href="x>')).toEqual(['text:ok ']);
  });

  it('skips comments and bogus comments', () => {
    expect(tokens('<!DOCTYPE html><?xml x?>a<!-- <b> -->b</ x>c<!-- open')).toEqual([
      'text:a',
      '~',
      'text:b',
      'text:c',
      '~',
    ]);
  });

  it('skips hidden elements up to their end tag, whatever its case; without one, drops or keeps the rest', () => {
    expect(tokens('a<script>if (a</b) x = "<p>";</SCRIPT >b')).toEqual(['text:a', '~', 'text:b']);
    expect(tokens('a<style>p{}</styles></style>b')).toEqual(['text:a', '~', 'text:b']);
    expect(tokens('a<script>x<b>y')).toEqual(['text:a', '~']);
    expect(tokens('a<script>x<b>y', { unclosedHidden: 'keep' })).toEqual([
      'text:a',
      '<script>',
      'text:x',
      '<b>',
      'text:y',
    ]);
  });

  describe('is linear: the characters it steps over stay within a small multiple of the input', () => {
    const shapes: [string, (n: number) => string][] = [
      ["'<a ' repeated", (n) => '<a '.repeat(n / 3)],
      ["'<!--' repeated", (n) => '<!--'.repeat(n / 4)],
      ["'<' and 'a=' repeated", (n) => '<' + 'a='.repeat(n / 2)],
      ['one tag with many attributes', (n) => '<img ' + 'alt=x '.repeat(n / 6) + '>'],
      ['unterminated quoted values', (n) => '<a x="'.repeat(n / 6)],
      ["quoted values full of '>'", (n) => '<p title="' + '>'.repeat(n / 2) + '">x</p>'.repeat(n / 16)],
      ['unclosed hidden elements', (n) => '<script>'.repeat(n / 8)],
      ['hidden elements with near-miss end tags', (n) => '<script>' + '</scrip'.repeat(n / 7)],
      ["'</' repeated", (n) => '</'.repeat(n / 2)],
      ['tags and text', (n) => '<p class="a">x</p>'.repeat(n / 18)],
      ['nested links', (n) => '<a href="https://e.example/x">w'.repeat(n / 40) + '</a>'.repeat(n / 40)],
    ];
    const steps = (html: string, unclosedHidden: 'drop' | 'keep') =>
      scanHtml(html, { text: () => undefined, tag: () => undefined }, { hidden: new Set(['script']), unclosedHidden });

    it.each(shapes)('%s', (_name, shape) => {
      for (const unclosedHidden of ['drop', 'keep'] as const) {
        const small = shape(24_000);
        const large = shape(96_000);
        const a = steps(small, unclosedHidden);
        const b = steps(large, unclosedHidden);
        // A quadratic pass over 96,000 characters takes billions of steps; a linear one a few hundred thousand.
        expect(a).toBeLessThanOrEqual(3 * small.length + 10);
        expect(b).toBeLessThanOrEqual(3 * large.length + 10);
        expect(b / Math.max(a, 1)).toBeLessThan(4.5);
      }
    });
  });
});
