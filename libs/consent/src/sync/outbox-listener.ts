import type { IysSyncState } from '../gate/gate-policy';

/** What one committed write added: its movements and, for movements Izinli must send, their outgoing rows. */
export interface CommittedMovements {
  brandId: string;
  movementIds: string[];
  outbox: { id: string; state: IysSyncState }[];
}

/**
 * Told after a transaction that stored movements has committed, never before (a job that runs before the commit
 * would find nothing). The host binds it to "send now": that is how a recorded movement reaches İYS at once
 * rather than at the next sweep. It must not throw for a lost notification: the rows are already stored, and the
 * host's sweeper finds every pending row again. The default does nothing.
 */
export abstract class OutboxListener {
  abstract movementsCommitted(event: CommittedMovements): Promise<void>;
}

export class NoopOutboxListener extends OutboxListener {
  async movementsCommitted(): Promise<void> {}
}
