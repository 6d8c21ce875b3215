import { errorItem, type IysErrorItem } from '../core/iys-errors';
import { type ConsentType, type RecipientType, isConsentType, isPlainObject, isRecipientType } from '../core/iys-types';
import { isPhoneType, isValidEmail, isValidPhone, normaliseRecipient, recipientProblem } from './recipient-format';

// Request rules of the read endpoints: single status (C4), history (C6) and multi status (C5).

export interface ConsentKeyQuery {
  recipient: string;
  recipientType: RecipientType;
  type: ConsentType;
}

type Result<T> = { ok: true; value: T } | { ok: false; status: 400 | 422; errors: IysErrorItem[] };

const KEY_FIELDS: ReadonlySet<string> = new Set(['recipient', 'recipientType', 'type']);

/** C4 and C6 body: all three of recipient, recipientType (H170) and type are required. */
export function validateKeyQuery(body: unknown): Result<ConsentKeyQuery> {
  if (!isPlainObject(body)) return { ok: false, status: 400, errors: [errorItem('H097')] };
  const errors: IysErrorItem[] = [];
  const add = (code: string, field: string, value: unknown) =>
    errors.push(errorItem(code, { location: [field], value }));
  for (const key of Object.keys(body)) if (!KEY_FIELDS.has(key)) add('H118', key, body[key]);
  const { recipient, recipientType, type } = body;
  if (type === undefined || type === null || type === '') add('H111', 'type', type);
  else if (!isConsentType(type)) add('H117', 'type', type);
  if (recipientType === undefined || recipientType === null || recipientType === '')
    add('H170', 'recipientType', recipientType);
  else if (!isRecipientType(recipientType)) add('H116', 'recipientType', recipientType);
  if (recipient === undefined || recipient === null || recipient === '') add('H114', 'recipient', recipient);
  else if (typeof recipient !== 'string')
    add(isConsentType(type) ? (type === 'EPOSTA' ? 'H120' : 'H121') : 'H122', 'recipient', recipient);
  else if (isConsentType(type)) {
    const problem = recipientProblem(type, recipient, 'H166');
    if (problem) add(problem, 'recipient', recipient);
  }
  if (errors.length) return { ok: false, status: 422, errors };
  const t = type as ConsentType;
  return {
    ok: true,
    value: {
      recipient: normaliseRecipient(t, recipient as string),
      recipientType: recipientType as RecipientType,
      type: t,
    },
  };
}

export const MAX_MULTI_STATUS_RECIPIENTS = 1000;

/** C5 body `{ recipients: [...] }` for one type (H168, H478, H164, H127, H464, H193). */
export function validateMultiStatus(body: unknown, type: ConsentType): Result<string[]> {
  if (!isPlainObject(body)) return { ok: false, status: 400, errors: [errorItem('H097')] };
  const errors: IysErrorItem[] = [];
  for (const key of Object.keys(body))
    if (key !== 'recipients') errors.push(errorItem('H118', { location: [key], value: body[key] }));
  const recipients = body.recipients;
  if (recipients === undefined || recipients === null) errors.push(errorItem('H168', { location: ['recipients'] }));
  else if (!Array.isArray(recipients)) errors.push(errorItem('H478', { location: ['recipients'], value: recipients }));
  else if (recipients.length === 0) errors.push(errorItem('H164', { location: ['recipients'] }));
  else if (recipients.length > MAX_MULTI_STATUS_RECIPIENTS)
    errors.push(errorItem('H127', { location: ['recipients'], value: recipients.length }));
  if (errors.length) return { ok: false, status: 422, errors };
  const list = recipients as unknown[];
  const seen = new Set<string>();
  const normalised: string[] = [];
  list.forEach((r, i) => {
    const fits = typeof r === 'string' && (isPhoneType(type) ? isValidPhone(r) : isValidEmail(r));
    if (!fits) {
      errors.push(errorItem('H464', { location: ['recipients', i], value: r }));
      return;
    }
    const n = normaliseRecipient(type, r);
    if (seen.has(n)) errors.push(errorItem('H193', { location: ['recipients', i], value: r }));
    seen.add(n);
    normalised.push(n);
  });
  if (errors.length) return { ok: false, status: 422, errors };
  return { ok: true, value: normalised };
}

export interface Page {
  offset: number;
  limit: number;
}

function parseIntParam(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw)) return null;
  return Number(raw);
}

/** offset/limit of paged lists (H182 offset, H183 limit, H186 limit > max, H187 limit 0). */
export function validatePage(rawOffset: unknown, rawLimit: unknown, maxLimit = 100): Result<Page> {
  const errors: IysErrorItem[] = [];
  let offset = 0;
  let limit = maxLimit;
  if (rawOffset !== undefined) {
    const n = parseIntParam(rawOffset);
    if (n === null || n < 0) errors.push(errorItem('H182', { location: ['offset'], value: rawOffset }));
    else offset = n;
  }
  if (rawLimit !== undefined) {
    const n = parseIntParam(rawLimit);
    if (n === null || n < 0) errors.push(errorItem('H183', { location: ['limit'], value: rawLimit }));
    else if (n === 0) errors.push(errorItem('H187', { location: ['limit'], value: rawLimit }));
    else if (n > maxLimit) errors.push(errorItem('H186', { location: ['limit'], value: rawLimit }));
    else limit = n;
  }
  if (errors.length) return { ok: false, status: 422, errors };
  return { ok: true, value: { offset, limit } };
}
