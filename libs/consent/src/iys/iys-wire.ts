import { formatIysDate, tryParseIysDate } from '../calendar';
import {
  isConsentStatus,
  isIysType,
  isRecipientType,
  type ConsentStatus,
  type IysType,
  type RecipientType,
} from '../domain';

/** Which brand a call is about: İYS's path codes. */
export interface IysBrandRef {
  iysCode: string;
  brandCode: string;
}

/** The consent object of C1/C2 (iys-api.md §5.1), exactly as sent. */
export interface IysConsentBody {
  consentDate?: string;
  source?: string;
  recipient: string;
  recipientType?: RecipientType;
  status: ConsentStatus;
  type: IysType;
  retailerCode?: number;
  retailerAccess?: number[];
}

/** What Izinli holds of a movement it sends. */
export interface OutgoingMovement {
  recipient: string;
  type: IysType;
  status: ConsentStatus;
  source: string | null;
  consentDate: Date | null;
  recipientType: RecipientType;
  retailerCode?: number | null;
  retailerAccess?: number[] | null;
}

/**
 * The body of a single or batch add. Dates go in Turkey time as `YYYY-MM-DD HH:mm:ss` (İYS rejects UTC strings as
 * the future, H162, or files them three hours off), and every optional field without a value is left out rather
 * than sent empty, which İYS refuses (H267). The result is deterministic for a given movement: the v2 add
 * recognises an identical re-send only when the body is the same, which is what makes a retry safe.
 */
export function toIysConsentBody(m: OutgoingMovement): IysConsentBody {
  const body: IysConsentBody = {
    recipient: m.recipient,
    recipientType: m.recipientType,
    status: m.status,
    type: m.type,
  };
  if (m.consentDate) body.consentDate = formatIysDate(m.consentDate);
  if (m.source) body.source = m.source;
  if (m.retailerCode !== null && m.retailerCode !== undefined) body.retailerCode = m.retailerCode;
  if (m.retailerAccess && m.retailerAccess.length > 0) body.retailerAccess = [...m.retailerAccess];
  return body;
}

/** A movement as İYS reports it in pull (C7), push, the status query (C4) and the daily file. */
export interface IysMovement {
  transactionId: string;
  creationDate: Date;
  /** Null for a carrier's line closure on a TACIR record that never had a date (iys-api.md §5.7). */
  consentDate: Date | null;
  source: string;
  recipient: string;
  recipientType: RecipientType;
  status: ConsentStatus;
  type: IysType;
  /** Present in push payloads. */
  brandCode?: string;
  iysCode?: string;
}

/** Why a movement from İYS could not be read; it is skipped and counted, never stored half-understood. */
export interface UnreadableIysMovement {
  transactionId?: string;
  problem: string;
}

/**
 * Reads one movement of İYS's feeds, tolerating what İYS leaves open: an empty consentDate, codes as numbers or
 * strings, extra fields (citizenName, retailer fields), and unknown IYS_* sources. E-mail addresses are lower-cased
 * (İYS stores them so; iys-api.md §7 rule 2) and phone numbers kept exactly, since İYS does not normalise them.
 */
export function readIysMovement(
  raw: unknown,
): { ok: true; movement: IysMovement } | { ok: false; unreadable: UnreadableIysMovement } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, unreadable: { problem: 'not an object' } };
  const r = raw as Record<string, unknown>;
  const transactionId =
    typeof r.transactionId === 'string' && /^[0-9A-Za-z-]{8,128}$/.test(r.transactionId)
      ? r.transactionId.toLowerCase()
      : undefined;
  const fail = (problem: string) => ({ ok: false as const, unreadable: { transactionId, problem } });
  if (!transactionId) return fail('transactionId is missing or malformed');
  if (!isIysType(r.type)) return fail('type is not ARAMA, MESAJ or EPOSTA');
  if (!isConsentStatus(r.status)) return fail('status is not ONAY or RET');
  const recipientType =
    r.recipientType === undefined || r.recipientType === null || r.recipientType === '' ? 'BIREYSEL' : r.recipientType;
  if (!isRecipientType(recipientType)) return fail('recipientType is not BIREYSEL or TACIR');
  if (typeof r.recipient !== 'string' || r.recipient.trim() === '' || r.recipient.length > 265)
    return fail('recipient is missing');
  const creationDate = typeof r.creationDate === 'string' ? tryParseIysDate(r.creationDate) : null;
  if (!creationDate) return fail('creationDate is not YYYY-MM-DD HH:mm:ss');
  let consentDate: Date | null = null;
  if (typeof r.consentDate === 'string' && r.consentDate !== '') {
    consentDate = tryParseIysDate(r.consentDate);
    if (!consentDate) return fail('consentDate is not YYYY-MM-DD HH:mm:ss');
  }
  const source = typeof r.source === 'string' ? r.source : '';
  const recipient = r.type === 'EPOSTA' ? r.recipient.trim().toLowerCase() : r.recipient.trim();
  const movement: IysMovement = {
    transactionId,
    creationDate,
    consentDate,
    source,
    recipient,
    recipientType,
    status: r.status,
    type: r.type,
  };
  const code = (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v)
      ? String(v)
      : typeof v === 'string' && /^\d{1,12}$/.test(v)
        ? v
        : undefined;
  const brandCode = code(r.brandCode);
  const iysCode = code(r.iysCode);
  if (brandCode) movement.brandCode = brandCode;
  if (iysCode) movement.iysCode = iysCode;
  return { ok: true, movement };
}

/** One item of a batch result (C3/C3v2), with İYS's inconsistent key spelling (`subrequestId`) smoothed out. */
export interface IysBatchItemResult {
  index: number;
  status: 'success' | 'enqueue' | 'failure';
  subRequestId?: string;
  transactionId?: string;
  creationDate?: Date;
  errorCode?: string;
}

export function readBatchItem(raw: unknown): IysBatchItemResult | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const index =
    typeof r.index === 'number'
      ? r.index
      : typeof r.index === 'string' && /^\d+$/.test(r.index)
        ? Number(r.index)
        : NaN;
  if (!Number.isInteger(index) || index < 0) return null;
  if (r.status !== 'success' && r.status !== 'enqueue' && r.status !== 'failure') return null;
  const item: IysBatchItemResult = { index, status: r.status };
  const sub = r.subRequestId ?? r.subrequestId;
  if (typeof sub === 'string') item.subRequestId = sub;
  if (r.status === 'success') {
    if (typeof r.transactionId !== 'string') return null;
    item.transactionId = r.transactionId.toLowerCase();
    const created = typeof r.creationDate === 'string' ? tryParseIysDate(r.creationDate) : null;
    if (!created) return null;
    item.creationDate = created;
  }
  if (r.status === 'failure') {
    const e = r.error as Record<string, unknown> | undefined;
    item.errorCode = typeof e?.code === 'string' ? e.code : 'UNKNOWN';
  }
  return item;
}
