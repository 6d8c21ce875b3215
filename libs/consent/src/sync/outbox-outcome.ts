import type { ConsentStatus } from '../domain';
import type { IysSyncState } from '../gate/gate-policy';
import { BackoffSettings, ClassifiedFailure, retryDelayMs } from '../iys/retry-policy';

/**
 * How an outgoing row ends after İYS refused it, or when it is retried. `consentState` is what the key's current
 * state says about İYS when this row's movement is still the current one.
 */
export type RowOutcome =
  | {
      kind: 'FINISHED';
      state: Exclude<IysSyncState, 'PENDING' | 'ACCEPTED'>;
      reason: string;
      errorCode: string;
      consentState: IysSyncState;
      readIysState: boolean;
    }
  | { kind: 'RETRY'; errorCode: string; delayMs: number; needsOperator: boolean };

/**
 * The outbox's reading of the retry policy (compliance.md §3):
 * - H175 (a first RET): nothing to refuse at İYS; the RET stays local and still blocks. NOT_REQUIRED.
 * - H174: İYS already holds this status. For a RET that is a refusal already registered; for an ONAY (only when
 *   İYS refuses a repeated ONAY) İYS holds an approval, so the consent counts as registered.
 * - H178: İYS holds a later movement; ours is dropped and İYS's state is read and applied. If our movement is
 *   still the current one after that, İYS did not take it: an ONAY no longer allows mail.
 * - H467: the registration deadline passed; final, and an ONAY no longer allows mail.
 * - other final codes: REJECTED with the code; an ONAY no longer allows mail.
 * - everything else is retried with backoff (slowly when an operator must act), until it succeeds or its
 *   deadline passes.
 */
export function outcomeOfFailure(
  status: ConsentStatus,
  failure: ClassifiedFailure,
  attempt: number,
  nowMs: number,
  backoff: BackoffSettings,
  random: () => number = Math.random,
): RowOutcome {
  switch (failure.action) {
    case 'ALREADY_DONE':
      if (failure.code === 'H175') return finished('NOT_REQUIRED', 'FIRST_RET', failure.code, 'NOT_REQUIRED');
      return status === 'RET'
        ? finished('NOT_REQUIRED', 'ALREADY_RET', failure.code, 'NOT_REQUIRED')
        : finished('NOT_REQUIRED', 'ALREADY_ONAY', failure.code, 'ACCEPTED');
    case 'STALE':
      return {
        kind: 'FINISHED',
        state: 'NOT_REQUIRED',
        reason: 'STALE_AT_IYS',
        errorCode: failure.code,
        consentState: 'REJECTED',
        readIysState: true,
      };
    case 'DEADLINE_MISSED':
      return finished('REJECTED', 'DEADLINE_MISSED', failure.code, 'REJECTED');
    case 'FINAL':
      return finished('REJECTED', 'REFUSED_BY_IYS', failure.code, 'REJECTED');
    case 'RETRY':
    case 'RATE_LIMITED':
    case 'REFRESH_TOKEN':
    case 'TOKEN_LIMIT':
    case 'NEEDS_OPERATOR': {
      // A known instant (the end of a token halt, a token another process is fetching) beats the policy's guess.
      const delayMs = failure.retryAt
        ? Math.max(250, failure.retryAt.getTime() - nowMs)
        : (retryDelayMs(failure.action, attempt, failure.code, backoff, random) ?? backoff.maxMs);
      return { kind: 'RETRY', errorCode: failure.code, delayMs, needsOperator: failure.action === 'NEEDS_OPERATOR' };
    }
  }
}

function finished(
  state: 'NOT_REQUIRED' | 'REJECTED',
  reason: string,
  errorCode: string,
  consentState: IysSyncState,
): RowOutcome {
  return { kind: 'FINISHED', state, reason, errorCode, consentState, readIysState: false };
}
