import type { RequestHandler } from 'express';
import { ApiError } from './api-error';

/** Deeper than any body of the API: objects in arrays in objects, a few levels. */
export const MAX_BODY_DEPTH = 32;

export type BodyShapeProblem = { code: 'BODY_TOO_DEEP' | 'INVALID_TEXT' | 'FORBIDDEN_KEY'; path: string };

/** Keys no body of the API has, which only ever serve to reach an object's prototype. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks a parsed body without recursion (a hostile body cannot exhaust the stack here) and finds what no handler
 * should ever see: nesting deeper than MAX_BODY_DEPTH; text PostgreSQL cannot store or that is not Unicode at all
 * (a NUL character, a lone surrogate), in values and in keys alike; and the keys `__proto__`, `constructor` and
 * `prototype`, which the validation whitelist cannot see (every object inherits them) and which no body needs.
 */
export function findBodyShapeProblem(body: unknown): BodyShapeProblem | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: body, path: '', depth: 0 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (!isCleanText(value)) return { code: 'INVALID_TEXT', path: path || '(body)' };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return { code: 'BODY_TOO_DEEP', path: path || '(body)' };
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const at = path ? `${path}.${k}` : k;
      if (!isCleanText(k)) return { code: 'INVALID_TEXT', path: at };
      if (FORBIDDEN_KEYS.has(k)) return { code: 'FORBIDDEN_KEY', path: at };
      stack.push({ value: v, path: at, depth: depth + 1 });
    }
  }
  return null;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isCleanText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}

/** Refuses, with a 400 naming the place, a parsed body (JSON or form) or query that findBodyShapeProblem objects to. */
export const bodyShapeGuard: RequestHandler = (req, _res, next) => {
  const problem = findBodyShapeProblem(req.body) ?? findBodyShapeProblem(req.query);
  if (!problem) return next();
  const at = problem.path.slice(0, 200);
  const detail = {
    BODY_TOO_DEEP: `The request nests deeper than ${MAX_BODY_DEPTH} levels (at ${at}).`,
    INVALID_TEXT: `Text must be valid Unicode without NUL characters (at ${at}).`,
    FORBIDDEN_KEY: `The key at ${at} is not allowed.`,
  }[problem.code];
  next(new ApiError(400, problem.code, detail));
};
