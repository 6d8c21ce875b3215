import type { Role } from '@izinli/config';

/** What this process does: serve HTTP, run the workers (queue processors, sweeps, repeating jobs), or both. */
export class RuntimeRole {
  constructor(readonly role: Role) {}
  get servesHttp(): boolean {
    return this.role !== 'worker';
  }
  get runsWorkers(): boolean {
    return this.role !== 'api';
  }
}
