import { formatTurkeyDateTime } from './turkey-time';

/**
 * The one "now" of a simulator instance. Everything time-dependent (token expiry, consentDate checks, the pull
 * window and lag, rate-limit windows, batch due times, daily files) reads it, so moving `clockOffsetSeconds`
 * moves the whole simulated İYS consistently, which is how tests skip an hour or a weekend without waiting.
 */
export class SimulatorClock {
  private lastSecond = -1;
  private lastFormatted = '';

  constructor(private readonly offsetSeconds: () => number) {}

  nowMs(): number {
    return Date.now() + this.offsetSeconds() * 1000;
  }

  /** Turkey-time "YYYY-MM-DD HH:mm:ss" of `ms`; memoised per second because every write formats "now". */
  format(ms: number): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.lastSecond) {
      this.lastSecond = second;
      this.lastFormatted = formatTurkeyDateTime(ms);
    }
    return this.lastFormatted;
  }
}
