import { Channel, IysType, MessageKind, Purpose, channelToIysType, isCommercialPurpose, isPurpose } from '../domain';
import { SIGNAL_RULES, SignalCategory, SignalRule } from './signal-rules';
import { PreparedText, htmlToText, prepareText } from './text-normalizer';

export interface ClassifyMessageInput {
  channel: Channel;
  purpose?: Purpose;
  subject?: string;
  text?: string;
  html?: string;
}

/** A classification, with the reasons a person can audit later (compliance.md §1 rule 5). */
export interface ClassificationDecision {
  kind: MessageKind;
  requiresConsent: boolean;
  /** The İYS type the channel belongs to; null for PUSH, which İYS does not cover. */
  iysType: IysType | null;
  /** Plain-language sentences, in the order the decision was made. */
  reasons: string[];
  /** Ids of the signal rules that matched (see SIGNAL_RULES), promotional first. */
  signals: string[];
}

/** One rule's matches in a message. */
export interface SignalMatch {
  readonly rule: SignalRule;
  /** Each distinct match: the words as the message wrote them, and where they start in the folded text. */
  readonly occurrences: readonly { readonly excerpt: string; readonly at: number }[];
}

export interface ContentAnalysis {
  readonly promotional: readonly SignalMatch[];
  readonly transactional: readonly SignalMatch[];
  readonly neutral: readonly SignalMatch[];
  /** Sum of the weights of the transactional rules that matched. */
  readonly transactionalWeight: number;
}

/** Without a declared purpose, this much transactional evidence (one strong signal) is needed. */
export const CLEAR_TRANSACTIONAL_WEIGHT = 2;

const MAX_EXCERPTS_IN_REASON = 8;

interface CompiledRule {
  readonly rule: SignalRule;
  readonly pattern: RegExp;
}

const COMPILED: Readonly<Record<SignalCategory, readonly CompiledRule[]>> = {
  PROMOTIONAL: compile('PROMOTIONAL'),
  TRANSACTIONAL: compile('TRANSACTIONAL'),
  NEUTRAL: compile('NEUTRAL'),
};

function compile(category: SignalCategory): CompiledRule[] {
  return SIGNAL_RULES.filter((rule) => rule.category === category).map((rule) => ({
    rule,
    pattern: new RegExp(rule.pattern.source, 'g'),
  }));
}

/**
 * Decides whether a message is COMMERCIAL (needs prior consent), TRANSACTIONAL or EXEMPT, following
 * compliance.md §1:
 * 1. PUSH is always EXEMPT: İYS covers calls, SMS and e-mail only.
 * 2. A declared purpose gives the starting kind.
 * 3. A transactional declaration with promotional content is escalated to COMMERCIAL (mixed content is
 *    commercial); a commercial declaration is never downgraded.
 * 4. Without a purpose the content decides, and doubt means COMMERCIAL: only strong transactional evidence
 *    with no promotional signal gives TRANSACTIONAL.
 * A pure function: the same input always gives the same decision.
 */
export function classifyMessage(input: ClassifyMessageInput): ClassificationDecision {
  const analysis = analyzeMessageContent(input);
  const signals = [...analysis.promotional, ...analysis.transactional, ...analysis.neutral].map((m) => m.rule.id);
  const reasons: string[] = [];

  if (input.channel === 'PUSH') {
    reasons.push(
      'channel PUSH is outside İYS (it covers calls, SMS and e-mail only), so the message is exempt from consent',
    );
    if (analysis.promotional.length > 0) {
      reasons.push(
        `promotional content (${quoteExcerpts(analysis.promotional)}) was noted; it does not change an exempt push notification`,
      );
    }
    return { kind: 'EXEMPT', requiresConsent: false, iysType: null, reasons, signals };
  }

  const iysType = channelToIysType(input.channel);
  const purpose: unknown = input.purpose;
  let kind: MessageKind;

  if (purpose !== undefined && isPurpose(purpose) && isCommercialPurpose(purpose)) {
    kind = 'COMMERCIAL';
    reasons.push(`declared purpose ${purpose} is commercial`);
    if (analysis.promotional.length > 0) {
      reasons.push(`promotional content found: ${quoteExcerpts(analysis.promotional)}`);
    }
    if (analysis.transactional.length > 0) {
      reasons.push(
        `transactional content found (${quoteExcerpts(analysis.transactional)}) does not downgrade a commercial declaration`,
      );
    }
  } else if (purpose !== undefined && isPurpose(purpose)) {
    reasons.push(`declared purpose ${purpose} is transactional`);
    if (analysis.promotional.length > 0) {
      kind = 'COMMERCIAL';
      reasons.push(`promotional content found: ${quoteExcerpts(analysis.promotional)}`);
      reasons.push('a message declared transactional that carries promotional content is commercial (mixed content)');
    } else {
      kind = 'TRANSACTIONAL';
      if (analysis.transactional.length > 0) {
        reasons.push(`transactional content found: ${quoteExcerpts(analysis.transactional)}`);
      } else {
        reasons.push(
          'no content confirms the declared purpose; the declaration stands, and it is the service provider’s legal responsibility',
        );
      }
      reasons.push('no promotional content found');
    }
  } else {
    reasons.push(
      purpose === undefined
        ? 'no purpose declared, so the content decides'
        : `declared purpose ${String(purpose)} is not a known purpose, so the content decides`,
    );
    if (analysis.promotional.length > 0) {
      kind = 'COMMERCIAL';
      reasons.push(`promotional content found: ${quoteExcerpts(analysis.promotional)}`);
    } else if (analysis.transactionalWeight >= CLEAR_TRANSACTIONAL_WEIGHT) {
      kind = 'TRANSACTIONAL';
      reasons.push(`transactional content found: ${quoteExcerpts(analysis.transactional)}`);
      reasons.push('no promotional content found');
    } else {
      kind = 'COMMERCIAL';
      reasons.push(
        analysis.transactional.length > 0
          ? `only weak transactional content found (${quoteExcerpts(analysis.transactional)}); when unsure, a message is treated as commercial`
          : 'no clear transactional content found; when unsure, a message is treated as commercial',
      );
    }
  }

  if (analysis.neutral.length > 0) {
    reasons.push(
      `not counted as promotional (legally required or factual wording): ${quoteExcerpts(analysis.neutral)}`,
    );
  }
  const requiresConsent = kind === 'COMMERCIAL';
  reasons.push(
    requiresConsent
      ? `commercial: prior consent (${iysType} ONAY) is required`
      : `transactional: no prior consent is required, and a ${iysType} RET does not block it`,
  );
  return { kind, requiresConsent, iysType, reasons, signals };
}

/** Runs every signal rule over a message's subject, text and HTML. Exposed for audits and tooling. */
export function analyzeMessageContent(input: Pick<ClassifyMessageInput, 'subject' | 'text' | 'html'>): ContentAnalysis {
  const parts = [input.subject, input.text, input.html === undefined ? undefined : htmlToText(input.html)].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  // Parts are joined with a full stop so that a phrase never runs from the subject into the body.
  const prepared = prepareText(parts.join(' .\n'));
  const neutral = findMatches(prepared, prepared.folded, COMPILED.NEUTRAL);
  const masked = maskMatches(prepared.folded, COMPILED.NEUTRAL);
  const promotional = findMatches(prepared, masked, COMPILED.PROMOTIONAL);
  const transactional = findMatches(prepared, prepared.folded, COMPILED.TRANSACTIONAL);
  const transactionalWeight = transactional.reduce((sum, match) => sum + match.rule.weight, 0);
  return { promotional, transactional, neutral, transactionalWeight };
}

function findMatches(prepared: PreparedText, haystack: string, rules: readonly CompiledRule[]): SignalMatch[] {
  const matches: SignalMatch[] = [];
  for (const { rule, pattern } of rules) {
    const occurrences = new Map<string, { excerpt: string; at: number }>();
    pattern.lastIndex = 0;
    for (let found = pattern.exec(haystack); found !== null; found = pattern.exec(haystack)) {
      if (found[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      const key = found[0].trim();
      if (key !== '' && !occurrences.has(key)) {
        occurrences.set(key, {
          excerpt: excerptOf(prepared, found.index, found.index + found[0].length),
          at: found.index,
        });
      }
    }
    if (occurrences.size > 0) {
      matches.push({ rule, occurrences: [...occurrences.values()] });
    }
  }
  return matches;
}

function maskMatches(folded: string, rules: readonly CompiledRule[]): string {
  const chars = folded.split('');
  for (const { pattern } of rules) {
    pattern.lastIndex = 0;
    for (let found = pattern.exec(folded); found !== null; found = pattern.exec(folded)) {
      if (found[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      // A blanked phrase turns into spaces, not into nothing, so that words on either side stay apart.
      chars.fill(' ', found.index, found.index + found[0].length);
    }
  }
  return chars.join('');
}

function excerptOf(prepared: PreparedText, start: number, end: number): string {
  const from = prepared.origin[start]!;
  const to = prepared.origin[end - 1]! + 1;
  return prepared.original.slice(from, to).replace(/\s+/g, ' ').trim();
}

/** The matched words in the order the message has them, each once. */
function quoteExcerpts(matches: readonly SignalMatch[]): string {
  const occurrences = matches.flatMap((match) => match.occurrences).sort((a, b) => a.at - b.at);
  const all = [...new Set(occurrences.map((occurrence) => occurrence.excerpt))];
  const shown = all.slice(0, MAX_EXCERPTS_IN_REASON).map((excerpt) => `'${excerpt}'`);
  return all.length > shown.length ? `${shown.join(', ')} and ${all.length - shown.length} more` : shown.join(', ');
}
