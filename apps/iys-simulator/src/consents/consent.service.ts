import { randomUUID } from 'crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type BrandScope, AccessService } from '../auth/access.service';
import { IysError, type IysErrorItem, errorItem, statusOf } from '../core/iys-errors';
import { type ConsentType, type RecipientType, isConsentType, isPlainObject, isRecipientType } from '../core/iys-types';
import { stableJson } from '../core/stable-json';
import type { Brand, Movement } from '../state/state-model';
import { SimulatorState } from '../state/simulator-state';
import { type ConsentCommand, checkConsentDates, checkTransition, validateConsentShape } from './consent-rules';
import { historyView, statusView } from './consent-views';
import { validateKeyQuery, validateMultiStatus, validatePage } from './query-rules';

const MAX_REMEMBERED_V2_ANSWERS = 200_000;

export type StoreOutcome = { ok: true; movement: Movement } | { ok: false; status: number; errors: IysErrorItem[] };

export interface AddAnswer {
  transactionId: string;
  creationDate: string;
}

@Injectable()
export class ConsentService {
  constructor(
    @Inject(SimulatorState) private readonly state: SimulatorState,
    @Inject(AccessService) private readonly access: AccessService,
  ) {}

  /** C1 / C1v2. v2 answers an identical re-send (same path codes, same body) with the first answer (rule 20). */
  addSingle(scope: BrandScope, body: unknown, version: 1 | 2): AddAnswer {
    if (!isPlainObject(body)) throw IysError.of('H085');
    let replayKey: string | undefined;
    if (version === 2) {
      replayKey = `${scope.sp.iysCode}|${scope.brand.brandCode}|${stableJson(body)}`;
      const earlier = this.state.v2Answers.get(replayKey);
      if (earlier) return earlier;
    }
    const shape = validateConsentShape(body);
    if (!shape.ok) throw new IysError(shape.status, shape.errors);
    this.access.requireType(scope, shape.command.type);
    const now = this.state.nowMs();
    const outcome = this.store(scope.brand, shape.command, now, now);
    if (!outcome.ok) throw new IysError(outcome.status, outcome.errors);
    const answer = { transactionId: outcome.movement.transactionId, creationDate: outcome.movement.creationDate };
    if (replayKey) {
      this.state.v2Answers.set(replayKey, answer);
      // Bounded so a long-running development simulator does not grow without end; the oldest answers go first.
      if (this.state.v2Answers.size > MAX_REMEMBERED_V2_ANSWERS)
        this.state.v2Answers.delete(this.state.v2Answers.keys().next().value!);
    }
    return answer;
  }

  /**
   * The rules that need the brand and the key's state, then the write: retailers (rule 22, 403 H180), dates
   * (rules 6–9, 422), state transitions (rules 10–15, 400) and quota (rule 17, 422). Shared by the single add
   * and the batch worker, which judges dates at the moment the batch was received.
   */
  store(
    brand: Brand,
    command: ConsentCommand,
    requestMs: number,
    creationMs: number,
    origin?: Movement['origin'],
    index?: number,
  ): StoreOutcome {
    const retailerErrors = this.checkRetailers(brand, command, index);
    if (retailerErrors.length) return { ok: false, status: 403, errors: retailerErrors };
    const dateErrors = checkConsentDates(
      command,
      requestMs,
      {
        enforceThreeBusinessDays: this.state.knobs.enforceThreeBusinessDays,
        threeBusinessDaysFromMs: this.state.threeBusinessDaysFromMs,
        holidays: this.state.holidays,
      },
      index,
    );
    if (dateErrors.length) return { ok: false, status: 422, errors: dateErrors };
    const record = this.state.findConsent(brand.brandCode, command.recipientType, command.type, command.recipient);
    const rejection = checkTransition(record?.current, command, this.state.knobs, index);
    if (rejection) return { ok: false, status: statusOf(rejection.code), errors: [rejection] };
    if (!record) {
      const subscription = this.state.serviceProviders.get(brand.iysCode)?.subscription;
      const used = this.state.serviceProviders.get(brand.iysCode)?.usedConsentLimit ?? 0;
      if (subscription && !subscription.consentLimitExceed && used >= subscription.consentLimit) {
        return { ok: false, status: 422, errors: [errorItem('H525', { index })] };
      }
    }
    const movement = this.state.recordMovement(brand, { ...command, origin }, creationMs);
    return { ok: true, movement };
  }

  private checkRetailers(brand: Brand, command: ConsentCommand, index?: number): IysErrorItem[] {
    const errors: IysErrorItem[] = [];
    if (command.retailerCode !== undefined && !brand.retailers.has(command.retailerCode)) {
      errors.push(errorItem('H180', { location: ['retailerCode'], value: command.retailerCode, index }));
    }
    command.retailerAccess?.forEach((code, i) => {
      if (!brand.retailers.has(code))
        errors.push(errorItem('H180', { location: ['retailerAccess', i], value: code, index }));
    });
    return errors;
  }

  /** C4. The answer for a key İYS has never seen is undocumented; the `unknownStatusAnswer` knob picks one. */
  status(scope: BrandScope, body: unknown): Record<string, unknown> | null {
    const query = validateKeyQuery(body);
    if (!query.ok) throw new IysError(query.status, query.errors);
    this.access.requireType(scope, query.value.type);
    const record = this.state.findConsent(
      scope.brand.brandCode,
      query.value.recipientType,
      query.value.type,
      query.value.recipient,
    );
    if (record) return statusView(record, scope.brand);
    switch (this.state.knobs.unknownStatusAnswer) {
      case 'NOT_FOUND':
        throw IysError.of('SIM404', { message: 'İzin kaydı bulunamadı.' });
      case 'EMPTY':
        return {};
      case 'NO_CONTENT':
        return null;
    }
  }

  /** C5: only the addresses that are ONAY are listed; RET and unknown ones are simply absent. */
  multiStatus(
    scope: BrandScope,
    rawRecipientType: string,
    rawType: string,
    body: unknown,
  ): { requestId: string; list: string[] } {
    const pathErrors: IysErrorItem[] = [];
    if (!isRecipientType(rawRecipientType))
      pathErrors.push(errorItem('H116', { location: ['recipientType'], value: rawRecipientType }));
    if (!isConsentType(rawType)) pathErrors.push(errorItem('H117', { location: ['type'], value: rawType }));
    if (pathErrors.length) throw new IysError(422, pathErrors);
    const type = rawType as ConsentType;
    const recipientType = rawRecipientType as RecipientType;
    this.access.requireType(scope, type);
    const recipients = validateMultiStatus(body, type);
    if (!recipients.ok) throw new IysError(recipients.status, recipients.errors);
    const list = recipients.value.filter(
      (r) => this.state.findConsent(scope.brand.brandCode, recipientType, type, r)?.current.status === 'ONAY',
    );
    return { requestId: randomUUID(), list };
  }

  /** C6: every movement of the key, newest consentDate first, paged. */
  history(scope: BrandScope, body: unknown, rawOffset: unknown, rawLimit: unknown): Record<string, unknown> {
    const page = validatePage(rawOffset, rawLimit);
    const query = validateKeyQuery(body);
    if (!page.ok || !query.ok) {
      const errors = [...(query.ok ? [] : query.errors), ...(page.ok ? [] : page.errors)];
      throw new IysError(!query.ok ? query.status : 422, errors);
    }
    this.access.requireType(scope, query.value.type);
    const record = this.state.findConsent(
      scope.brand.brandCode,
      query.value.recipientType,
      query.value.type,
      query.value.recipient,
    );
    const movements = [...(record?.movements ?? [])].sort(
      (a, b) =>
        (b.consentMs ?? Number.MIN_SAFE_INTEGER) - (a.consentMs ?? Number.MIN_SAFE_INTEGER) ||
        b.creationMs - a.creationMs ||
        b.seq - a.seq,
    );
    const list = movements.slice(page.value.offset, page.value.offset + page.value.limit).map(historyView);
    return { list, pagination: { totalCount: movements.length, pageSize: list.length, offset: page.value.offset } };
  }
}
