import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { htmlToPlainText } from './html-to-plain-text';

/**
 * Layouts are a fixed, app-owned set rather than templates a tenant uploads: a layout wraps already-rendered
 * content, so it is the one place where unescaped output is needed, and keeping it in the code keeps every
 * tenant-written byte behind Handlebars' escaping.
 */
export const TEMPLATE_LAYOUTS = ['none', 'basic'] as const;
export type TemplateLayout = (typeof TEMPLATE_LAYOUTS)[number];

export type TemplatePart = 'subject' | 'html' | 'text';

export interface TemplateSource {
  subject: string;
  html: string;
  text?: string | null;
  layout?: TemplateLayout;
}

export interface TemplateProblem {
  field: TemplatePart;
  /** 1-based line in that part, when the problem has one. */
  line: number | null;
  message: string;
}

export class TemplateInvalidError extends Error {
  constructor(readonly problems: TemplateProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'TemplateInvalidError';
  }
}

/** A template that compiled but failed on this data (e.g. {{#each}} over a value that is not a list). */
export class TemplateRenderError extends Error {
  constructor(
    readonly field: TemplatePart,
    message: string,
  ) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

export interface RenderContext {
  /** The contact's personalisation fields (or preview data), visible at the top level of the template. */
  data: Record<string, unknown>;
  email: string;
  brandName: string;
  /** The recipient's unsubscribe link; null for mail that carries none (transactional). */
  unsubscribeUrl: string | null;
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

/** Partials every template may use; a template may also declare its own with {{#*inline "name"}}. */
export const BUILT_IN_PARTIALS = ['unsubscribe', 'button'] as const;

const HTML_PARTIALS: Record<(typeof BUILT_IN_PARTIALS)[number], string> = {
  unsubscribe: '{{#if unsubscribeUrl}}<a href="{{unsubscribeUrl}}">Abonelikten çık</a>{{/if}}',
  button:
    '<a href="{{href}}" style="display:inline-block;padding:12px 20px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">{{label}}</a>',
};

const TEXT_PARTIALS: Record<(typeof BUILT_IN_PARTIALS)[number], string> = {
  unsubscribe: '{{#if unsubscribeUrl}}Abonelikten çık: {{unsubscribeUrl}}{{/if}}',
  button: '{{label}}: {{href}}',
};

const LAYOUTS: Record<TemplateLayout, string | null> = {
  none: null,
  basic: `<!DOCTYPE html>
<html lang="tr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{subject}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px">
<tr><td style="padding:16px 24px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#71717a;border-bottom:1px solid #e4e4e7">{{brandName}}</td></tr>
<tr><td style="padding:24px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#18181b">{{{body}}}</td></tr>
</table></td></tr></table>
</body></html>`,
};

/** Helpers a template may call besides Handlebars' block helpers. */
const CUSTOM_HELPERS = {
  /** {{default firstName "Değerli müşterimiz"}}: the value, or the fallback when it is empty. */
  default: (value: unknown, fallback: unknown) =>
    value === undefined || value === null || value === '' ? fallback : value,
};

const BLOCK_HELPERS_WITH_ONE_VALUE = new Set(['if', 'unless', 'each', 'with']);

// `log` writes to the process's console: personal data in a template must never reach the logs.
const KNOWN_HELPERS = { default: true, log: false } as const;

function environment(partials: Record<string, string>): typeof Handlebars {
  const env = Handlebars.create();
  env.unregisterHelper('log');
  env.registerHelper(CUSTOM_HELPERS);
  for (const [name, source] of Object.entries(partials)) env.registerPartial(name, source);
  return env;
}

const htmlEnv = environment(HTML_PARTIALS);
const textEnv = environment(TEXT_PARTIALS);

const MAX_LENGTH: Record<TemplatePart, number> = { subject: 998, html: 512_000, text: 256_000 };

/** Handlebars parse errors read "Parse error on line N: … Expecting …, got 'X'"; keep the line and the gist. */
function describeParseError(err: Error): { line: number | null; message: string } {
  const e = err as Error & { lineNumber?: number; column?: number };
  if (typeof e.lineNumber === 'number') {
    const text = err.message.replace(/\s+-\s+\d+:\d+$/, '');
    return { line: e.lineNumber, message: `line ${e.lineNumber}: ${text}` };
  }
  const lineMatch = /on line (\d+)/.exec(err.message);
  const line = lineMatch ? Number(lineMatch[1]) : null;
  const got = /got '([A-Z_]+)'\s*$/.exec(err.message)?.[1];
  let gist: string;
  if (got === 'EOF') gist = 'the template ends inside an open block or tag: a {{/…}} or }} is missing';
  else if (got === 'OPEN_ENDBLOCK') gist = 'a {{/…}} closes a block that was never opened';
  else if (got === 'INVALID') gist = 'an expression is not closed with }}';
  else gist = `unexpected ${got ? got.toLowerCase().replace(/_/g, ' ') : 'text'}`;
  return { line, message: line === null ? gist : `line ${line}: ${gist}` };
}

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };

/** The rules Handlebars itself does not enforce, checked on the syntax tree so each problem names its line. */
function auditTree(program: hbs.AST.Program): { line: number | null; message: string }[] {
  const problems: { line: number | null; message: string }[] = [];
  const inline = new Set<string>();
  const partialUses: { name: string; line: number | null }[] = [];
  const lineOf = (n: Node) => n.loc?.start.line ?? null;
  const at = (n: Node, message: string) =>
    problems.push({ line: lineOf(n), message: `line ${lineOf(n) ?? '?'}: ${message}` });

  const visit = (node: Node | null | undefined): void => {
    if (!node) return;
    switch (node.type) {
      case 'Program':
        (node as hbs.AST.Program).body.forEach(visit);
        break;
      case 'MustacheStatement': {
        const m = node as hbs.AST.MustacheStatement;
        if (!m.escaped)
          at(
            m,
            'unescaped output ({{{…}}} or {{&…}}) is not allowed: every value is escaped, and Izinli adds the unsubscribe footer itself',
          );
        m.params.forEach(visit);
        break;
      }
      case 'BlockStatement': {
        const b = node as hbs.AST.BlockStatement;
        const name = (b.path as hbs.AST.PathExpression).original;
        if (BLOCK_HELPERS_WITH_ONE_VALUE.has(name) && b.params.length !== 1)
          at(b, `{{#${name}}} needs exactly one value, as in {{#${name} items}}`);
        b.params.forEach(visit);
        visit(b.program);
        visit(b.inverse);
        break;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const p = node as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;
        if (p.name.type !== 'PathExpression') at(p, 'a partial must be named, not computed');
        else partialUses.push({ name: (p.name as hbs.AST.PathExpression).original, line: lineOf(p) });
        if (p.type === 'PartialBlockStatement') visit(p.program);
        break;
      }
      case 'DecoratorBlock': {
        const d = node as hbs.AST.DecoratorBlock;
        const name = (d.path as hbs.AST.PathExpression).original;
        const first = d.params[0];
        if (name !== 'inline' || !first || first.type !== 'StringLiteral')
          at(d, 'only {{#*inline "name"}} … {{/inline}} partial declarations are allowed');
        else inline.add((first as hbs.AST.StringLiteral).value);
        visit(d.program);
        break;
      }
      case 'Decorator':
        at(node, 'decorators are not allowed');
        break;
      case 'SubExpression':
        (node as hbs.AST.SubExpression).params.forEach(visit);
        break;
      default:
        break;
    }
  };
  visit(program);

  for (const use of partialUses) {
    if (
      !(BUILT_IN_PARTIALS as readonly string[]).includes(use.name) &&
      !inline.has(use.name) &&
      use.name !== '@partial-block'
    ) {
      problems.push({
        line: use.line,
        message: `line ${use.line ?? '?'}: unknown partial "${use.name}"; use ${BUILT_IN_PARTIALS.join(' or ')}, or declare it with {{#*inline "${use.name}"}}`,
      });
    }
  }
  return problems;
}

function compilePart(
  field: TemplatePart,
  source: string,
  env: typeof Handlebars,
  noEscape: boolean,
): { fn?: Handlebars.TemplateDelegate; problems: TemplateProblem[] } {
  if (source.length > MAX_LENGTH[field]) {
    return { problems: [{ field, line: null, message: `longer than ${MAX_LENGTH[field]} characters` }] };
  }
  let ast: hbs.AST.Program;
  try {
    ast = env.parse(source);
  } catch (err) {
    return { problems: [{ field, ...describeParseError(err as Error) }] };
  }
  const audit = auditTree(ast);
  if (audit.length) return { problems: audit.map((p) => ({ field, ...p })) };
  const options: CompileOptions = {
    knownHelpersOnly: true,
    knownHelpers: KNOWN_HELPERS,
    noEscape,
    strict: false,
    preventIndent: true,
  };
  try {
    // precompile reports unknown helpers with their position; compile on its own would defer that to first use.
    env.precompile(ast, options);
    return { fn: env.compile(ast, options), problems: [] };
  } catch (err) {
    return { problems: [{ field, ...describeParseError(err as Error) }] };
  }
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = {
  allowProtoMethodsByDefault: false,
  allowProtoPropertiesByDefault: false,
};

function run(field: TemplatePart, fn: Handlebars.TemplateDelegate, context: object): string {
  try {
    return fn(context, RUNTIME_OPTIONS);
  } catch (err) {
    throw new TemplateRenderError(field, `${field}: ${(err as Error).message}`);
  }
}

const escapeHtml = (s: string) => Handlebars.escapeExpression(s);

/** The footer commercial mail gets when its template places no visible unsubscribe link itself. */
export function unsubscribeFooterHtml(brandName: string, url: string): string {
  return (
    `<div style="margin-top:32px;padding-top:16px;border-top:1px solid #e4e4e7;font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:1.5;color:#71717a">` +
    `Bu e-posta ${escapeHtml(brandName)} tarafından gönderildi. Artık almak istemiyorsanız ` +
    `<a href="${escapeHtml(url)}" style="color:#71717a">abonelikten çıkabilirsiniz</a>.</div>`
  );
}

export function unsubscribeFooterText(brandName: string, url: string): string {
  return `--\nBu e-posta ${brandName} tarafından gönderildi. Artık almak istemiyorsanız abonelikten çıkın: ${url}`;
}

function hasVisibleLink(html: string, url: string): boolean {
  return [url, escapeHtml(url)].some((u) => html.includes(`href="${u}"`) || html.includes(`href='${u}'`));
}

function insertBeforeBodyEnd(html: string, fragment: string): string {
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at === -1 ? `${html}\n${fragment}` : `${html.slice(0, at)}${fragment}\n${html.slice(at)}`;
}

// A subject is one header line: a line break coming from data must not start a new header.
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex -- a NUL or line break would end a header line
  return s.replace(/[\r\n\u2028\u2029\u0000]+/g, ' ').trim();
}

export class CompiledTemplate {
  constructor(
    private readonly subjectFn: Handlebars.TemplateDelegate,
    private readonly htmlFn: Handlebars.TemplateDelegate,
    private readonly textFn: Handlebars.TemplateDelegate | null,
    private readonly layoutFn: Handlebars.TemplateDelegate | null,
  ) {}

  render(ctx: RenderContext): RenderedMessage {
    // App values last: a contact field named `unsubscribeUrl` or `email` cannot replace them.
    const context = { ...ctx.data, email: ctx.email, brandName: ctx.brandName, unsubscribeUrl: ctx.unsubscribeUrl };
    const subject = oneLine(run('subject', this.subjectFn, context));
    let html = run('html', this.htmlFn, context);
    if (this.layoutFn)
      html = run('html', this.layoutFn, { ...context, subject, body: new Handlebars.SafeString(html) });
    const url = ctx.unsubscribeUrl;
    if (url && !hasVisibleLink(html, url)) html = insertBeforeBodyEnd(html, unsubscribeFooterHtml(ctx.brandName, url));
    let text = this.textFn ? run('text', this.textFn, context) : htmlToPlainText(html);
    if (url && !text.includes(url)) text = `${text}\n\n${unsubscribeFooterText(ctx.brandName, url)}`;
    return { subject, html, text };
  }
}

/**
 * Handlebars with the house rules: HTML escaped by default and never unescaped by a tenant, only known helpers
 * and partials (checked at compile time so a mistake is reported when the template is saved, with its line),
 * plain-text parts (subject, text) not HTML-escaped because they are not HTML, and the unsubscribe link
 * guaranteed on commercial mail.
 */
@Injectable()
export class TemplateEngine {
  check(source: TemplateSource): TemplateProblem[] {
    return this.compileParts(source).problems;
  }

  compile(source: TemplateSource): CompiledTemplate {
    const { parts, problems } = this.compileParts(source);
    if (problems.length) throw new TemplateInvalidError(problems);
    const layout = LAYOUTS[source.layout ?? 'none'];
    return new CompiledTemplate(
      parts.subject!,
      parts.html!,
      parts.text ?? null,
      layout ? htmlEnv.compile(layout, { strict: false }) : null,
    );
  }

  private compileParts(source: TemplateSource): {
    parts: Partial<Record<TemplatePart, Handlebars.TemplateDelegate>>;
    problems: TemplateProblem[];
  } {
    const parts: Partial<Record<TemplatePart, Handlebars.TemplateDelegate>> = {};
    const problems: TemplateProblem[] = [];
    const add = (field: TemplatePart, src: string, env: typeof Handlebars, noEscape: boolean) => {
      const r = compilePart(field, src, env, noEscape);
      if (r.fn) parts[field] = r.fn;
      problems.push(...r.problems);
    };
    add('subject', source.subject, textEnv, true);
    add('html', source.html, htmlEnv, false);
    if (source.text !== undefined && source.text !== null && source.text !== '')
      add('text', source.text, textEnv, true);
    return { parts, problems };
  }
}
