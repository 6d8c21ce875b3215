/**
 * Measures the classifier on the labelled corpus (corpus/messages.ts) and holds it to the legal safety bar:
 * every message labelled COMMERCIAL must be classified COMMERCIAL (recall 1.0), because a commercial
 * message sent as transactional skips consent. Precision for COMMERCIAL (how many escalations were right)
 * must stay at or above 0.9, and every push notification must be EXEMPT.
 *
 * History, for honesty: the first 243 messages were labelled before the rules were refined. Their first run
 * missed 14: one COMMERCIAL message let through ("Anneler Günü'ne özel": the apostrophe split the word) and
 * thirteen transactional messages escalated (quoted gift notes, ÖİV and minimum-payment percentages, "maaş
 * promosyonu", an unsubscribe confirmation naming "kampanya", a trial-end notice…): COMMERCIAL precision
 * 0.901, recall 0.992. The rules were changed, never the labels. The 25 messages of the second batch were
 * written afterwards as a check; their first run let 2 of its 10 COMMERCIAL messages through ("sadece bu ay ek
 * 10 GB", "two months free"), which led to the rules for "sadece bu ay", add-on allowances and "N months free".
 */
import { MessageKind } from '../domain';
import { CORPUS_MESSAGES, CorpusMessage } from './corpus/messages';
import { ClassificationDecision, classifyMessage } from './message-classifier';

interface Outcome {
  readonly message: CorpusMessage;
  readonly decision: ClassificationDecision;
}

const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);

describe('classification corpus', () => {
  const outcomes: Outcome[] = CORPUS_MESSAGES.map((message) => ({ message, decision: classifyMessage(message) }));
  const labelled = (kind: MessageKind) => outcomes.filter((o) => o.message.expected === kind);
  const classified = (kind: MessageKind) => outcomes.filter((o) => o.decision.kind === kind);
  const correct = (kind: MessageKind) => labelled(kind).filter((o) => o.decision.kind === kind);

  const recallCommercial = ratio(correct('COMMERCIAL').length, labelled('COMMERCIAL').length);
  const precisionCommercial = ratio(correct('COMMERCIAL').length, classified('COMMERCIAL').length);
  const accuracy = ratio(outcomes.filter((o) => o.decision.kind === o.message.expected).length, outcomes.length);

  beforeAll(() => {
    const rows = (['COMMERCIAL', 'TRANSACTIONAL', 'EXEMPT'] as const).map((kind) => ({
      kind,
      labelled: labelled(kind).length,
      classified: classified(kind).length,
      correct: correct(kind).length,
      precision: ratio(correct(kind).length, classified(kind).length).toFixed(3),
      recall: ratio(correct(kind).length, labelled(kind).length).toFixed(3),
    }));
    const misses = outcomes
      .filter((o) => o.decision.kind !== o.message.expected)
      .map(
        (o) =>
          `  ${o.message.id}: labelled ${o.message.expected}, classified ${o.decision.kind} (${o.decision.reasons.join('; ')})`,
      );
    console.log(
      [
        `Classification corpus: ${outcomes.length} messages, accuracy ${accuracy.toFixed(3)}`,
        `COMMERCIAL precision ${precisionCommercial.toFixed(3)}, recall ${recallCommercial.toFixed(3)}`,
        ...formatTable(rows),
        misses.length > 0 ? `Misclassified:\n${misses.join('\n')}` : 'Misclassified: none',
      ].join('\n'),
    );
  });

  it('has at least 220 messages with unique ids, in Turkish and English, on every channel and purpose', () => {
    expect(CORPUS_MESSAGES.length).toBeGreaterThanOrEqual(220);
    expect(new Set(CORPUS_MESSAGES.map((m) => m.id)).size).toBe(CORPUS_MESSAGES.length);
    expect(new Set(CORPUS_MESSAGES.map((m) => m.channel))).toEqual(new Set(['EMAIL', 'SMS', 'CALL', 'PUSH']));
    expect(new Set(CORPUS_MESSAGES.map((m) => m.purpose).filter(Boolean)).size).toBe(14);
    expect(CORPUS_MESSAGES.filter((m) => m.purpose === undefined).length).toBeGreaterThanOrEqual(30);
    expect(CORPUS_MESSAGES.filter((m) => m.id.startsWith('en-')).length).toBeGreaterThanOrEqual(60);
  });

  it('classifies every COMMERCIAL message as COMMERCIAL (recall 1.0, the legal safety bar)', () => {
    const missed = labelled('COMMERCIAL')
      .filter((o) => o.decision.kind !== 'COMMERCIAL')
      .map((o) => o.message.id);
    expect(missed).toEqual([]);
    expect(recallCommercial).toBe(1);
  });

  it('keeps precision for COMMERCIAL at 0.9 or more', () => {
    expect(precisionCommercial).toBeGreaterThanOrEqual(0.9);
  });

  it('classifies every push notification as EXEMPT, and nothing else', () => {
    const pushes = outcomes.filter((o) => o.message.channel === 'PUSH');
    expect(pushes.length).toBeGreaterThan(0);
    expect(pushes.filter((o) => o.decision.kind !== 'EXEMPT').map((o) => o.message.id)).toEqual([]);
    expect(classified('EXEMPT').filter((o) => o.message.channel !== 'PUSH')).toEqual([]);
  });

  it('never downgrades a commercial declaration', () => {
    const downgraded = outcomes.filter(
      (o) =>
        ['PROMOTION', 'BRAND_AWARENESS', 'GREETING', 'SURVEY', 'NEWSLETTER'].includes(o.message.purpose ?? '') &&
        o.message.channel !== 'PUSH' &&
        o.decision.kind !== 'COMMERCIAL',
    );
    expect(downgraded.map((o) => o.message.id)).toEqual([]);
  });

  it('gives every decision reasons, and every escalation its signals', () => {
    for (const { decision } of outcomes) {
      expect(decision.reasons.length).toBeGreaterThan(0);
    }
    const escalated = outcomes.filter(
      (o) =>
        o.message.purpose !== undefined &&
        o.decision.kind === 'COMMERCIAL' &&
        !o.decision.reasons.some((r) => r.endsWith('is commercial')),
    );
    for (const { decision } of escalated) {
      expect(decision.signals.some((signal) => signal.startsWith('promo.'))).toBe(true);
    }
  });
});

function formatTable(rows: readonly Record<string, string | number>[]): string[] {
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(columns),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...rows.map((row) => line(columns.map((column) => String(row[column])))),
  ];
}
