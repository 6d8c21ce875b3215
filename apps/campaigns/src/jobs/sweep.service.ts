import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JobQueue } from '@izinli/queue';
import { MaintenanceJob, QueueName, SWEEP_INTERVAL_MS } from './queue-names';
import { RuntimeRole } from './runtime-role';

/**
 * Work is a row before it is a job. A sweeper finds rows whose work is pending and enqueues their jobs again
 * under deterministic job ids, so a job that still exists is not duplicated and one that was lost (Redis
 * flushed, a worker killed) comes back.
 */
export interface Sweeper {
  readonly name: string;
  /** Re-enqueues pending work; answers how many jobs it offered to the queue. */
  sweep(): Promise<number>;
}

@Injectable()
export class SweepService implements OnApplicationBootstrap {
  private readonly log = new Logger('Sweep');
  private readonly sweepers: Sweeper[] = [];

  constructor(
    private readonly queue: JobQueue,
    private readonly role: RuntimeRole,
  ) {}

  register(sweeper: Sweeper): void {
    this.sweepers.push(sweeper);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.role.runsWorkers) return;
    this.queue.process(QueueName.MAINTENANCE, MaintenanceJob.SWEEP, () => this.sweepAll().then(() => undefined), 1);
    await this.queue.repeat(QueueName.MAINTENANCE, MaintenanceJob.SWEEP, SWEEP_INTERVAL_MS);
    await this.sweepAll();
  }

  /** Runs every sweeper; one failing does not stop the others. */
  async sweepAll(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const s of this.sweepers) {
      try {
        out[s.name] = await s.sweep();
        if (out[s.name] > 0) this.log.log({ sweeper: s.name, offered: out[s.name] }, 're-enqueued pending work');
      } catch (err) {
        this.log.warn({ sweeper: s.name, err: (err as Error).message }, 'sweep failed');
      }
    }
    return out;
  }
}
