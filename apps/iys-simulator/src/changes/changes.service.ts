import { Inject, Injectable } from '@nestjs/common';
import type { BrandScope } from '../auth/access.service';
import { IysError, type IysErrorItem, errorItem } from '../core/iys-errors';
import type { SourceGroup } from '../core/iys-types';
import { pullView } from '../consents/consent-views';
import { SimulatorState } from '../state/simulator-state';
import { type PullCursor, decodeCursor, encodeCursor, readPage } from './pull-cursor';

// The change feed (C7, iys-api.md §5.7): movements whose creationDate lies in the last 7 days but not in the last
// `pullLagMinutes`, oldest first, `source` HS or IYS (default IYS), up to `limit` (≤1000) after an opaque cursor.
// An integrator sees only the types it is authorised for. 204 when there is nothing.

const WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
export const MAX_PULL_LIMIT = 1000;

@Injectable()
export class ChangesService {
  constructor(@Inject(SimulatorState) private readonly state: SimulatorState) {}

  pull(scope: BrandScope, query: Record<string, unknown>): { after: string; list: Record<string, unknown>[] } | null {
    const errors: IysErrorItem[] = [];
    let group: SourceGroup = 'IYS';
    if (query.source !== undefined) {
      if (query.source === 'HS' || query.source === 'IYS') group = query.source;
      else errors.push(errorItem('H506', { location: ['source'], value: query.source }));
    }
    let limit = MAX_PULL_LIMIT;
    if (query.limit !== undefined) {
      const raw = query.limit;
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (Number.isNaN(n) || n < 0) errors.push(errorItem('H183', { location: ['limit'], value: raw }));
      else if (n === 0) errors.push(errorItem('H187', { location: ['limit'], value: raw }));
      else if (n > MAX_PULL_LIMIT) errors.push(errorItem('H507', { location: ['limit'], value: raw }));
      else limit = n;
    }
    let after: PullCursor | null = null;
    if (query.after !== undefined && query.after !== '') {
      after = typeof query.after === 'string' ? decodeCursor(query.after) : null;
      if (!after)
        errors.push(
          errorItem('SIM422', { message: 'Geçersiz after değeri.', location: ['after'], value: query.after }),
        );
    }
    if (errors.length) throw new IysError(422, errors);

    const now = this.state.nowMs();
    const page = readPage(scope.brand.feed[group], {
      after,
      fromMs: now - WINDOW_MS,
      toMs: now - this.state.knobs.pullLagMinutes * 60 * 1000,
      limit,
      accept: (m) => scope.types.has(m.type),
    });
    if (page.length === 0) return null;
    return { after: encodeCursor(page[page.length - 1]), list: page.map(pullView) };
  }
}
