import { Injectable } from '@nestjs/common';
import { sqlExec, sqlOne, SqlExecutor } from '@izinli/database';
import type { ConsentStatus, RecipientType } from '@izinli/consent';
import type { UnsubscribeRecord } from './undo-policy';

/** The consent key and message an unsubscribe link names (the recipient normalised). */
export interface LinkKey {
  brandId: string;
  messageId: string;
  recipient: string;
  recipientType: RecipientType;
}

/** `unsubscribes`: the RETs unsubscribe links put in force, what each replaced, and its undo. */
@Injectable()
export class UnsubscribeRepository {
  /** Called inside the RET's transaction, under the key's lock (ConsentRegistry `alongside`). */
  async insert(
    ex: SqlExecutor,
    row: {
      retMovementId: string;
      brandId: string;
      messageId: string;
      replaced?: { movementId: string; status: ConsentStatus };
      unsubscribedAt: Date;
    },
  ): Promise<void> {
    await sqlExec(
      ex,
      `INSERT INTO unsubscribes (ret_movement_id, brand_id, message_id, replaced_movement_id, replaced_status, unsubscribed_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        row.retMovementId,
        row.brandId,
        row.messageId,
        row.replaced?.movementId ?? null,
        row.replaced?.status ?? null,
        row.unsubscribedAt,
      ],
    );
  }

  /** The latest RET this link put in force for its key, with the movement in force for that key now. */
  async latestForLink(ex: SqlExecutor, link: LinkKey): Promise<UnsubscribeRecord | undefined> {
    const row = await sqlOne<{
      ret_movement_id: string;
      ret_source: string;
      ret_consent_date: Date | string;
      replaced_status: ConsentStatus | null;
      unsubscribed_at: Date | string;
      undone_at: Date | string | null;
      current_movement_id: string | null;
    }>(
      ex,
      `SELECT u.ret_movement_id::text AS ret_movement_id, m.source AS ret_source, m.consent_date AS ret_consent_date,
              u.replaced_status, u.unsubscribed_at, u.undone_at, c.movement_id::text AS current_movement_id
         FROM unsubscribes u
         JOIN consent_movements m ON m.id = u.ret_movement_id
         LEFT JOIN consents c ON c.brand_id = m.brand_id AND c.type = m.type AND c.recipient = m.recipient
                             AND c.recipient_type = m.recipient_type
        WHERE u.brand_id = $1 AND u.message_id = $2
          AND m.type = 'EPOSTA' AND m.recipient = $3 AND m.recipient_type = $4
        ORDER BY u.ret_movement_id DESC
        LIMIT 1`,
      [link.brandId, link.messageId, link.recipient, link.recipientType],
    );
    if (!row) return undefined;
    return {
      retMovementId: row.ret_movement_id,
      retSource: row.ret_source,
      retConsentDate: new Date(row.ret_consent_date),
      replacedStatus: row.replaced_status,
      unsubscribedAt: new Date(row.unsubscribed_at),
      undoneAt: row.undone_at === null ? null : new Date(row.undone_at),
      currentMovementId: row.current_movement_id,
    };
  }

  /** Marks the unsubscribe undone by this ONAY; false when it already was (the caller then rolls the ONAY back). */
  async markUndone(ex: SqlExecutor, retMovementId: string, undoMovementId: string, at: Date): Promise<boolean> {
    const n = await sqlExec(
      ex,
      `UPDATE unsubscribes SET undo_movement_id = $2, undone_at = $3 WHERE ret_movement_id = $1 AND undone_at IS NULL`,
      [retMovementId, undoMovementId, at],
    );
    return n === 1;
  }
}
