/** A campaign's sending allowance, as stored: tokens left and when they were last topped up. */
export interface BucketState {
  tokens: number;
  refilledAt: number;
}

export interface TakeResult {
  granted: number;
  state: BucketState;
  /** With nothing granted: how long until one token is there. */
  waitMs: number;
}

/** A bucket holds one second of sending: a campaign catches up at most that much after a pause. */
export function bucketCapacity(ratePerSecond: number): number {
  return Math.max(1, ratePerSecond);
}

/**
 * The token bucket's arithmetic, apart from storage: refill for the time elapsed (never beyond capacity, never
 * backwards if clocks disagree), then grant up to `want` whole tokens.
 */
export function takeTokens(state: BucketState, nowMs: number, ratePerSecond: number, want: number): TakeResult {
  const capacity = bucketCapacity(ratePerSecond);
  const elapsed = Math.max(0, nowMs - state.refilledAt);
  const available = Math.min(capacity, state.tokens + (elapsed / 1000) * ratePerSecond);
  const granted = Math.max(0, Math.min(Math.floor(want), Math.floor(available)));
  const left = available - granted;
  const waitMs = granted > 0 ? 0 : Math.ceil(((1 - left) / ratePerSecond) * 1000);
  return { granted, state: { tokens: left, refilledAt: Math.max(nowMs, state.refilledAt) }, waitMs };
}

/** Tokens taken but not used (fewer rows to claim than granted) go back, up to capacity. */
export function returnTokens(state: BucketState, ratePerSecond: number, unused: number): BucketState {
  return {
    tokens: Math.min(bucketCapacity(ratePerSecond), state.tokens + Math.max(0, unused)),
    refilledAt: state.refilledAt,
  };
}
