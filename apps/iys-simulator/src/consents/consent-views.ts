import type { Brand, ConsentRecord, Movement } from '../state/state-model';

// How a stored movement looks on each İYS endpoint (iys-api.md §5). Fields İYS omits when unset stay absent.

function withDates(m: Movement, view: Record<string, unknown>): Record<string, unknown> {
  if (m.source !== null) view.source = m.source;
  if (m.consentDate !== null) view.consentDate = m.consentDate;
  return view;
}

/** C4: the key's latest movement, with retailer fields only when set ([SPEC] shape, not the older [DEV] one). */
export function statusView(record: ConsentRecord, brand: Brand): Record<string, unknown> {
  const m = record.current;
  const view = withDates(m, { recipient: m.recipient, recipientType: m.recipientType, type: m.type, status: m.status });
  view.creationDate = m.creationDate;
  view.transactionId = m.transactionId;
  if (record.retailerCode !== undefined) {
    view.retailerCode = record.retailerCode;
    const title = brand.retailers.get(record.retailerCode)?.title;
    if (title) view.retailerTitle = title;
  }
  if (record.retailerAccess !== undefined) view.retailerAccessCount = record.retailerAccess.length;
  return view;
}

/** C6 list item. */
export function historyView(m: Movement): Record<string, unknown> {
  return withDates(m, {
    recipient: m.recipient,
    recipientType: m.recipientType,
    status: m.status,
    type: m.type,
    creationDate: m.creationDate,
    transactionId: m.transactionId,
  });
}

/**
 * C7 list item. `citizenName` only for IYS_WEB_YENI (a citizen adding the brand for the first time). A carrier's
 * line closure on a TACIR record stored without a date carries an empty consentDate ([SPEC] §5.7).
 */
export function pullView(m: Movement): Record<string, unknown> {
  const view: Record<string, unknown> = {
    consentDate: m.consentDate ?? '',
    creationDate: m.creationDate,
    source: m.source ?? '',
    recipient: m.recipient,
    recipientType: m.recipientType,
    status: m.status,
    type: m.type,
    transactionId: m.transactionId,
  };
  if (m.citizenName !== undefined && m.source === 'IYS_WEB_YENI') view.citizenName = m.citizenName;
  return view;
}

/** Push payload item (P1 delivery shape). */
export function pushView(m: Movement): Record<string, unknown> {
  return {
    iysCode: m.iysCode,
    brandCode: m.brandCode,
    consentDate: m.consentDate ?? '',
    creationDate: m.creationDate,
    source: m.source ?? '',
    recipient: m.recipient,
    recipientType: m.recipientType,
    status: m.status,
    type: m.type,
    transactionId: m.transactionId,
  };
}

/** /_sim/consents item: İYS's consent fields plus the codes, for tests. */
export function simulatorConsentView(record: ConsentRecord, brand: Brand): Record<string, unknown> {
  return { iysCode: record.iysCode, brandCode: record.brandCode, ...statusView(record, brand) };
}
