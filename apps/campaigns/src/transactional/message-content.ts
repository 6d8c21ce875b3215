import { Injectable } from '@nestjs/common';
import { createHash } from 'crypto';
import { setImmediate } from 'timers/promises';
import { CompiledTemplate, TemplateEngine, TemplateInvalidError, TemplateSource } from '../templates/template-engine';

const MAX_CACHED = 500;

/**
 * Compiled templates for the API's messages, kept by identity: a saved template by its id (templates are
 * immutable), inline parts by the hash of their source. A service provider sending the same receipt a thousand
 * times a minute compiles it once.
 */
@Injectable()
export class MessageContent {
  private readonly cache = new Map<string, CompiledTemplate>();

  constructor(private readonly engine: TemplateEngine) {}

  /** Compiles (or reuses) a template; throws TemplateInvalidError with each problem's part and line. */
  compile(source: TemplateSource, templateId: string | null): CompiledTemplate {
    const key = templateId
      ? `t:${templateId}`
      : `i:${createHash('sha256')
          .update(JSON.stringify([source.subject, source.html, source.text ?? null]))
          .digest('base64url')}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Most recently used last, so the oldest is evicted first.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const compiled = this.engine.compile(source);
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, compiled);
    return compiled;
  }
}

export { TemplateInvalidError };

/**
 * Inline parts as a template source. An inline message may have text and no html: it is compiled with an empty
 * html part, which `hasHtml` tells the sender to leave out of the mail.
 */
export function inlineSource(parts: { subject: string; html?: string | null; text?: string | null }): {
  source: TemplateSource;
  hasHtml: boolean;
} {
  return {
    source: { subject: parts.subject, html: parts.html ?? '', text: parts.text ?? null, layout: 'none' },
    hasHtml: !!parts.html,
  };
}

/** Content longer than this (in characters) is compiled, rendered and classified in separate turns of the event loop. */
export const LARGE_CONTENT = 64_000;

/**
 * Lets other requests run between the passes over a large message. Each pass is linear, but compiling, rendering
 * and classifying half a megabyte of HTML one after another would still hold the event loop for tens of
 * milliseconds at a time; small messages, the usual case, do not pay for the extra turn.
 */
export async function yieldIfLarge(length: number): Promise<void> {
  if (length > LARGE_CONTENT) await setImmediate();
}
