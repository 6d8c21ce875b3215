/**
 * The text part of a message whose template gives only HTML. A small single-pass scanner rather than regular
 * expressions over the whole document: its cost is linear in the input whatever the markup (no backtracking on
 * hostile HTML), it keeps every link's URL beside its words (a reader of the text part must still reach the
 * unsubscribe page), drops what a reader never sees (head, style, script, comments) and decodes entities.
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  shy: '',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  bull: '•',
  middot: '·',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  euro: '€',
  pound: '£',
  deg: '°',
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
  Idot: 'İ',
  times: '×',
  percnt: '%',
};

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

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]{2,8});/g, (whole, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      // NUL, surrogates and anything beyond Unicode become the replacement character, as browsers do.
      if (!Number.isFinite(cp) || cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(cp);
    }
    return NAMED_ENTITIES[body] ?? whole;
  });
}

/** The end of the tag starting at `start` ('<'), honouring quoted attribute values; -1 when unterminated. */
function tagEnd(html: string, start: number): number {
  let quote: string | null = null;
  for (let i = start + 1; i < html.length; i++) {
    const ch = html[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return i;
    }
  }
  return -1;
}

const ATTRIBUTES = {
  href: /\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i,
  alt: /\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i,
} as const;

function attribute(tag: string, name: keyof typeof ATTRIBUTES): string | undefined {
  const m = ATTRIBUTES[name].exec(tag);
  if (!m) return undefined;
  return decodeEntities(m[1] ?? m[2] ?? m[3] ?? '').trim();
}

const TAG_NAME = /^<\s*(\/?)\s*([A-Za-z][A-Za-z0-9-]*)/;
const CAN_OPEN_TAG = /[A-Za-z/!?]/;
const SPACES = /[ \t\r\n\f]+/g;
const SPACES_AND_TABS = /[ \t]+/g;
const BLANK_LINES = /\n{3,}/g;

export function htmlToPlainText(html: string): string {
  // Lower-cased only when a hidden element must be skipped: most mail has none, and the copy is not free.
  let lower: string | null = null;
  const out: string[] = [];
  // Open links: the href of each <a> and the length of `out` when it opened, to compare its words with its URL.
  const links: { href: string | undefined; from: number }[] = [];
  let i = 0;
  let inPre = 0;
  const push = (s: string) => out.push(s);

  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const textEnd = lt === -1 ? html.length : lt;
    if (textEnd > i) {
      const raw = decodeEntities(html.slice(i, textEnd));
      push(inPre ? raw : raw.replace(SPACES, ' '));
    }
    if (lt === -1) break;

    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close === -1 ? html.length : close + 3;
      continue;
    }
    if (!CAN_OPEN_TAG.test(html[lt + 1] ?? '')) {
      // A '<' that cannot open a tag ("a < b") is text, as a browser shows it.
      push('<');
      i = lt + 1;
      continue;
    }
    const end = tagEnd(html, lt);
    // A tag left open at the end of the document is dropped, as a browser drops it.
    if (end === -1) break;
    const tag = html.slice(lt, end + 1);
    i = end + 1;
    const m = TAG_NAME.exec(tag);
    if (!m) continue; // <!DOCTYPE …>, <?xml …?> and the like
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();

    if (!closing && HIDDEN.has(name)) {
      // Skip to the matching close tag; the content is not markup a reader sees.
      lower ??= html.toLowerCase();
      const closeAt = lower.indexOf(`</${name}`, i);
      if (closeAt === -1) {
        i = html.length;
      } else {
        const closeEnd = tagEnd(html, closeAt);
        i = closeEnd === -1 ? html.length : closeEnd + 1;
      }
      continue;
    }

    switch (name) {
      case 'br':
        push('\n');
        break;
      case 'hr':
        push('\n\n----\n\n');
        break;
      case 'li':
        if (!closing) push('\n- ');
        break;
      case 'td':
      case 'th':
        if (closing) push(' ');
        break;
      case 'img':
        if (!closing) {
          const alt = attribute(tag, 'alt');
          if (alt) push(` ${alt} `);
        }
        break;
      case 'pre':
        inPre = Math.max(0, inPre + (closing ? -1 : 1));
        push('\n\n');
        break;
      case 'a':
        if (!closing) {
          links.push({ href: attribute(tag, 'href'), from: out.length });
        } else {
          const link = links.pop();
          if (link?.href && /^(https?:|mailto:)/i.test(link.href)) {
            const words = out.slice(link.from).join('').trim();
            const shown = link.href.replace(/^mailto:/i, '');
            if (words === '') push(shown);
            else if (words !== shown && words !== link.href) push(` (${shown})`);
          }
        }
        break;
      default:
        if (PARAGRAPH.has(name)) push('\n\n');
        else if (LINE.has(name)) push('\n');
    }
  }

  // Each line trimmed of every kind of white space (String.prototype.trim), not only spaces: a spacer paragraph of
  // &nbsp; or a CR from a <pre> must leave an empty line, which the blank-line collapse below then removes.
  return out
    .join('')
    .split('\n')
    .map((line) => line.replace(SPACES_AND_TABS, ' ').trim())
    .join('\n')
    .replace(BLANK_LINES, '\n\n')
    .trim();
}
