import { Injectable, Logger, Optional } from '@nestjs/common';
import { randomBytes, randomUUID } from 'crypto';
import { hostname } from 'os';
import { DataSource } from 'typeorm';
import { sqlExec } from '@izinli/database';
import { DeliveryMetrics } from './delivery-metrics';
import { DeliverySettings } from './delivery-settings';

/** What a lease covers, for the log line of a stall: ids only. */
export interface LeaseSubject {
  campaignId: string;
  seq: number;
}

interface Held {
  subject: LeaseSubject;
  progressAt: number;
  /** Settles when the lease is given up (no progress, or the worker stopping); never rejects. */
  lost: Promise<void>;
  lose: () => void;
}

/**
 * One lease per running chunk execution, renewed by a single timer for all of this process's executions. A row
 * in SENDING whose lease stopped beating belongs to an execution that died (a killed worker): another worker may
 * take it over. Leases are per execution, not per process, so a job that ends without cleaning up (its database
 * went away) frees its rows even while the process itself lives on.
 *
 * A lease is renewed only while its execution makes progress (`progress()`): one that made none for
 * `stallAfterMs` is given up (its row deleted, so the watchdog hands the chunk to another execution at once, and
 * `holds()` turns false, so the execution hands nothing more to SMTP). Renewing on a timer alone kept a hung
 * execution's chunk, and its worker's queue slot, for good.
 */
@Injectable()
export class DeliveryLeases {
  /** Names this process in the ledger (`sent_by`) and in the lease table; never an address or a secret. */
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly log = new Logger('DeliveryLeases');
  private readonly held = new Map<string, Held>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly ds: DataSource,
    private readonly settings: DeliverySettings,
    @Optional() private readonly metrics: DeliveryMetrics = new DeliveryMetrics(),
  ) {}

  async open(subject: LeaseSubject): Promise<string> {
    const token = randomUUID();
    await sqlExec(this.ds, `INSERT INTO delivery_leases (token, worker) VALUES ($1, $2)`, [token, this.workerId]);
    let lose!: () => void;
    const lost = new Promise<void>((resolve) => (lose = resolve));
    this.held.set(token, { subject, progressAt: Date.now(), lost, lose });
    this.timer ??= setInterval(() => void this.beat(), this.settings.heartbeatMs).unref();
    return token;
  }

  /** The execution holding `token` moved: a message answered, rows claimed or recorded, a rate token waited for. */
  progress(token: string): void {
    const h = this.held.get(token);
    if (h) h.progressAt = Date.now();
  }

  /** False once the lease was given up or closed: the execution must hand nothing more to SMTP. */
  holds(token: string): boolean {
    return this.held.has(token);
  }

  /** Settles when the lease is given up; at once for a lease this process no longer holds. */
  lost(token: string): Promise<void> {
    return this.held.get(token)?.lost ?? Promise.resolve();
  }

  /** Ends a lease. Best effort: a lease that cannot be deleted simply stops beating and expires. */
  async close(token: string): Promise<void> {
    this.held.get(token)?.lose();
    this.held.delete(token);
    await sqlExec(this.ds, `DELETE FROM delivery_leases WHERE token = $1`, [token]).catch(() => undefined);
  }

  /** Gives up every lease this process holds (a worker stopping): their chunks go to other workers. */
  async giveUpAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((token) => this.close(token)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    const renew: string[] = [];
    for (const [token, h] of this.held) {
      const quietMs = now - h.progressAt;
      if (quietMs <= this.settings.stallAfterMs) {
        renew.push(token);
        continue;
      }
      this.log.warn(
        { worker: this.workerId, campaignId: h.subject.campaignId, chunk: h.subject.seq, quietMs },
        'chunk made no progress within the stall limit; its lease is given up and another worker takes it over',
      );
      this.metrics.stalled('NO_PROGRESS');
      void this.close(token);
    }
    if (renew.length === 0) return;
    try {
      await sqlExec(this.ds, `UPDATE delivery_leases SET heartbeat_at = now() WHERE token = ANY($1::uuid[])`, [renew]);
    } catch (err) {
      // The database is away; the executions notice on their own next statement.
      this.log.warn({ worker: this.workerId, err: (err as Error).message }, 'lease heartbeat failed');
    }
  }
}
