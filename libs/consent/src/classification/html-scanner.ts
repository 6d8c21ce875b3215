/**
 * One pass over an HTML document, for everything that reads the words of a message: the classifier's text and the
 * plain-text part of a mail. A hand-written scanner rather than regular expressions, so that its cost is linear in
 * the input whatever the markup: every character is looked at a bounded number of times, and hostile shapes
 * ('<a ' or '<!--' repeated, thousands of attributes, quoted values full of '>', unclosed <script>) cannot make it
 * backtrack. It follows the HTML tokenizer where that matters for the visible text: comments, bogus comments
 * (<!DOCTYPE>, <?xml?>, </ x>), quoted attribute values that hide '>', end tags of elements whose content is never
 * shown, and a '<' that cannot open a tag is text.
 */

export interface HtmlTag {
  /** The element name, lower-cased. */
  readonly name: string;
  readonly closing: boolean;
  /** The value of an attribute (lower-case name), entities decoded; undefined when the tag has none. */
  attribute(name: string): string | undefined;
}

export interface HtmlScanHandler {
  /** Text between tags as written: entities not yet decoded. Never empty. */
  text(raw: string): void;
  tag(tag: HtmlTag): void;
  /** A comment, or the content of a hidden element, was skipped here. */
  skipped?(): void;
}

export interface HtmlScanOptions {
  /** Elements whose content a reader never sees (script, style, head…), skipped up to their end tag. */
  readonly hidden: ReadonlySet<string>;
  /**
   * A hidden element with no end tag: 'drop' the rest of the document (a browser runs a <script> to the end), or
   * 'keep' reading what follows as markup (nothing of it is hidden unless proved hidden).
   */
  readonly unclosedHidden: 'drop' | 'keep';
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '',
  percnt: '%',
  euro: '€',
  pound: '£',
  deg: '°',
  times: '×',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  laquo: '«',
  raquo: '»',
  ndash: '–',
  mdash: '—',
  middot: '·',
  bull: '•',
  copy: '©',
  reg: '®',
  trade: '™',
  ccedil: 'ç',
  Ccedil: 'Ç',
  ouml: 'ö',
  Ouml: 'Ö',
  uuml: 'ü',
  Uuml: 'Ü',
  scedil: 'ş',
  Scedil: 'Ş',
  gbreve: 'ğ',
  Gbreve: 'Ğ',
  inodot: 'ı',
  imath: 'ı',
  Idot: 'İ',
  acirc: 'â',
  icirc: 'î',
  ucirc: 'û',
  eacute: 'é',
};

// Linear: every match starts at '&' and each alternative is a single run of one character class, so a failed
// attempt costs the length of that run and the next attempts start at characters that are not '&'.
const ENTITY = /&(#x[0-9a-f]+|#\d+|[a-z]+);/gi;

/**
 * Decodes named and numeric character references. A numeric one that names no character (NUL, a surrogate,
 * beyond U+10FFFF) is kept as written, or with `invalid: 'replace'` becomes U+FFFD as a browser shows it.
 */
export function decodeHtmlEntities(text: string, invalid: 'keep' | 'replace' = 'keep'): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (entity, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)) return String.fromCodePoint(code);
      return invalid === 'replace' ? '\ufffd' : entity;
    }
    return NAMED_ENTITIES[body] ?? entity;
  });
}

const TAB = 9;
const LINE_FEED = 10;
const FORM_FEED = 12;
const RETURN = 13;
const SPACE = 32;
const BANG = 33;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const SLASH = 47;
const EQUALS = 61;
const GREATER = 62;
const QUESTION = 63;

const isSpace = (c: number) => c === SPACE || c === LINE_FEED || c === TAB || c === RETURN || c === FORM_FEED;
const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * Reads the attributes of a tag from `from` (just after its name) to its '>'. Returns the index after the '>', or
 * -1 when the document ends inside the tag; fills `sink` with [name, raw value] pairs when one is given. `count`
 * receives the number of characters it stepped over.
 */
function readAttributes(
  html: string,
  from: number,
  sink: [string, string][] | null,
  count: (steps: number) => void,
): number {
  const length = html.length;
  let p = from;
  for (;;) {
    while (p < length && (isSpace(html.charCodeAt(p)) || html.charCodeAt(p) === SLASH)) p++;
    if (p >= length) return finish(-1);
    if (html.charCodeAt(p) === GREATER) return finish(p + 1);
    const nameStart = p;
    // The first character may be '=' (a parse error a browser reads as part of the name).
    p++;
    while (p < length) {
      const c = html.charCodeAt(p);
      if (isSpace(c) || c === SLASH || c === GREATER || c === EQUALS) break;
      p++;
    }
    const nameEnd = p;
    let q = p;
    while (q < length && isSpace(html.charCodeAt(q))) q++;
    let value = '';
    if (q < length && html.charCodeAt(q) === EQUALS) {
      q++;
      while (q < length && isSpace(html.charCodeAt(q))) q++;
      if (q >= length) return finish(-1);
      const quote = html.charCodeAt(q);
      if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
        const close = html.indexOf(quote === DOUBLE_QUOTE ? '"' : "'", q + 1);
        if (close === -1) return finish(-1);
        if (sink) value = html.slice(q + 1, close);
        p = close + 1;
      } else {
        const valueStart = q;
        while (q < length && !isSpace(html.charCodeAt(q)) && html.charCodeAt(q) !== GREATER) q++;
        if (sink) value = html.slice(valueStart, q);
        p = q;
      }
    }
    sink?.push([html.slice(nameStart, nameEnd).toLowerCase(), value]);
  }

  function finish(end: number): number {
    // Every step above moves forward: the characters passed are the distance covered.
    count((end === -1 ? length : end) - from);
    return end;
  }
}

class ScannedTag implements HtmlTag {
  private attributes: [string, string][] | null = null;

  constructor(
    readonly name: string,
    readonly closing: boolean,
    private readonly html: string,
    private readonly attributesFrom: number,
  ) {}

  attribute(name: string): string | undefined {
    // Read on demand: most tags are never asked (a document of one tag with 80,000 attributes allocates nothing).
    if (this.attributes === null) {
      this.attributes = [];
      readAttributes(this.html, this.attributesFrom, this.attributes, () => undefined);
    }
    // The first occurrence wins, as in a browser.
    const found = this.attributes.find(([n]) => n === name);
    return found ? decodeHtmlEntities(found[1]) : undefined;
  }
}

/**
 * Scans `html`, calling the handler for each run of text and each tag in order. Returns the number of character
 * steps it took (every character visited by the scanner or by a search it started), which is at most a small
 * multiple of the input's length: tests hold it to that.
 */
export function scanHtml(html: string, handler: HtmlScanHandler, options: HtmlScanOptions): number {
  const length = html.length;
  let steps = 0;
  // Hidden elements proved to have no end tag after some point have none after any later point either.
  const unclosed = new Set<string>();
  let i = 0;

  /** indexOf that counts the characters it passes. */
  const find = (haystack: string, needle: string, from: number): number => {
    const at = haystack.indexOf(needle, from);
    steps += (at === -1 ? length : at) - from + 1;
    return at;
  };
  const count = (n: number) => {
    steps += n;
  };

  /** Where the content of hidden element `name` ends (after its end tag), or -1 when it has none. */
  const afterEndTag = (name: string, from: number): number => {
    if (unclosed.has(name)) return -1;
    let p = from;
    for (;;) {
      // Compared without a lower-cased copy of the document: lower-casing can change its length ('İ').
      const at = find(html, '</', p);
      if (at === -1) {
        unclosed.add(name);
        return -1;
      }
      const after = at + 2 + name.length;
      const c = after < length ? html.charCodeAt(after) : GREATER;
      if ((isSpace(c) || c === SLASH || c === GREATER) && html.slice(at + 2, after).toLowerCase() === name) {
        const end = readAttributes(html, after, null, count);
        return end === -1 ? length : end;
      }
      p = at + 2;
    }
  };

  while (i < length) {
    const lt = find(html, '<', i);
    const textEnd = lt === -1 ? length : lt;
    if (textEnd > i) handler.text(html.slice(i, textEnd));
    if (lt === -1) break;
    const next = lt + 1 < length ? html.charCodeAt(lt + 1) : -1;

    if (next === BANG && html.startsWith('<!--', lt)) {
      const close = find(html, '-->', lt + 4);
      handler.skipped?.();
      i = close === -1 ? length : close + 3;
      continue;
    }
    const closing = next === SLASH;
    const nameAt = closing ? lt + 2 : lt + 1;
    const first = nameAt < length ? html.charCodeAt(nameAt) : -1;
    if (!isAsciiLetter(first)) {
      if (next === BANG || next === QUESTION || closing) {
        // <!DOCTYPE …>, <?xml …?>, </ x>: a bogus comment up to the next '>'.
        const close = find(html, '>', lt + 1);
        i = close === -1 ? length : close + 1;
        continue;
      }
      // A '<' that cannot open a tag ("a < b") is text, as a browser shows it.
      handler.text('<');
      i = lt + 1;
      continue;
    }
    let p = nameAt + 1;
    while (p < length) {
      const c = html.charCodeAt(p);
      if (isSpace(c) || c === SLASH || c === GREATER) break;
      p++;
    }
    steps += p - nameAt;
    const name = html.slice(nameAt, p).toLowerCase();
    const end = readAttributes(html, p, null, count);
    // A tag left open at the end of the document is dropped, as a browser drops it.
    if (end === -1) break;
    i = end;

    if (!closing && options.hidden.has(name)) {
      const contentEnd = afterEndTag(name, i);
      if (contentEnd !== -1) {
        handler.skipped?.();
        i = contentEnd;
        continue;
      }
      if (options.unclosedHidden === 'drop') {
        handler.skipped?.();
        break;
      }
    }
    handler.tag(new ScannedTag(name, closing, html, p));
  }
  return steps;
}
