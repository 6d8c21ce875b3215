import { createHash } from 'crypto';
import type { MessageKind } from '@izinli/consent';
import { domainOf, feedbackId } from '../delivery/mail-headers';

/**
 * JSON with object keys sorted at every level and `undefined` members dropped: two bodies that mean the same
 * request serialise to the same string, whatever order the client wrote the fields in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** What an Idempotency-Key is compared with: the SHA-256 of the request's canonical JSON. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Printable ASCII, 1 to 255 characters (the IETF draft's key is an opaque string; a UUID is typical). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** `<m{id}@{from domain}>`: a resend (4xx retry, a worker taking over) carries the same Message-ID. */
export function transactionalMessageId(id: string, fromEmail: string): string {
  return `<m${id}@${domainOf(fromEmail)}>`;
}

export interface MessageHeaderInput {
  kind: MessageKind;
  brandCode: string;
  /** The service provider's İYS code: the sender named in Feedback-ID. */
  senderId: string;
  /** Absolute unsubscribe URL; required for commercial mail, absent from the others. */
  unsubscribeUrl: string | null;
}

/**
 * The stream named in Feedback-ID's first field: mail sent through the API, apart from campaigns (which name their
 * campaign id there). The kind field then tells transactional from commercial.
 */
export const API_STREAM = 'api';

/**
 * Headers of an API message. Commercial mail carries the one-click unsubscribe pair (RFC 8058, compliance.md §6);
 * transactional mail carries none, so the two streams stay apart.
 */
export function messageHeaders(h: MessageHeaderInput): Record<string, string> {
  const kind = h.kind === 'COMMERCIAL' ? 'COMMERCIAL' : 'TRANSACTIONAL';
  const headers: Record<string, string> = { 'Feedback-ID': feedbackId(API_STREAM, h.brandCode, kind, h.senderId) };
  if (kind === 'COMMERCIAL') {
    if (!h.unsubscribeUrl) throw new Error('commercial mail needs an unsubscribe URL');
    headers['List-Unsubscribe'] = `<${h.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return headers;
}

/** Delay before the next try after the `attempts`-th SMTP 4xx: base, doubling, at most six hours. */
export function retryDelayMs(baseMs: number, attempts: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 6 * 3600_000);
}
