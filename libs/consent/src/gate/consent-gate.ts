import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows, SqlExecutor } from '@izinli/database';
import { Clock } from '../clock';
import type { IysType, MessageKind, RecipientType } from '../domain';
import { GateReason, gateReasonSql, isAllowed } from './gate-policy';

/** Which brand (and whose suppression list) a decision is for. `tenantId` is the host's owner of the brand. */
export interface GateScope {
  brandId: string;
  tenantId: string;
}

/** The movement a decision relied on, so any sent message can be justified later. */
export interface ReliedOnMovement {
  movementId: string;
  /** Null, like the source, for a merchant's (TACIR) first record registered without one. */
  consentDate: Date | null;
  source: string | null;
  iysTransactionId: string | null;
}

export interface GateResult {
  recipient: string;
  recipientType: RecipientType;
  allowed: boolean;
  reason: GateReason;
  movement: ReliedOnMovement | null;
}

export interface GateQueryParams {
  /** Placeholders (e.g. '$3') for the values the gate needs; the caller binds them. */
  brandId: string;
  tenantId: string;
  type: string;
  kind: string;
  now: string;
  /**
   * How suppressions are looked up. 'index' (the default) probes the suppression index once per audience row: right
   * for a message, a chunk or a checked list, and it never reads more of the list than the audience's addresses.
   * 'hash' reads the tenant's whole suppression list once and hash-joins it: right for a whole campaign audience.
   */
  suppressionLookup?: 'index' | 'hash';
}

/**
 * The consent gate, set-wise. `buildGateSql` turns any audience query (columns `recipient`, `recipient_type`)
 * into one statement that decides every row at once, joined against `consents` and `suppressions`: no query
 * per recipient, whatever the audience size. The campaigns app wraps it in INSERT … SELECT to fill
 * its ledger; `check` runs it for an explicit list.
 */
@Injectable()
export class ConsentGate {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  static buildGateSql(audienceSql: string, p: GateQueryParams): string {
    return `SELECT a.*, r.reason, r.reason NOT IN ('NO_CONSENT', 'REFUSED', 'NOT_REGISTERED', 'SUPPRESSED') AS allowed,
        c.movement_id, c.consent_date AS relied_consent_date, c.source AS relied_source, c.iys_transaction_id AS relied_transaction_id
      FROM (${audienceSql}) a
      LEFT JOIN consents c
        ON c.brand_id = ${p.brandId} AND c.type = ${p.type} AND c.recipient = a.recipient AND c.recipient_type = a.recipient_type
      ${
        p.suppressionLookup === 'hash'
          ? `LEFT JOIN (
        SELECT DISTINCT email FROM suppressions WHERE tenant_id IS NULL OR tenant_id = ${p.tenantId}
      ) s ON s.email = a.recipient`
          : `LEFT JOIN LATERAL (
        SELECT email FROM suppressions WHERE email = a.recipient AND (tenant_id IS NULL OR tenant_id = ${p.tenantId}) LIMIT 1
      ) s ON true`
      }
      CROSS JOIN LATERAL (SELECT ${gateReasonSql({ recipientType: 'a.recipient_type', kind: p.kind, now: p.now })} AS reason) r`;
  }

  /**
   * Decides for an explicit list of already-normalised recipients in one statement. Order of the answer follows
   * the input; duplicates are answered once each.
   */
  async check(
    scope: GateScope,
    input: { type: IysType; kind: MessageKind; recipients: string[]; recipientType: RecipientType },
    executor: SqlExecutor = this.ds,
  ): Promise<GateResult[]> {
    if (input.recipients.length === 0) return [];
    const audience = `SELECT recipient, ord, $6::text AS recipient_type FROM unnest($1::text[]) WITH ORDINALITY AS u(recipient, ord)`;
    const sql =
      ConsentGate.buildGateSql(audience, { brandId: '$2', tenantId: '$3', type: '$4', kind: '$5', now: '$7' }) +
      ' ORDER BY a.ord';
    const rows = await sqlRows<{
      recipient: string;
      recipient_type: RecipientType;
      reason: GateReason;
      movement_id: string | null;
      relied_consent_date: Date | null;
      relied_source: string | null;
      relied_transaction_id: string | null;
    }>(executor, sql, [
      input.recipients,
      scope.brandId,
      scope.tenantId,
      input.type,
      input.kind,
      input.recipientType,
      this.clock.now(),
    ]);
    return rows.map((r) => ({
      recipient: r.recipient,
      recipientType: r.recipient_type,
      reason: r.reason,
      allowed: isAllowed(r.reason),
      movement:
        r.movement_id && input.kind === 'COMMERCIAL'
          ? {
              movementId: String(r.movement_id),
              consentDate: r.relied_consent_date === null ? null : new Date(r.relied_consent_date),
              source: r.relied_source,
              iysTransactionId: r.relied_transaction_id,
            }
          : null,
    }));
  }
}
