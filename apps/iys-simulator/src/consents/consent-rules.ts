import { isWithinThreeBusinessDays } from '../core/business-days';
import { errorItem, type IysErrorItem } from '../core/iys-errors';
import {
  type ConsentStatus,
  type ConsentType,
  type HsSource,
  type RecipientType,
  isConsentStatus,
  isConsentType,
  isHsSource,
  isPlainObject,
  isRecipientType,
} from '../core/iys-types';
import { parseTurkeyDateTime } from '../core/turkey-time';
import { isValidEmail, isValidPhone, normaliseRecipient, recipientProblem } from './recipient-format';

// The validation and business rules of an HS movement (iys-api.md §7), as pure functions. The numbers in the
// comments are the rule numbers of §7, which the conformance tests are named after.
//
// Order of checks (undocumented; the order §7 suggests): schema and format errors are collected together and
// answered 422; only when there are none are the 400-class request errors (empty optional fields, wrong JSON
// types) answered; then the date rules (422); then the per-key state rules (400).

/** A movement that passed the schema checks, with the recipient normalised. */
export interface ConsentCommand {
  recipient: string;
  type: ConsentType;
  status: ConsentStatus;
  recipientType: RecipientType;
  /** Null only for a TACIR first insert that omitted it (rule 15). */
  source: HsSource | null;
  consentDate: string | null;
  consentMs: number | null;
  retailerCode?: number;
  retailerAccess?: number[];
}

export type ShapeResult =
  { ok: true; command: ConsentCommand } | { ok: false; status: 400 | 422; errors: IysErrorItem[] };

const CONSENT_FIELDS: ReadonlySet<string> = new Set([
  'recipient',
  'type',
  'source',
  'status',
  'consentDate',
  'recipientType',
  'retailerCode',
  'retailerAccess',
]);

/** The earliest consentDate İYS accepts, and the one HS_2015 must carry exactly (rules 6, 7). */
export const EARLIEST_CONSENT_DATE = '2015-05-01 00:00:00';
const EARLIEST_CONSENT_MS = (parseTurkeyDateTime(EARLIEST_CONSENT_DATE) as { ok: true; ms: number }).ms;

/** Retailer access lists longer than this are H126 (the H126 text says 100; the schema says 3000: the stricter wins). */
export const MAX_RETAILER_ACCESS = 100;

function isEmptyValue(v: unknown): boolean {
  return v === null || v === '';
}

/** Rules 1–5, 14 (H408), 18 (H163), 21 (H267): the shape of one consent object. */
export function validateConsentShape(body: Record<string, unknown>, index?: number): ShapeResult {
  const unprocessable: IysErrorItem[] = [];
  const badRequest: IysErrorItem[] = [];
  const add = (list: IysErrorItem[], code: string, field: string, value?: unknown) =>
    list.push(errorItem(code, { location: [field], value, index }));

  for (const key of Object.keys(body)) {
    if (!CONSENT_FIELDS.has(key)) add(unprocessable, 'H118', key, body[key]);
  }

  const { recipient, type, status, source, consentDate } = body;
  let recipientType: RecipientType = 'BIREYSEL';
  if (body.recipientType !== undefined) {
    if (isEmptyValue(body.recipientType)) add(badRequest, 'H267', 'recipientType', body.recipientType);
    else if (!isRecipientType(body.recipientType)) add(unprocessable, 'H116', 'recipientType', body.recipientType);
    else recipientType = body.recipientType;
  }
  const tacir = recipientType === 'TACIR';

  if (type === undefined || isEmptyValue(type)) add(unprocessable, 'H111', 'type', type);
  else if (!isConsentType(type)) add(unprocessable, 'H117', 'type', type);

  if (status === undefined || isEmptyValue(status)) add(unprocessable, 'H110', 'status', status);
  else if (!isConsentStatus(status)) add(unprocessable, 'H115', 'status', status);

  if (recipient === undefined || isEmptyValue(recipient)) add(unprocessable, 'H114', 'recipient', recipient);
  else if (!isConsentType(type)) {
    // Without a valid type the recipient can only be judged as "a phone or an e-mail" (H122).
    if (typeof recipient !== 'string' || (!isValidPhone(recipient) && !isValidEmail(recipient)))
      add(unprocessable, 'H122', 'recipient', recipient);
  } else {
    const problem =
      typeof recipient === 'string' ? recipientProblem(type, recipient) : type === 'EPOSTA' ? 'H120' : 'H121';
    if (problem) add(unprocessable, problem, 'recipient', recipient);
  }

  // Rule 15: a TACIR first insert may leave out source and consentDate. Whether this is a first insert is a
  // question for the state, so the shape only lets them be absent for TACIR; present-but-empty is still H267.
  if (source === undefined) {
    if (!tacir) add(unprocessable, 'H113', 'source', source);
  } else if (isEmptyValue(source)) {
    if (tacir) add(badRequest, 'H267', 'source', source);
    else add(unprocessable, 'H113', 'source', source);
  } else if (!isHsSource(source)) add(unprocessable, 'H119', 'source', source);
  else if (source === 'HS_KARAR' && status === 'ONAY') add(unprocessable, 'H408', 'source', source);

  let consentMs: number | null = null;
  if (consentDate === undefined) {
    if (!tacir) add(unprocessable, 'H112', 'consentDate', consentDate);
  } else if (isEmptyValue(consentDate)) {
    if (tacir) add(badRequest, 'H267', 'consentDate', consentDate);
    else add(unprocessable, 'H112', 'consentDate', consentDate);
  } else if (typeof consentDate !== 'string') add(unprocessable, 'H158', 'consentDate', consentDate);
  else {
    const parsed = parseTurkeyDateTime(consentDate);
    if (parsed.ok) consentMs = parsed.ms;
    else add(unprocessable, parsed.reason === 'format' ? 'H158' : 'H157', 'consentDate', consentDate);
  }

  let retailerCode: number | undefined;
  if (body.retailerCode !== undefined) {
    if (isEmptyValue(body.retailerCode)) add(badRequest, 'H267', 'retailerCode', body.retailerCode);
    else if (!Number.isSafeInteger(body.retailerCode)) add(badRequest, 'H085', 'retailerCode', body.retailerCode);
    else retailerCode = body.retailerCode as number;
  }
  let retailerAccess: number[] | undefined;
  if (body.retailerAccess !== undefined) {
    const access = body.retailerAccess;
    if (isEmptyValue(access)) add(badRequest, 'H267', 'retailerAccess', access);
    else if (!Array.isArray(access) || !access.every((c) => Number.isSafeInteger(c)))
      add(badRequest, 'H085', 'retailerAccess', access);
    else if (access.length === 0) add(unprocessable, 'H163', 'retailerAccess', access);
    else if (access.length > MAX_RETAILER_ACCESS) add(unprocessable, 'H126', 'retailerAccess', access.length);
    else retailerAccess = access as number[];
  }

  if (unprocessable.length) return { ok: false, status: 422, errors: unprocessable };
  if (badRequest.length) return { ok: false, status: 400, errors: badRequest };
  const command: ConsentCommand = {
    recipient: normaliseRecipient(type as ConsentType, recipient as string),
    type: type as ConsentType,
    status: status as ConsentStatus,
    recipientType,
    source: (source as HsSource | undefined) ?? null,
    consentDate: (consentDate as string | undefined) ?? null,
    consentMs,
  };
  if (retailerCode !== undefined) command.retailerCode = retailerCode;
  if (retailerAccess !== undefined) command.retailerAccess = retailerAccess;
  return { ok: true, command };
}

export interface DateRuleOptions {
  enforceThreeBusinessDays: boolean;
  /** Epoch ms of the activation date; requests before it are exempt from H467. */
  threeBusinessDaysFromMs: number | null;
  holidays: ReadonlySet<string>;
}

/** Rules 6–9: H156, H155, H162, H467, judged at `requestMs` (the moment İYS received the request). */
export function checkConsentDates(
  command: ConsentCommand,
  requestMs: number,
  options: DateRuleOptions,
  index?: number,
): IysErrorItem[] {
  if (command.consentMs === null) return [];
  const errors: IysErrorItem[] = [];
  const at = { location: ['consentDate'], value: command.consentDate, index };
  if (command.source === 'HS_2015') {
    if (command.consentDate !== EARLIEST_CONSENT_DATE) errors.push(errorItem('H155', at));
    // HS_2015 exists to declare pre-2015 consents, so the three-business-day rule cannot apply to it.
    return errors;
  }
  if (command.consentMs < EARLIEST_CONSENT_MS) errors.push(errorItem('H156', at));
  if (command.consentMs > requestMs) errors.push(errorItem('H162', at));
  const enforced =
    options.enforceThreeBusinessDays &&
    (options.threeBusinessDaysFromMs === null || requestMs >= options.threeBusinessDaysFromMs);
  if (enforced && errors.length === 0 && !isWithinThreeBusinessDays(command.consentMs, requestMs, options.holidays)) {
    errors.push(errorItem('H467', at));
  }
  return errors;
}

export interface StoredConsentState {
  status: ConsentStatus;
  consentMs: number | null;
}

export interface TransitionOptions {
  allowRepeatedOnay: boolean;
  allowEqualConsentDate: boolean;
}

/** Rules 10–15: what the key's current state allows. Returns the one rejection, or null to accept. */
export function checkTransition(
  current: StoredConsentState | undefined,
  command: ConsentCommand,
  options: TransitionOptions,
  index?: number,
): IysErrorItem | null {
  const at = (field: string, value: unknown) => ({ location: [field], value, index });
  if (!current) {
    // Rule 10 (and 14: HS_KARAR is RET-only, so it can never be a first record).
    return command.status === 'RET' ? errorItem('H175', { index }) : null;
  }
  if (command.recipientType === 'TACIR') {
    if (command.consentDate === null) return errorItem('H462', at('consentDate', command.consentDate));
    if (command.source === null) return errorItem('H463', at('source', command.source));
  }
  // Rule 11: latest consentDate wins. A stored TACIR record without a date is older than any dated movement.
  if (current.consentMs !== null && command.consentMs !== null) {
    const older = command.consentMs < current.consentMs;
    const equal = command.consentMs === current.consentMs;
    if (older || (equal && !options.allowEqualConsentDate))
      return errorItem('H178', at('consentDate', command.consentDate));
  }
  // Rules 12 and 13.
  if (command.status === current.status && (command.status === 'RET' || !options.allowRepeatedOnay)) {
    return errorItem('H174', {
      message: `İzin durumu güncellemesi için farklı bir durum girilmelidir. İzin durumu: ${current.status}`,
      location: ['status'],
      value: command.status,
      index,
    });
  }
  return null;
}

/** Rule 18: one async batch. Item shapes are checked by `validateConsentShape`; this adds the list rules. */
export function validateBatchShape(
  body: unknown,
  tooManyCode: 'H091' | 'H125',
  maxItems = 1000,
): { ok: true; commands: ConsentCommand[] } | { ok: false; status: 400 | 422; errors: IysErrorItem[] } {
  if (!Array.isArray(body) || body.length === 0) return { ok: false, status: 400, errors: [errorItem('H092')] };
  if (body.length > maxItems)
    return { ok: false, status: 422, errors: [errorItem(tooManyCode, { value: body.length })] };
  const unprocessable: IysErrorItem[] = [];
  const badRequest: IysErrorItem[] = [];
  const commands: ConsentCommand[] = [];
  const seen = new Set<string>();
  body.forEach((item, index) => {
    if (!isPlainObject(item)) {
      badRequest.push(errorItem('H092', { index }));
      return;
    }
    const shape = validateConsentShape(item, index);
    if (!shape.ok) {
      (shape.status === 422 ? unprocessable : badRequest).push(...shape.errors);
      return;
    }
    const c = shape.command;
    const key = `${c.recipientType}|${c.type}|${c.recipient}`;
    if (seen.has(key)) unprocessable.push(errorItem('H194', { index, location: ['recipient'], value: item.recipient }));
    seen.add(key);
    commands.push(c);
  });
  if (unprocessable.length) return { ok: false, status: 422, errors: unprocessable };
  if (badRequest.length) return { ok: false, status: 400, errors: badRequest };
  return { ok: true, commands };
}
