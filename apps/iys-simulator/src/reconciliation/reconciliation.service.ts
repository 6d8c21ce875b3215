import { Inject, Injectable } from '@nestjs/common';
import type { BrandScope } from '../auth/access.service';
import { lowerBound } from '../changes/pull-cursor';
import { IysError, errorItem } from '../core/iys-errors';
import { isPlainObject, isRecipientType } from '../core/iys-types';
import { DAY_MS, TURKEY_OFFSET_MS, parseTurkeyDay, turkeyDayOf } from '../core/turkey-time';
import type { Movement } from '../state/state-model';
import { SimulatorState } from '../state/simulator-state';
import { buildDailyFile, sha384Hex, summariseDay } from './daily-file';

// Reconciliation (M1–M4). Any of the last 7 days can be asked for (H501 bad format, H502 older). The daily file
// exists once its day is over, so for today (or a future day) M2, M3 and M4 answer 204 like a day without
// movements; M1's counts are available for today too. Move the clock knob a day ahead to reconcile "today".

const REPORT_WINDOW_DAYS = 7;

@Injectable()
export class ReconciliationService {
  constructor(@Inject(SimulatorState) private readonly state: SimulatorState) {}

  summary(scope: BrandScope, rawDate: string, rawRecipientType: string): { changeStats: unknown[] } {
    const day = this.reportDay(rawDate);
    if (!isRecipientType(rawRecipientType))
      throw IysError.of('H116', { location: ['recipientType'], value: rawRecipientType });
    return summariseDay(this.movementsOf(scope, day), rawRecipientType, scope.types);
  }

  agreement(scope: BrandScope, rawDate: string): Record<string, unknown> | null {
    const file = this.fileOf(scope, rawDate);
    if (file === null) return null;
    return {
      processStatus: 'completed',
      hashValue: sha384Hex(file),
      hashMethod: 'SHA-384',
      agreementStatus: scope.brand.agreements.has(rawDate),
    };
  }

  confirm(scope: BrandScope, rawDate: string, body: unknown): { agreementCaptured: true } | null {
    this.reportDay(rawDate);
    if (!isPlainObject(body) || body.agreementStatus !== true) {
      throw IysError.of('H512', {
        location: ['agreementStatus'],
        value: isPlainObject(body) ? body.agreementStatus : body,
      });
    }
    const extra = Object.keys(body).filter((k) => k !== 'agreementStatus');
    if (extra.length)
      throw new IysError(
        422,
        extra.map((k) => errorItem('H118', { location: [k], value: body[k] })),
      );
    if (this.fileOf(scope, rawDate) === null) return null;
    scope.brand.agreements.add(rawDate);
    return { agreementCaptured: true };
  }

  /** The day's CSV, or null when there is none (no movements, or the day is not over yet). */
  fileOf(scope: BrandScope, rawDate: string): string | null {
    const day = this.reportDay(rawDate);
    if (day >= turkeyDayOf(this.state.nowMs())) return null;
    const movements = this.movementsOf(scope, day);
    return movements.length ? buildDailyFile(movements) : null;
  }

  private reportDay(rawDate: string): number {
    const day = parseTurkeyDay(rawDate);
    if (day === null) throw IysError.of('H501', { location: ['reportDate'], value: rawDate });
    if (turkeyDayOf(this.state.nowMs()) - day > REPORT_WINDOW_DAYS)
      throw IysError.of('H502', { location: ['reportDate'], value: rawDate });
    return day;
  }

  /** Both HS and İYS-side movements created on `day` (Turkey time), of the types the caller may see. */
  private movementsOf(scope: BrandScope, day: number): Movement[] {
    const start = day * DAY_MS - TURKEY_OFFSET_MS;
    const end = start + DAY_MS;
    const out: Movement[] = [];
    for (const list of [scope.brand.feed.HS, scope.brand.feed.IYS]) {
      for (let i = lowerBound(list, start); i < list.length && list[i].creationMs < end; i++) {
        if (scope.types.has(list[i].type)) out.push(list[i]);
      }
    }
    return out;
  }
}
