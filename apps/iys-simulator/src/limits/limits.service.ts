import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { IysError, errorItem } from '../core/iys-errors';
import { SimulatorState } from '../state/simulator-state';
import type { LimitName } from './rate-limiter';

/** The client a limit counts against: İYS counts per source IP (iys-api.md §8). */
export function clientIpOf(req: Request): string {
  const ip = req.socket.remoteAddress ?? 'unknown';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

const LIMIT_CODES: Record<LimitName, string> = {
  perSecond: 'H124',
  tokenPerHour: 'H084',
  statusPerHour: 'H086',
  historyPerHour: 'H089',
};

@Injectable()
export class LimitsService {
  constructor(@Inject(SimulatorState) private readonly state: SimulatorState) {}

  /** Counts the request against `name` and throws the limit's 429 when it is over. */
  enforce(name: LimitName, req: Request): void {
    const knobs = this.state.knobs.rateLimits;
    const limit = knobs[name];
    if (!knobs.enabled || limit === null) return;
    if (this.state.limits[name].hit(clientIpOf(req), this.state.nowMs(), limit)) return;
    const code = LIMIT_CODES[name];
    const item = errorItem(code);
    // H084's body shape is disputed (iys-api.md §3): one client reads `{code, message}` at the top level, the
    // rest of İYS uses `errors[]`. Answering both lets either kind of client recognise it.
    throw new IysError(429, [item], name === 'tokenPerHour' ? { code: item.code, message: item.message } : {});
  }
}
