/**
 * Turns a message into the text the signal rules read: HTML reduced to its visible words (and image alt
 * texts, where image-only promotions hide their words), links and addresses blanked out, then folded so that
 * one pattern matches every spelling: lower-cased with Turkish rules (İ→i, I→ı) and reduced to ASCII
 * (ç→c, ğ→g, ı→i, ö→o, ş→s, ü→u, and any other accent dropped). "KAMPANYA", "Kampanyası" and "kampanyasi"
 * all become "kampanya…". An apostrophe that only attaches a suffix ("Moda'da", "%50'ye", "you've") is dropped.
 * Every pass is linear in the length of the message: hostile input cannot stall the event loop.
 */

import { decodeHtmlEntities, scanHtml } from './html-scanner';

export { decodeHtmlEntities };

const HIDDEN = new Set(['script', 'style', 'head', 'template', 'svg', 'noscript']);

const BLOCK_TAGS = new Set([
  'br',
  'p',
  'div',
  'tr',
  'li',
  'ul',
  'ol',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'section',
  'article',
  'header',
  'footer',
  'blockquote',
  'center',
  'hr',
  'dl',
  'dt',
  'dd',
  'pre',
]);

/**
 * The visible text of an HTML body: tags dropped, blocks on their own lines, table cells separated by " | ".
 * Read with the shared linear scanner (html-scanner.ts). A hidden element (script, style…) hides its content only
 * up to its end tag: without one, what follows is read, so that an unclosed <head> cannot hide a promotion.
 */
export function htmlToText(html: string): string {
  const pieces: string[] = [];
  scanHtml(
    html,
    {
      text: (raw) => pieces.push(decodeHtmlEntities(raw)),
      skipped: () => pieces.push(' '),
      tag: (tag) => {
        if (tag.name === 'img') {
          if (!tag.closing) pieces.push(` ${tag.attribute('alt') ?? ''} `);
        } else if (tag.name === 'td' || tag.name === 'th') {
          pieces.push(' | ');
        } else if (BLOCK_TAGS.has(tag.name)) {
          pieces.push('\n');
        }
      },
    },
    { hidden: HIDDEN, unclosedHidden: 'keep' },
  );
  const lines = pieces
    .join('')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    // Linear: every repetition must consume a '|', so a failed attempt ends at the first character.
    .replace(/(?: ?\| ?)+/g, ' | ')
    .split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    const trimmed = trimSeparators(line);
    if (trimmed !== '') kept.push(trimmed);
  }
  return kept.join('\n');
}

const SEPARATOR = /[\s|]/;

/**
 * A line without the white space and cell separators at either end. A loop rather than /[\s|]+$/, which is
 * retried from every position of a long run of separators that does not reach the end.
 */
function trimSeparators(line: string): string {
  let from = 0;
  let to = line.length;
  while (from < to && SEPARATOR.test(line[from]!)) from++;
  while (to > from && SEPARATOR.test(line[to - 1]!)) to--;
  return line.slice(from, to);
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
// An address's local part may start only where a run of its characters starts (the look-behind): unanchored, a
// long run with no '@' was scanned again from each of its characters, quadratic in its length. A match found from
// inside a run would have been found from its start, so the matches are the same.
const LINKS_AND_ADDRESSES = /\b(?:https?:\/\/|www\.)[^\s<>"'\])]+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;
const WHITESPACE = /[\s\u200b-\u200d\u2060\ufeff]/;

export function prepareText(text: string): PreparedText {
  const original = text;
  const source = text.replace(LINKS_AND_ADDRESSES, (link) => ' '.repeat(link.length));
  const folded: string[] = [];
  const origin: number[] = [];
  for (let index = 0; index < source.length; index++) {
    const code = source.charCodeAt(index);
    // ASCII other than the apostrophes, most of any message: folded without a regular expression or a lookup,
    // which keeps a message of several hundred kilobytes within a few milliseconds.
    if (code < 128 && code !== 39 && code !== 96) {
      if (code === 32 || (code >= 9 && code <= 13)) {
        if (folded.length > 0 && folded[folded.length - 1] !== ' ') {
          folded.push(' ');
          origin.push(index);
        }
      } else {
        folded.push(code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : source[index]!);
        origin.push(index);
      }
      continue;
    }
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
