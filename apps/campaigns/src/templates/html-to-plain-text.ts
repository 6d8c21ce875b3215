import { decodeHtmlEntities, scanHtml } from '@izinli/consent';

/**
 * The text part of a message whose template gives only HTML, read with the consent library's linear HTML scanner
 * (the classifier reads the same way): its cost is linear in the input whatever the markup. It keeps every link's
 * URL beside its words (a reader of the text part must still reach the unsubscribe page), drops what a reader never
 * sees (head, style, script, comments) and decodes entities.
 */

/** Elements whose content is never shown to a reader. */
const HIDDEN = new Set(['head', 'style', 'script', 'title', 'template', 'noscript']);
/** Elements that end a paragraph. */
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'table', 'ul', 'ol', 'pre']);
/** Elements that end a line. */
const LINE = new Set([
  'div',
  'tr',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'nav',
  'aside',
  'center',
  'address',
  'dd',
  'dt',
  'form',
]);

/** Character references decoded; one that names no character becomes U+FFFD, as a browser shows it. */
export function decodeEntities(text: string): string {
  return decodeHtmlEntities(text, 'replace');
}

const SPACES = /[ \t\r\n\f]+/g;
const SPACES_AND_TABS = /[ \t]+/g;
const BLANK_LINES = /\n{3,}/g;
const SHOWN_LINK = /^(https?:|mailto:)/i;
const NOT_WHITE_SPACE = /\S/;

/**
 * The text written so far, as pieces, with what a closing link needs to compare its words with its URL without
 * joining everything written since it opened (which, over nested links, was quadratic): the offset of each piece,
 * and where the last character that is not white space ends. "White space" is String.prototype.trim's (\s).
 */
class Output {
  readonly pieces: string[] = [];
  private readonly starts: number[] = [];
  length = 0;
  lastVisibleEnd = 0;
  /** Called with the offset of the first visible character written after a link opened. */
  onVisible: ((at: number) => void) | null = null;

  push(piece: string): void {
    if (piece === '') return;
    this.pieces.push(piece);
    this.starts.push(this.length);
    const first = piece.search(NOT_WHITE_SPACE);
    if (first !== -1) {
      let last = piece.length - 1;
      while (!NOT_WHITE_SPACE.test(piece[last]!)) last--;
      this.onVisible?.(this.length + first);
      this.lastVisibleEnd = this.length + last + 1;
    }
    this.length += piece.length;
  }

  /** The text between two offsets; costs the length of that text (and a binary search). */
  slice(from: number, to: number): string {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= from) lo = mid;
      else hi = mid - 1;
    }
    let text = '';
    for (let k = lo; k < this.pieces.length && this.starts[k]! < to; k++) {
      const start = this.starts[k]!;
      text += this.pieces[k]!.slice(Math.max(0, from - start), to - start);
    }
    return text;
  }
}

interface OpenLink {
  href: string | undefined;
  /** Offset of the first visible character written inside the link; undefined while there is none. */
  firstVisible: number | undefined;
}

export function htmlToPlainText(html: string): string {
  const out = new Output();
  const links: OpenLink[] = [];
  // Links that have seen no visible character yet are always the innermost ones: links[waiting..] .
  let waiting = 0;
  out.onVisible = (at) => {
    for (; waiting < links.length; waiting++) links[waiting]!.firstVisible = at;
  };
  let inPre = 0;

  scanHtml(
    html,
    {
      text(raw) {
        const text = decodeEntities(raw);
        out.push(inPre ? text : text.replace(SPACES, ' '));
      },
      tag(tag) {
        const { name, closing } = tag;
        switch (name) {
          case 'br':
            out.push('\n');
            break;
          case 'hr':
            out.push('\n\n----\n\n');
            break;
          case 'li':
            if (!closing) out.push('\n- ');
            break;
          case 'td':
          case 'th':
            if (closing) out.push(' ');
            break;
          case 'img':
            if (!closing) {
              const alt = tag.attribute('alt')?.trim();
              if (alt) out.push(` ${alt} `);
            }
            break;
          case 'pre':
            inPre = Math.max(0, inPre + (closing ? -1 : 1));
            out.push('\n\n');
            break;
          case 'a':
            if (!closing) {
              links.push({ href: tag.attribute('href')?.trim(), firstVisible: undefined });
            } else {
              const link = links.pop();
              waiting = Math.min(waiting, links.length);
              if (link?.href && SHOWN_LINK.test(link.href)) closeLink(out, link.href, link.firstVisible);
            }
            break;
          default:
            if (PARAGRAPH.has(name)) out.push('\n\n');
            else if (LINE.has(name)) out.push('\n');
        }
      },
    },
    { hidden: HIDDEN, unclosedHidden: 'drop' },
  );

  // Each line trimmed of every kind of white space (String.prototype.trim), not only spaces: a spacer paragraph of
  // &nbsp; or a CR from a <pre> must leave an empty line, which the blank-line collapse below then removes.
  return out.pieces
    .join('')
    .split('\n')
    .map((line) => line.replace(SPACES_AND_TABS, ' ').trim())
    .join('\n')
    .replace(BLANK_LINES, '\n\n')
    .trim();
}

/** After a link's words: its URL, unless the words already are the URL. */
function closeLink(out: Output, href: string, firstVisible: number | undefined): void {
  const shown = href.replace(/^mailto:/i, '');
  if (firstVisible === undefined) {
    out.push(shown);
    return;
  }
  // The words are the trimmed text since the link opened; only when their length is that of the URL can they be
  // equal to it, and only then are they read (at most the URL's length, so never more than the input).
  const length = out.lastVisibleEnd - firstVisible;
  const same =
    (length === shown.length || length === href.length) &&
    [shown, href].includes(out.slice(firstVisible, out.lastVisibleEnd));
  if (!same) out.push(` (${shown})`);
}
