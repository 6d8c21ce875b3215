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

/** Problems that are about a template's size rather than its syntax; each has its own stable error code. */
export type TemplateLimitCode = 'TEMPLATE_TOO_LARGE' | 'TEMPLATE_TOO_DEEP';

export interface TemplateProblem {
  field: TemplatePart;
  /** 1-based line in that part, when the problem has one. */
  line: number | null;
  message: string;
  /** Set when the template compiles but would exceed a rendering limit. */
  code?: TemplateLimitCode;
}

/**
 * Rendering limits. A template is small, but partials that call each other and loops over the data multiply it:
 * a 1 KB template whose partials each call the next twice renders 33 MB. These limits are enforced while rendering
 * (the work stops when one is crossed, not after the whole string is built) and, where the template alone shows
 * it, when the template is saved.
 */
/** The longest rendered output of each part, in characters (html: 1 MiB). */
export const MAX_RENDERED_LENGTH: Readonly<Record<TemplatePart, number>> = {
  subject: 10_000,
  html: 1_048_576,
  text: 1_048_576,
};
/** How deep partials may call partials (a built-in partial counts as a level). */
export const MAX_PARTIAL_DEPTH = 10;
/** Loop iterations, block and partial calls and output values one render may take, over all its parts. */
export const MAX_RENDER_STEPS = 100_000;

export class TemplateInvalidError extends Error {
  constructor(readonly problems: TemplateProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'TemplateInvalidError';
  }
}

/**
 * A template that compiled but failed on this data (e.g. {{#each}} over a value that is not a list), or whose
 * output on this data crossed a rendering limit (`code` says which).
 */
export class TemplateRenderError extends Error {
  constructor(
    readonly field: TemplatePart,
    message: string,
    readonly code: 'TEMPLATE_RENDER_FAILED' | TemplateLimitCode = 'TEMPLATE_RENDER_FAILED',
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

/** Every `{{value}}` of a template is compiled as `{{__izinliOutput value}}`, which counts what it writes. */
const OUTPUT_HELPER = '__izinliOutput';

// `log` writes to the process's console: personal data in a template must never reach the logs.
const KNOWN_HELPERS = { default: true, log: false, [OUTPUT_HELPER]: true } as const;

/**
 * What the render in progress has used. Rendering is synchronous, so the one render running at any moment owns
 * `activeBudget`; the helpers and the partial hook below charge it.
 */
class RenderBudget {
  private steps = 0;
  private depth = 0;
  private written = 0;
  private field: TemplatePart = 'subject';

  begin(field: TemplatePart): void {
    this.field = field;
    this.depth = 0;
    this.written = 0;
  }

  step(): void {
    if (++this.steps > MAX_RENDER_STEPS) {
      throw this.tooLarge(
        `expands to more than ${MAX_RENDER_STEPS} loop iterations, partial calls and values on this data`,
      );
    }
  }

  /** A value written to the output (before escaping, which only lengthens it). */
  wrote(value: unknown): void {
    this.step();
    if (value === undefined || value === null) return;
    this.written += typeof value === 'string' ? value.length : String(value).length;
    this.fits(this.written);
  }

  /** Throws when a piece of the output (which the final output contains whole) is already too long. */
  fits(length: number): void {
    if (length > MAX_RENDERED_LENGTH[this.field]) {
      throw this.tooLarge(`renders to more than ${MAX_RENDERED_LENGTH[this.field]} characters on this data`);
    }
  }

  enterPartial(): void {
    this.step();
    if (++this.depth > MAX_PARTIAL_DEPTH) {
      throw new TemplateRenderError(
        this.field,
        `${this.field}: partials call each other more than ${MAX_PARTIAL_DEPTH} deep on this data`,
        'TEMPLATE_TOO_DEEP',
      );
    }
  }

  leavePartial(): void {
    this.depth--;
  }

  private tooLarge(what: string): TemplateRenderError {
    return new TemplateRenderError(this.field, `${this.field}: ${what}`, 'TEMPLATE_TOO_LARGE');
  }
}

let activeBudget: RenderBudget | null = null;

type HelperFn = (this: unknown, ...args: unknown[]) => unknown;
type ProgramFn = ((this: unknown, ...args: unknown[]) => unknown) & Record<string, unknown>;

/** A block's program (or its {{else}}) that charges a step per run and the length of what the block writes. */
function metered(fn: unknown, budget: RenderBudget, written: { length: number }): unknown {
  if (typeof fn !== 'function') return fn;
  const program = fn as ProgramFn;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    budget.step();
    const out = program.apply(this, args);
    if (typeof out === 'string') budget.fits((written.length += out.length));
    return out;
  };
  // Handlebars keeps the program's block parameters and partials on the function itself.
  return Object.assign(wrapped, program);
}

function environment(partials: Record<string, string>): typeof Handlebars {
  const env = Handlebars.create();
  env.unregisterHelper('log');
  env.registerHelper(CUSTOM_HELPERS);
  env.registerHelper(OUTPUT_HELPER, function (this: unknown, ...args: unknown[]) {
    if (args.length !== 2) return '';
    activeBudget?.wrote(args[0]);
    return args[0];
  });
  // Loops and conditionals: a step per call and per run of their program, and the length of what they write.
  for (const name of ['if', 'unless', 'each', 'with', 'blockHelperMissing']) {
    const builtIn = env.helpers[name] as HelperFn;
    env.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      const budget = activeBudget;
      const options = args[args.length - 1] as Record<string, unknown> | undefined;
      if (!budget || typeof options !== 'object' || options === null) return builtIn.apply(this, args);
      budget.step();
      const written = { length: 0 };
      args[args.length - 1] = {
        ...options,
        fn: metered(options.fn, budget, written),
        inverse: metered(options.inverse, budget, written),
      };
      return builtIn.apply(this, args);
    });
  }
  // Partials, declared inline or built in: Handlebars calls every one through its VM's invokePartial.
  const vm = (env as unknown as { VM: Record<string, unknown> }).VM;
  const invokePartial = vm.invokePartial as HelperFn;
  (env as unknown as { VM: Record<string, unknown> }).VM = {
    ...vm,
    invokePartial(this: unknown, ...args: unknown[]) {
      const budget = activeBudget;
      if (!budget) return invokePartial.apply(this, args);
      budget.enterPartial();
      try {
        const out = invokePartial.apply(this, args);
        if (typeof out === 'string') budget.fits(out.length);
        return out;
      } finally {
        budget.leavePartial();
      }
    },
  };
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

/**
 * What the template alone shows about its expansion, found when it is saved: how deep its partials call each other,
 * and how long its output would be with every partial expanded, every branch taken and every loop run once. A
 * partial that calls itself (directly or not) is bounded only by the data, which the limits check while rendering.
 */
function expansionProblems(program: hbs.AST.Program, field: TemplatePart): TemplateProblem[] {
  const declared = new Map<string, hbs.AST.Program[]>();
  const collect = (node: Node | null | undefined): void => {
    if (!node) return;
    if (node.type === 'Program') (node as hbs.AST.Program).body.forEach(collect);
    else if (node.type === 'BlockStatement') {
      collect((node as hbs.AST.BlockStatement).program);
      collect((node as hbs.AST.BlockStatement).inverse);
    } else if (node.type === 'PartialBlockStatement') collect((node as hbs.AST.PartialBlockStatement).program);
    else if (node.type === 'DecoratorBlock') {
      const d = node as hbs.AST.DecoratorBlock;
      const name = (d.params[0] as hbs.AST.StringLiteral).value;
      declared.set(name, [...(declared.get(name) ?? []), d.program]);
      collect(d.program);
    }
  };
  collect(program);

  const builtIn: Record<string, string> = field === 'html' ? HTML_PARTIALS : TEXT_PARTIALS;
  interface Expansion {
    size: number;
    depth: number;
  }
  const memo = new Map<string, Expansion>();
  const expanding = new Set<string>();
  const partial = (name: string): Expansion => {
    const known = memo.get(name);
    if (known) return known;
    if (expanding.has(name)) return { size: 0, depth: 0 };
    expanding.add(name);
    const bodies = declared.get(name);
    const result = bodies
      ? bodies.map(expand).reduce((a, b) => ({ size: Math.max(a.size, b.size), depth: Math.max(a.depth, b.depth) }))
      : { size: builtIn[name]?.length ?? 0, depth: 0 };
    expanding.delete(name);
    memo.set(name, result);
    return result;
  };
  const expand = (node: hbs.AST.Program | null | undefined): Expansion => {
    let size = 0;
    let depth = 0;
    for (const statement of node?.body ?? []) {
      let inner: Expansion | null = null;
      switch (statement.type) {
        case 'ContentStatement':
          size += (statement as hbs.AST.ContentStatement).value.length;
          break;
        case 'BlockStatement': {
          const b = statement as hbs.AST.BlockStatement;
          const fn = expand(b.program);
          const inverse = expand(b.inverse);
          inner = { size: fn.size + inverse.size, depth: Math.max(fn.depth, inverse.depth) };
          break;
        }
        case 'PartialStatement':
        case 'PartialBlockStatement': {
          const p = statement as hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement;
          const called = partial((p.name as hbs.AST.PathExpression).original);
          const block = p.type === 'PartialBlockStatement' ? expand(p.program) : { size: 0, depth: 0 };
          inner = { size: called.size + block.size, depth: Math.max(called.depth, block.depth) + 1 };
          break;
        }
        default:
          break;
      }
      if (inner) {
        size += inner.size;
        depth = Math.max(depth, inner.depth);
      }
    }
    return { size, depth };
  };

  const whole = expand(program);
  const problems: TemplateProblem[] = [];
  if (whole.depth > MAX_PARTIAL_DEPTH) {
    problems.push({
      field,
      line: null,
      message: `partials call each other ${whole.depth} deep; at most ${MAX_PARTIAL_DEPTH} levels are allowed`,
      code: 'TEMPLATE_TOO_DEEP',
    });
  } else if (whole.size > MAX_RENDERED_LENGTH[field]) {
    problems.push({
      field,
      line: null,
      message: `its partials expand to more than ${MAX_RENDERED_LENGTH[field]} characters, the most a part may render`,
      code: 'TEMPLATE_TOO_LARGE',
    });
  }
  return problems;
}

/**
 * Rewrites every `{{value}}` (and `{{helper …}}`) as `{{__izinliOutput value}}`: the same value, escaped the same
 * way, but counted against the render's budget as it is written. A template that writes a large value many times
 * is stopped when the output crosses the limit, before the string is built.
 */
function meterOutput(node: Node | null | undefined): void {
  if (!node) return;
  switch (node.type) {
    case 'Program': {
      const program = node as hbs.AST.Program;
      program.body = program.body.map((statement) => {
        if (statement.type !== 'MustacheStatement') {
          meterOutput(statement);
          return statement;
        }
        const m = statement as hbs.AST.MustacheStatement;
        const helperCall = m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0;
        const value: hbs.AST.Expression = helperCall
          ? ({
              type: 'SubExpression',
              path: m.path,
              params: m.params,
              hash: m.hash,
              loc: m.loc,
            } as hbs.AST.SubExpression)
          : m.path;
        const path: hbs.AST.PathExpression = {
          type: 'PathExpression',
          data: false,
          depth: 0,
          parts: [OUTPUT_HELPER],
          original: OUTPUT_HELPER,
          loc: m.loc,
        };
        return { ...m, path, params: [value], hash: undefined } as unknown as hbs.AST.Statement;
      });
      break;
    }
    case 'BlockStatement':
      meterOutput((node as hbs.AST.BlockStatement).program);
      meterOutput((node as hbs.AST.BlockStatement).inverse);
      break;
    case 'PartialBlockStatement':
      meterOutput((node as hbs.AST.PartialBlockStatement).program);
      break;
    case 'DecoratorBlock':
      meterOutput((node as hbs.AST.DecoratorBlock).program);
      break;
    default:
      break;
  }
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
  const expansion = expansionProblems(ast, field);
  if (expansion.length) return { problems: expansion };
  meterOutput(ast);
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

function run(field: TemplatePart, fn: Handlebars.TemplateDelegate, context: object, budget: RenderBudget): string {
  const previous = activeBudget;
  activeBudget = budget;
  budget.begin(field);
  try {
    const out = fn(context, RUNTIME_OPTIONS);
    budget.fits(out.length);
    return out;
  } catch (err) {
    if (err instanceof TemplateRenderError) throw err;
    throw new TemplateRenderError(field, `${field}: ${(err as Error).message}`);
  } finally {
    activeBudget = previous;
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

// Found on the original string, never on a lower-cased copy: lower-casing changes the length of some text ('İ'
// becomes two code units), so a position found in the copy would cut the original in the wrong place. One match
// per `</body>` in the document, so the scan stays linear in its length.
const BODY_END = /<\/body>/gi;

function lastBodyEnd(html: string): number {
  let at = -1;
  BODY_END.lastIndex = 0;
  for (let m = BODY_END.exec(html); m; m = BODY_END.exec(html)) at = m.index;
  return at;
}

function insertBeforeBodyEnd(html: string, fragment: string): string {
  const at = lastBodyEnd(html);
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
    const budget = new RenderBudget();
    const subject = oneLine(run('subject', this.subjectFn, context, budget));
    let html = run('html', this.htmlFn, context, budget);
    if (this.layoutFn)
      html = run('html', this.layoutFn, { ...context, subject, body: new Handlebars.SafeString(html) }, budget);
    const url = ctx.unsubscribeUrl;
    if (url && !hasVisibleLink(html, url)) html = insertBeforeBodyEnd(html, unsubscribeFooterHtml(ctx.brandName, url));
    let text = this.textFn ? run('text', this.textFn, context, budget) : htmlToPlainText(html);
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
