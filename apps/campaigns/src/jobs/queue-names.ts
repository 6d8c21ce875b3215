/**
 * The queue catalogue. These strings are keys in Redis shared by every running process:
 * never rename a value, only add new ones.
 */
export enum QueueName {
  MAINTENANCE = 'maintenance',
}

/** Job names per queue; the same rule holds: never rename a value. */
export enum MaintenanceJob {
  SWEEP = 'sweep',
}

export const ALL_QUEUES: readonly string[] = Object.values(QueueName);

/** How often the sweeps run after the one at start. */
export const SWEEP_INTERVAL_MS = 30_000;
