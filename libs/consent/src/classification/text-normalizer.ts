/**
 * Turns a message into the text the signal rules read: HTML reduced to its visible words (and image alt
 * texts, where image-only promotions hide their words), links and addresses blanked out, then folded so that
 * one pattern matches every spelling: lower-cased with Turkish rules (İ→i, I→ı) and reduced to ASCII
 * (ç→c, ğ→g, ı→i, ö→o, ş→s, ü→u, and any other accent dropped). "KAMPANYA", "Kampanyası" and "kampanyasi"
 * all become "kampanya…". An apostrophe that only attaches a suffix ("Moda'da", "%50'ye", "you've") is dropped.
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  percnt: '%',
  euro: '€',
  pound: '£',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
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

const BLOCK_TAGS =
  /<\/?(?:br|p|div|tr|li|ul|ol|table|tbody|thead|tfoot|h[1-6]|section|article|header|footer|blockquote|center|hr|dl|dt|dd|pre)\b[^>]*>/gi;

/** The visible text of an HTML body: tags dropped, blocks on their own lines, table cells separated by " | ". */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head|template|svg|noscript)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<img\b[^>]*>/gi, (tag) => {
      const alt = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
      return alt ? ` ${alt[1] ?? alt[2] ?? alt[3] ?? ''} ` : ' ';
    })
    .replace(/<\/?(?:td|th)\b[^>]*>/gi, ' | ')
    .replace(BLOCK_TAGS, '\n')
    .replace(/<[^>]*>/g, '');
  return decodeHtmlEntities(text)
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/(?: ?\| ?)+/g, ' | ')
    .split('\n')
    .map((line) => line.replace(/^[\s|]+|[\s|]+$/g, ''))
    .filter((line) => line !== '')
    .join('\n');
}

export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body] ?? entity;
  });
}

/** Text ready for matching, with the way back to the words a person wrote. */
export interface PreparedText {
  /** The text as written (HTML already reduced to text). */
  readonly original: string;
  /** Folded text: lower-case ASCII, single spaces, links and e-mail addresses removed. */
  readonly folded: string;
  /** For each character of `folded`, the index of the character of `original` it came from. */
  readonly origin: readonly number[];
}

// Links are not read: their paths and tracking parameters (utm_campaign, %20, order ids) are not what the
// recipient reads, and transactional mail is full of them.
const LINKS_AND_ADDRESSES = /\b(?:https?:\/\/|www\.)[^\s<>"'\])]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;
const WHITESPACE = /[\s\u200b-\u200d\u2060\ufeff]/;

export function prepareText(text: string): PreparedText {
  const original = text;
  const source = text.replace(LINKS_AND_ADDRESSES, (link) => ' '.repeat(link.length));
  const folded: string[] = [];
  const origin: number[] = [];
  for (let index = 0; index < source.length; index++) {
    const char = source[index]!;
    if (WHITESPACE.test(char)) {
      if (folded.length > 0 && folded[folded.length - 1] !== ' ') {
        folded.push(' ');
        origin.push(index);
      }
      continue;
    }
    if (APOSTROPHES.has(char) && isSuffixApostrophe(source, index)) {
      // "Moda'da", "%50'ye", "Günü'ne", "you've": the apostrophe only joins a suffix; drop it so that
      // patterns see one word ("modada", "%50ye", "gunune", "youve").
      continue;
    }
    for (const piece of foldChar(char)) {
      folded.push(piece);
      origin.push(index);
    }
  }
  if (folded[folded.length - 1] === ' ') {
    folded.pop();
    origin.pop();
  }
  return { original, folded: folded.join(''), origin };
}

const APOSTROPHES = new Set(["'", '’', 'ʼ', '‘', '´', '`']);

function isSuffixApostrophe(text: string, index: number): boolean {
  const before = text[index - 1];
  const after = text[index + 1];
  return before !== undefined && after !== undefined && /[\p{L}\p{N}%]/u.test(before) && /\p{L}/u.test(after);
}

/** Folds a string for matching, as `prepareText` does, without keeping the way back. */
export function foldForMatching(text: string): string {
  return prepareText(text).folded;
}

const PUNCTUATION: Readonly<Record<string, string>> = {
  '’': "'",
  '‘': "'",
  ʼ: "'",
  '´': "'",
  '`': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '«': '"',
  '»': '"',
  '–': '-',
  '—': '-',
  '‑': '-',
  '％': '%',
  '٪': '%',
  '₺': 'tl',
};

const foldCache = new Map<string, string>();

function foldChar(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 128) {
    return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : char;
  }
  let folded = foldCache.get(char);
  if (folded === undefined) {
    folded =
      PUNCTUATION[char] ??
      char
        .toLocaleLowerCase('tr')
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/ı/g, 'i');
    foldCache.set(char, folded);
  }
  return folded;
}
