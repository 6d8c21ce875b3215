import { Injectable } from '@nestjs/common';
import { sqlExec, sqlOne, sqlRows, SqlExecutor } from '@izinli/database';
import type { ConsentStatus, IysType, RecipientType } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';
import type { ConsentEvidence, MovementOrigin } from './consent.types';

export interface ConsentKey {
  brandId: string;
  type: IysType;
  recipient: string;
  recipientType: RecipientType;
}

export interface ConsentRow {
  status: ConsentStatus;
  /** Null, like consent_date, only for a merchant's (TACIR) first record registered without one. */
  source: string | null;
  consent_date: Date | null;
  movement_id: string;
  iys_state: IysSyncState;
  iys_transaction_id: string | null;
  iys_creation_date: Date | null;
  iys_error_code: string | null;
  registration_deadline: Date | null;
}

export interface HistoryRow {
  id: string;
  status: ConsentStatus;
  source: string | null;
  consent_date: Date | null;
  recorded_at: Date;
  origin: MovementOrigin;
  recorded_by: string;
  evidence: ConsentEvidence | null;
  stale: boolean;
  iys_transaction_id: string | null;
  outbox_state: IysSyncState | null;
  outbox_reason: string | null;
  outbox_transaction_id: string | null;
  outbox_creation_date: Date | null;
  outbox_error_code: string | null;
  outbox_deadline: Date | null;
}

const KEY_WHERE = 'brand_id = $1 AND type = $2 AND recipient = $3 AND recipient_type = $4';
const keyParams = (k: ConsentKey) => [k.brandId, k.type, k.recipient, k.recipientType];

@Injectable()
export class RegistryRepository {
  /** Serialises writers of one consent key across every process (held until the transaction ends). */
  async lockKey(ex: SqlExecutor, k: ConsentKey): Promise<void> {
    await sqlRows(ex, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `${k.brandId}|${k.type}|${k.recipientType}|${k.recipient}`,
    ]);
  }

  current(ex: SqlExecutor, k: ConsentKey): Promise<ConsentRow | undefined> {
    return sqlOne<ConsentRow>(ex, `SELECT * FROM consents WHERE ${KEY_WHERE}`, keyParams(k));
  }

  /**
   * Whether İYS has, or is about to have, an ONAY for this key: a movement that came from İYS, or an ONAY
   * accepted by İYS or still on its way. A RET for a key that İYS has never seen would be refused (H175).
   */
  async iysKnowsKey(ex: SqlExecutor, k: ConsentKey): Promise<boolean> {
    const row = await sqlOne(
      ex,
      `SELECT 1 FROM consent_movements WHERE ${KEY_WHERE} AND iys_transaction_id IS NOT NULL
       UNION ALL
       SELECT 1 FROM iys_outbox WHERE ${KEY_WHERE} AND status = 'ONAY' AND state IN ('PENDING', 'ACCEPTED')
       LIMIT 1`,
      keyParams(k),
    );
    return !!row;
  }

  async insertMovement(
    ex: SqlExecutor,
    k: ConsentKey,
    m: {
      status: ConsentStatus;
      source: string | null;
      consentDate: Date | null;
      origin: MovementOrigin;
      recordedBy: string;
      evidence?: ConsentEvidence;
      stale: boolean;
      iysTransactionId?: string;
    },
  ): Promise<string> {
    const row = await sqlOne<{ id: string }>(
      ex,
      `INSERT INTO consent_movements (brand_id, type, recipient, recipient_type, status, source, consent_date, origin, recorded_by, evidence, stale, iys_transaction_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        ...keyParams(k),
        m.status,
        m.source,
        m.consentDate,
        m.origin,
        m.recordedBy,
        m.evidence ? JSON.stringify(m.evidence) : null,
        m.stale,
        m.iysTransactionId ?? null,
      ],
    );
    return String(row!.id);
  }

  async upsertCurrent(
    ex: SqlExecutor,
    k: ConsentKey,
    c: {
      status: ConsentStatus;
      source: string | null;
      consentDate: Date | null;
      movementId: string;
      iysState: IysSyncState;
      registrationDeadline: Date | null;
      iysTransactionId?: string | null;
      iysCreationDate?: Date | null;
    },
  ): Promise<void> {
    await sqlExec(
      ex,
      `INSERT INTO consents (brand_id, type, recipient, recipient_type, status, source, consent_date, movement_id, iys_state, registration_deadline, iys_transaction_id, iys_creation_date, iys_error_code, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, now())
       ON CONFLICT (brand_id, type, recipient, recipient_type) DO UPDATE SET
         status = EXCLUDED.status, source = EXCLUDED.source, consent_date = EXCLUDED.consent_date, movement_id = EXCLUDED.movement_id,
         iys_state = EXCLUDED.iys_state, registration_deadline = EXCLUDED.registration_deadline,
         iys_transaction_id = EXCLUDED.iys_transaction_id, iys_creation_date = EXCLUDED.iys_creation_date, iys_error_code = NULL, updated_at = now()`,
      [
        ...keyParams(k),
        c.status,
        c.source,
        c.consentDate,
        c.movementId,
        c.iysState,
        c.registrationDeadline,
        c.iysTransactionId ?? null,
        c.iysCreationDate ?? null,
      ],
    );
  }

  async insertOutbox(
    ex: SqlExecutor,
    k: ConsentKey,
    o: {
      movementId: string;
      iysCode: string;
      brandCode: string;
      status: ConsentStatus;
      source: string | null;
      consentDate: Date | null;
      state: IysSyncState;
      reason: string | null;
      deadline: Date;
    },
  ): Promise<string> {
    const row = await sqlOne<{ id: string }>(
      ex,
      `INSERT INTO iys_outbox (movement_id, brand_id, type, recipient, recipient_type, iys_code, brand_code, status, source, consent_date, state, reason, deadline)
       VALUES ($5, $1, $2, $3, $4, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        ...keyParams(k),
        o.movementId,
        o.iysCode,
        o.brandCode,
        o.status,
        o.source,
        o.consentDate,
        o.state,
        o.reason,
        o.deadline,
      ],
    );
    return String(row!.id);
  }

  history(ex: SqlExecutor, k: ConsentKey): Promise<HistoryRow[]> {
    return sqlRows<HistoryRow>(
      ex,
      `SELECT m.id, m.status, m.source, m.consent_date, m.recorded_at, m.origin, m.recorded_by, m.evidence, m.stale, m.iys_transaction_id,
              o.state AS outbox_state, o.reason AS outbox_reason, o.transaction_id AS outbox_transaction_id,
              o.creation_date AS outbox_creation_date, o.error_code AS outbox_error_code, o.deadline AS outbox_deadline
         FROM consent_movements m LEFT JOIN iys_outbox o ON o.movement_id = m.id
        WHERE m.brand_id = $1 AND m.type = $2 AND m.recipient = $3 AND m.recipient_type = $4
        ORDER BY m.consent_date NULLS FIRST, m.id`,
      keyParams(k),
    );
  }
}
