import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlExec, sqlRows } from '@izinli/database';
import { endOfTurkeyDay, startOfTurkeyDay, toTurkeyDateString } from '../calendar';
import { Clock } from '../clock';
import { IysClient } from '../iys/iys-client';
import { classifyIysFailure } from '../iys/retry-policy';
import type { ConsentBrand } from '../registry/consent.types';
import {
  buildDailyFile,
  DailyFileDifference,
  diffDailyFiles,
  parseDailyFile,
  sha384Hex,
  toDailyFileRow,
} from './daily-file';

export type ReconciliationStatus = 'MATCHED' | 'DIFFERENT' | 'NOT_READY' | 'FAILED';

export interface ReconciliationReport {
  brandId: string;
  reportDate: string;
  status: ReconciliationStatus;
  localCount: number;
  iysCount: number | null;
  localHash: string;
  iysHash: string | null;
  agreementConfirmed: boolean;
  /** At most 200, the first by transactionId order of discovery. */
  differences: DailyFileDifference[];
  differenceCount: number;
  /** İYS's M1 counts for the day, per recipient type. */
  summary: Record<string, unknown> | null;
  detail: string | null;
}

const MAX_STORED_DIFFERENCES = 200;

/**
 * The daily reconciliation (iys-api.md §5.11, §11.6): Izinli writes its own file of a day's movements as İYS
 * knows them (its own accepted movements and those it received from İYS, with İYS's transactionId and creationDate),
 * hashes it with SHA-384 and compares with İYS's hash (M2). Equal: the day is confirmed to İYS (M3). Different:
 * İYS's file (M4) is fetched and the movements are compared one by one. Either way the result is kept in
 * `iys_reconciliations` and the differences are reported; nothing is changed on either side.
 */
@Injectable()
export class IysReconciler {
  private readonly log = new Logger('IysReconcile');

  constructor(
    private readonly ds: DataSource,
    private readonly client: IysClient,
    private readonly clock: Clock,
  ) {}

  /** The Turkey calendar day before today: the last day whose file İYS can have. */
  yesterday(): string {
    return toTurkeyDateString(new Date(this.clock.now().getTime() - 86_400_000));
  }

  /** Brands not yet reconciled (MATCHED or DIFFERENT) for `reportDate`. */
  async pendingBrands<B extends Pick<ConsentBrand, 'id'>>(brands: B[], reportDate: string): Promise<B[]> {
    if (brands.length === 0) return [];
    const done = await sqlRows<{ brand_id: string }>(
      this.ds,
      `SELECT brand_id FROM iys_reconciliations WHERE report_date = $1 AND status IN ('MATCHED', 'DIFFERENT') AND brand_id = ANY($2::uuid[])`,
      [reportDate, brands.map((b) => b.id)],
    );
    const doneSet = new Set(done.map((d) => d.brand_id));
    return brands.filter((b) => !doneSet.has(b.id));
  }

  async reconcile(
    brand: Pick<ConsentBrand, 'id' | 'iysCode' | 'brandCode'>,
    reportDate: string,
  ): Promise<ReconciliationReport> {
    const ref = { iysCode: brand.iysCode, brandCode: brand.brandCode };
    const localRows = (await this.localMovements(brand.id, reportDate)).map(toDailyFileRow);
    const localFile = buildDailyFile(localRows);
    const report: ReconciliationReport = {
      brandId: brand.id,
      reportDate,
      status: 'NOT_READY',
      localCount: localRows.length,
      iysCount: null,
      localHash: sha384Hex(localFile),
      iysHash: null,
      agreementConfirmed: false,
      differences: [],
      differenceCount: 0,
      summary: null,
      detail: null,
    };
    try {
      const agreement = await this.client.agreement(ref, reportDate);
      if (!agreement) {
        // No file: İYS holds no movement that day (or the day is not over); that agrees only with an empty local day.
        report.iysCount = 0;
        report.status = localRows.length === 0 ? 'MATCHED' : 'DIFFERENT';
        if (report.status === 'DIFFERENT') {
          report.differences = diffDailyFiles(localRows, []).slice(0, MAX_STORED_DIFFERENCES);
          report.differenceCount = localRows.length;
          report.detail = 'İYS has no movement file for the day';
        }
      } else if (agreement.processStatus !== 'completed') {
        report.status = 'NOT_READY';
        report.detail = `İYS's file is ${agreement.processStatus || 'not ready'}`;
      } else {
        report.iysHash = agreement.hashValue;
        report.agreementConfirmed = agreement.agreementStatus;
        if (agreement.hashValue === report.localHash) {
          report.status = 'MATCHED';
          report.iysCount = localRows.length;
          if (!agreement.agreementStatus)
            report.agreementConfirmed = await this.client.confirmAgreement(ref, reportDate);
        } else {
          const file = await this.client.dailyFile(ref, reportDate);
          const parsed = parseDailyFile(file ?? '');
          const differences = diffDailyFiles(localRows, parsed.rows);
          report.status = 'DIFFERENT';
          report.iysCount = parsed.rows.length;
          report.differenceCount = differences.length;
          report.differences = differences.slice(0, MAX_STORED_DIFFERENCES);
          if (differences.length === 0) report.detail = 'the same movements, but the files differ (order or format)';
        }
      }
      report.summary = {
        BIREYSEL: await this.client.dailySummary(ref, reportDate, 'BIREYSEL'),
        TACIR: await this.client.dailySummary(ref, reportDate, 'TACIR'),
      };
    } catch (err) {
      const failure = classifyIysFailure(err);
      if (!failure) throw err;
      report.status = 'FAILED';
      report.detail = `İYS answered ${failure.code} (${(err as Error).message})`.slice(0, 500);
    }
    await this.store(report);
    const counts = {
      brandId: brand.id,
      reportDate,
      status: report.status,
      local: report.localCount,
      iys: report.iysCount,
      differences: report.differenceCount,
    };
    if (report.status === 'DIFFERENT') this.log.warn(counts, 'the day differs from İYS');
    else this.log.log(counts, 'reconciled a day with İYS');
    return report;
  }

  /**
   * The day's movements as İYS holds them, from Izinli's side: its own accepted rows and those it received. A
   * merchant's first record sent without a source has an empty source in İYS's file.
   */
  private localMovements(brandId: string, reportDate: string) {
    return sqlRows<{
      creationDate: Date;
      transactionId: string;
      recipient: string;
      recipientType: string;
      type: string;
      status: string;
      consentDate: Date | null;
      source: string;
    }>(
      this.ds,
      `SELECT creation_date AS "creationDate", transaction_id AS "transactionId", recipient, recipient_type AS "recipientType", type, status,
              consent_date AS "consentDate", COALESCE(source, '') AS source
         FROM iys_outbox WHERE brand_id = $1 AND state = 'ACCEPTED' AND transaction_id IS NOT NULL AND creation_date >= $2 AND creation_date <= $3
       UNION ALL
       SELECT iys_creation_date, iys_transaction_id, recipient, recipient_type, type, status, consent_date, source
         FROM consent_movements WHERE brand_id = $1 AND iys_transaction_id IS NOT NULL AND iys_creation_date >= $2 AND iys_creation_date <= $3`,
      [brandId, startOfTurkeyDay(reportDate).toISOString(), endOfTurkeyDay(reportDate).toISOString()],
    ).then((rows) =>
      rows.map((r) => ({
        ...r,
        creationDate: new Date(r.creationDate),
        consentDate: r.consentDate ? new Date(r.consentDate) : null,
      })),
    );
  }

  private async store(r: ReconciliationReport): Promise<void> {
    await sqlExec(
      this.ds,
      `INSERT INTO iys_reconciliations (brand_id, report_date, status, local_count, iys_count, local_hash, iys_hash, agreement_confirmed, differences, summary, detail, checked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (brand_id, report_date) DO UPDATE SET status = EXCLUDED.status, local_count = EXCLUDED.local_count, iys_count = EXCLUDED.iys_count,
         local_hash = EXCLUDED.local_hash, iys_hash = EXCLUDED.iys_hash, agreement_confirmed = EXCLUDED.agreement_confirmed,
         differences = EXCLUDED.differences, summary = EXCLUDED.summary, detail = EXCLUDED.detail, checked_at = EXCLUDED.checked_at`,
      [
        r.brandId,
        r.reportDate,
        r.status,
        r.localCount,
        r.iysCount,
        r.localHash,
        r.iysHash,
        r.agreementConfirmed,
        JSON.stringify(r.differences),
        r.summary ? JSON.stringify(r.summary) : null,
        r.detail,
        this.clock.now().toISOString(),
      ],
    );
  }
}
