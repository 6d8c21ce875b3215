import { Injectable, Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'crypto';
import { hostname } from 'os';
import { DataSource } from 'typeorm';
import { sqlExec } from '@izinli/database';
import { DeliverySettings } from './delivery-settings';

/**
 * One lease per running chunk execution, renewed by a single timer for all of this process's executions. A row
 * in SENDING whose lease stopped beating belongs to an execution that died (a killed worker): another worker may
 * take it over. Leases are per execution, not per process, so a job that ends without cleaning up (its database
 * went away) frees its rows even while the process itself lives on.
 */
@Injectable()
export class DeliveryLeases {
  /** Names this process in the ledger (`sent_by`) and in the lease table; never an address or a secret. */
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly log = new Logger('DeliveryLeases');
  private readonly held = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly ds: DataSource,
    private readonly settings: DeliverySettings,
  ) {}

  async open(): Promise<string> {
    const token = randomUUID();
    await sqlExec(this.ds, `INSERT INTO delivery_leases (token, worker) VALUES ($1, $2)`, [token, this.workerId]);
    this.held.add(token);
    this.timer ??= setInterval(() => void this.beat(), this.settings.heartbeatMs).unref();
    return token;
  }

  /** Ends a lease. Best effort: a lease that cannot be deleted simply stops beating and expires. */
  async close(token: string): Promise<void> {
    this.held.delete(token);
    await sqlExec(this.ds, `DELETE FROM delivery_leases WHERE token = $1`, [token]).catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await sqlExec(this.ds, `UPDATE delivery_leases SET heartbeat_at = now() WHERE token = ANY($1::uuid[])`, [
        [...this.held],
      ]);
    } catch (err) {
      // The database is away; the executions notice on their own next statement.
      this.log.warn({ worker: this.workerId, err: (err as Error).message }, 'lease heartbeat failed');
    }
  }
}
