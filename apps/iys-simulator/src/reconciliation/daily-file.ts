import { createHash } from 'crypto';
import type { ConsentType, RecipientType, SourceGroup } from '../core/iys-types';
import { CONSENT_TYPES } from '../core/iys-types';
import type { Movement } from '../state/state-model';

// The daily movement file and its summary (M1, M2, M4; iys-api.md §5.11). The HS hashes its own CSV of the day
// with SHA-384 and compares it with M2's hashValue, so the file's bytes are a contract: the header, the column
// order, the sort (creationDate, then transactionId) and the trailing newline must never change.

export const DAILY_FILE_HEADER = 'creationDate,transactionId,recipient,recipientType,type,status,consentDate,source';

/** Same-second movements of one key share a transactionId (rule 19); each stays its own row (❓ in İYS). */
export function buildDailyFile(movements: readonly Movement[]): string {
  const rows = [...movements].sort((a, b) =>
    a.creationDate < b.creationDate
      ? -1
      : a.creationDate > b.creationDate
        ? 1
        : a.transactionId < b.transactionId
          ? -1
          : a.transactionId > b.transactionId
            ? 1
            : a.seq - b.seq,
  );
  let csv = `${DAILY_FILE_HEADER}\n`;
  for (const m of rows) {
    csv += `${m.creationDate},${m.transactionId},${m.recipient},${m.recipientType},${m.type},${m.status},${m.consentDate ?? ''},${m.source ?? ''}\n`;
  }
  return csv;
}

export function sha384Hex(text: string): string {
  return createHash('sha384').update(text, 'utf8').digest('hex');
}

interface SourceStats {
  source: SourceGroup;
  approval: number;
  rejection: number;
  pending: number;
  total: number;
}

/**
 * M1: per type and source group, `approval` = a new ONAY or RET→ONAY, `rejection` = ONAY→RET. A repeated ONAY
 * changes nothing and is not counted; `pending` (ViA's BEKLIYOR) never occurs here.
 */
export function summariseDay(
  movements: readonly Movement[],
  recipientType: RecipientType,
  types: ReadonlySet<ConsentType>,
): { changeStats: unknown[] } {
  const stats = new Map<ConsentType, Record<SourceGroup, SourceStats>>();
  for (const type of CONSENT_TYPES) {
    if (!types.has(type)) continue;
    stats.set(type, {
      HS: { source: 'HS', approval: 0, rejection: 0, pending: 0, total: 0 },
      IYS: { source: 'IYS', approval: 0, rejection: 0, pending: 0, total: 0 },
    });
  }
  for (const m of movements) {
    const s = stats.get(m.type)?.[m.group];
    if (!s || m.recipientType !== recipientType) continue;
    if (m.status === 'ONAY' && m.previousStatus !== 'ONAY') s.approval++;
    else if (m.status === 'RET' && m.previousStatus === 'ONAY') s.rejection++;
    else continue;
    s.total++;
  }
  return {
    changeStats: [...stats.entries()].map(([type, byGroup]) => ({ type, consents: [byGroup.HS, byGroup.IYS] })),
  };
}
