import { randomUUID } from 'crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type BrandScope, AccessService } from '../auth/access.service';
import { IysError } from '../core/iys-errors';
import type { BatchItemResult, BatchRequest, Movement } from '../state/state-model';
import { SimulatorState } from '../state/simulator-state';
import { type ConsentCommand, validateBatchShape } from './consent-rules';
import { ConsentService } from './consent.service';

// Async batch add (C2/C2v2) and its results (C3/C3v2), iys-api.md §5.3. A batch is validated synchronously
// (any schema error refuses the whole list, 422 with per-item `index`), accepted with 202 and a requestId,
// and processed `batchDelaySeconds` later through exactly the same rules as a single add. Until then a poll
// sees first an empty array (the first half of the delay: "received, not yet queued") and then every item as
// `enqueue`, the two early answers İYS documents.

const RESULTS_KEPT_MS = 60 * 24 * 60 * 60 * 1000;

function sameData(m: Movement, c: ConsentCommand): boolean {
  return (
    m.status === c.status &&
    m.source === c.source &&
    m.consentDate === c.consentDate &&
    m.retailerCode === c.retailerCode &&
    JSON.stringify(m.retailerAccess) === JSON.stringify(c.retailerAccess)
  );
}

@Injectable()
export class BatchService {
  constructor(
    @Inject(SimulatorState) private readonly state: SimulatorState,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(ConsentService) private readonly consents: ConsentService,
  ) {}

  accept(scope: BrandScope, body: unknown, version: 1 | 2): Record<string, unknown> {
    const shape = validateBatchShape(body, version === 1 ? 'H091' : 'H125');
    if (!shape.ok) throw new IysError(shape.status, shape.errors);
    shape.commands.forEach((c, index) => this.access.requireType(scope, c.type, index));
    const now = this.state.nowMs();
    const delayMs = this.state.knobs.batchDelaySeconds * 1000;
    const batch: BatchRequest = {
      requestId: randomUUID(),
      iysCode: scope.sp.iysCode,
      brandCode: scope.brand.brandCode,
      version,
      acceptedMs: now,
      dueMs: now + delayMs,
      items: shape.commands.map((command, index) => ({ index, subRequestId: randomUUID(), command })),
      results: null,
    };
    this.state.batches.set(batch.requestId, batch);
    this.state.schedule(() => this.process(batch), delayMs);
    const creationDate = this.state.clock.format(now);
    return {
      requestId: batch.requestId,
      subRequests: batch.items.map(({ subRequestId, command: c }) => {
        const echo: Record<string, unknown> = { subRequestId, type: c.type };
        if (c.source !== null) echo.source = c.source;
        echo.recipient = c.recipient;
        echo.status = c.status;
        if (c.consentDate !== null) echo.consentDate = c.consentDate;
        echo.recipientType = c.recipientType;
        echo.creationDate = creationDate;
        return echo;
      }),
    };
  }

  results(scope: BrandScope, rawRequestId: string, version: 1 | 2): Record<string, unknown>[] {
    if (rawRequestId.length > 36) throw IysError.of('H198', { location: ['requestId'], value: rawRequestId });
    if (/^[A-Za-z]+$/.test(rawRequestId)) throw IysError.of('H199', { location: ['requestId'], value: rawRequestId });
    if (/^\d+$/.test(rawRequestId)) throw IysError.of('H400', { location: ['requestId'], value: rawRequestId });
    const batch = this.state.batches.get(rawRequestId);
    const now = this.state.nowMs();
    if (!batch || batch.brandCode !== scope.brand.brandCode || now - batch.acceptedMs > RESULTS_KEPT_MS) return [];
    // Due but the timer has not fired (the clock knob jumped ahead): process now so the answer is consistent.
    if (!batch.results && now >= batch.dueMs) this.process(batch);
    if (!batch.results) {
      if (now - batch.acceptedMs < (batch.dueMs - batch.acceptedMs) / 2) return [];
      // İYS's own example spells this key `subrequestId` on enqueue items; clients must accept both spellings.
      return batch.items.map((item) => ({ index: item.index, status: 'enqueue', subrequestId: item.subRequestId }));
    }
    return batch.results.map((r) => this.resultView(batch, r, version));
  }

  private resultView(batch: BatchRequest, r: BatchItemResult, version: 1 | 2): Record<string, unknown> {
    if (r.status === 'failure')
      return { subRequestId: r.subRequestId, index: r.index, status: 'failure', error: r.error };
    const view: Record<string, unknown> = {
      requestId: batch.requestId,
      subRequestId: r.subRequestId,
      index: r.index,
      status: 'success',
      transactionId: r.transactionId,
      creationDate: r.creationDate,
    };
    if (version === 2 && r.original) {
      view.isAddConsentV2Service = 'true';
      view.originalRequestInformation = r.original;
    }
    return view;
  }

  process(batch: BatchRequest): void {
    if (batch.results) return;
    const brand = this.state.brands.get(batch.brandCode);
    const now = this.state.nowMs();
    batch.results = batch.items.map((item): BatchItemResult => {
      const base = { index: item.index, subRequestId: item.subRequestId };
      if (!brand)
        return { ...base, status: 'failure', error: { code: 'H101', message: 'İzin kaydedilirken bir hata oluştu.' } };
      const c = item.command;
      // Rule 20 (v2): an identical re-send of what is already stored is not a new movement; the result points
      // to the request that stored it.
      if (batch.version === 2) {
        const current = this.state.findConsent(brand.brandCode, c.recipientType, c.type, c.recipient)?.current;
        if (current && current.group === 'HS' && sameData(current, c)) {
          const original = current.origin ?? { requestId: '', subRequestId: '' };
          return {
            ...base,
            status: 'success',
            transactionId: current.transactionId,
            creationDate: current.creationDate,
            original,
          };
        }
      }
      const outcome = this.consents.store(brand, c, batch.acceptedMs, now, {
        requestId: batch.requestId,
        subRequestId: item.subRequestId,
      });
      if (!outcome.ok) {
        const e = outcome.errors[0];
        return { ...base, status: 'failure', error: { code: e.code, message: e.message } };
      }
      return {
        ...base,
        status: 'success',
        transactionId: outcome.movement.transactionId,
        creationDate: outcome.movement.creationDate,
      };
    });
  }
}
