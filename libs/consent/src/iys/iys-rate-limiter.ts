/**
 * How urgent a request to İYS is. Every class counts against the same limit; the less urgent ones leave
 * `headroom` slots free, so that a burst of single adds never starves the batch that would absorb it, and a long
 * pull never delays an unsubscribe. The sync engine uses: urgent for the token and batch adds (one request carries
 * many movements), normal for single adds and batch polls, background for pulls, status reads, reconciliation and
 * for single adds while a burst is being batched.
 */
export type IysPriority = 'urgent' | 'normal' | 'background';

export interface IysRateLimitSettings {
  /** Requests İYS accepts per second from one source IP (iys-api.md §8: 10). */
  requests: number;
  /** İYS's window, with a small margin for clocks that do not tick at exactly the same rate. */
  windowMs: number;
  /** The longest a request can be in flight (the client's timeout and then some); a crashed caller's slot frees after it. */
  inFlightMs: number;
  /** Slots each class leaves to the more urgent ones. */
  headroom: Record<IysPriority, number>;
}

export const DEFAULT_IYS_RATE_LIMIT: IysRateLimitSettings = {
  requests: 10,
  windowMs: 1050,
  inFlightMs: 15_000,
  headroom: { urgent: 0, normal: 2, background: 5 },
};

/** A request slot; `release` is called when the request's answer (or failure) has come back. */
export interface IysPermit {
  release(): void;
}

/**
 * The port every request to İYS passes first. One limit for the whole deployment: İYS counts per source IP, and
 * every worker process behind one address shares it. The in-process adapter serves the embedded mode; with Bull,
 * the app binds one that keeps the slots in Redis.
 *
 * A slot is held while its request is in flight and for `windowMs` after its answer. Counting from the answer,
 * not from the moment the slot was taken, is what makes the limit hold at İYS whatever happens between the two
 * (a busy event loop that sends late, a slow network): a request reaches İYS somewhere between our taking the
 * slot and our hearing back, so if N+1 requests ever reached İYS within one second, the last of them to take its
 * slot would have seen the other N still counted.
 */
export abstract class IysRateLimiter {
  /** A slot for `priority`, waiting at most `maxWaitMs`; null when none came free in time (nothing was taken). */
  abstract acquire(priority: IysPriority, maxWaitMs: number): Promise<IysPermit | null>;
  /** Stops every caller, in every process, for `ms` (after İYS answered 429: it counted differently than we did). */
  abstract pause(ms: number): Promise<void>;
}

/**
 * The rule both adapters apply, given when each held slot frees (sorted ascending; slots already free left out):
 * 0 when a slot is free now for a caller allowed `cap` slots, otherwise how long until one is.
 */
export function slotWaitMs(freesAt: readonly number[], nowMs: number, cap: number, pausedUntilMs: number): number {
  if (pausedUntilMs > nowMs) return pausedUntilMs - nowMs;
  if (cap <= 0) return 1000;
  if (freesAt.length < cap) return 0;
  return Math.max(1, freesAt[freesAt.length - cap] - nowMs);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The limiter of one process (the embedded mode, and tests of the library). */
export class InProcessIysRateLimiter extends IysRateLimiter {
  private readonly held = new Set<{ freesAt: number }>();
  private pausedUntil = 0;

  constructor(
    private readonly settings: IysRateLimitSettings = DEFAULT_IYS_RATE_LIMIT,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async acquire(priority: IysPriority, maxWaitMs: number): Promise<IysPermit | null> {
    const cap = this.settings.requests - this.settings.headroom[priority];
    const giveUpAt = this.now() + maxWaitMs;
    for (;;) {
      const now = this.now();
      const freesAt = this.prune(now);
      const wait = slotWaitMs(freesAt, now, cap, this.pausedUntil);
      if (wait === 0) {
        const slot = { freesAt: now + this.settings.inFlightMs };
        this.held.add(slot);
        return { release: () => (slot.freesAt = Math.min(slot.freesAt, this.now() + this.settings.windowMs)) };
      }
      // A slot in flight frees when its answer comes, long before its worst case: look again soon rather than
      // giving up on the worst case, and give up only when the caller's time is over.
      if (now >= giveUpAt) return null;
      await sleep(Math.max(1, Math.min(wait, 50, giveUpAt - now)));
    }
  }

  async pause(ms: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  private prune(now: number): number[] {
    const out: number[] = [];
    for (const slot of this.held) {
      if (slot.freesAt <= now) this.held.delete(slot);
      else out.push(slot.freesAt);
    }
    return out.sort((a, b) => a - b);
  }
}
