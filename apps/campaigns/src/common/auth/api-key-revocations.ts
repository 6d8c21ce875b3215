import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RuntimeRole } from '../../jobs/runtime-role';
import { ApiKeyResolver } from './api-key-resolver';

/** Notified by the `api_keys_changed` trigger (migration 1765300000000) with the changed key's id. */
export const API_KEYS_CHANNEL = 'izinli_api_keys';
const HEARTBEAT_MS = 10_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;
const ECHO_TIMEOUT_MS = 2_000;
const MAX_RETRY_MS = 30_000;

/**
 * Makes a revoked key stop working on every process at once while `ApiKeyResolver` keeps its cache.
 *
 * With a PostgreSQL server, each HTTP-serving process holds one connection that LISTENs on `izinli_api_keys`; the
 * trigger on `api_keys` notifies it in the same commit as any key change, whoever made it, and every process drops
 * its cached answers on hearing it. The cache is used only while that connection is known to be up (a heartbeat
 * query every 10 s, errors and closes watched): from the moment it is lost until it is listening again, each
 * request looks its key up, and the cache starts empty afterwards, so a notification missed meanwhile cannot
 * leave a stale answer behind. The connection needs a session of its own: not a transaction-pooling PgBouncer.
 *
 * With the embedded database there is one process by construction, and the revoking code invalidates it directly.
 */
@Injectable()
export class ApiKeyRevocations implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('ApiKeyRevocations');
  private client?: Client;
  private closing = false;
  private retryMs = 500;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeatTimer?: NodeJS.Timeout;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly ds: DataSource,
    private readonly resolver: ApiKeyResolver,
    private readonly role: RuntimeRole,
  ) {}

  private get serverUrl(): string | undefined {
    return (this.ds.options as { url?: string }).url;
  }

  /** True while key changes made by any process are heard here at once. */
  get listening(): boolean {
    return !!this.client;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.serverUrl) {
      this.resolver.setCaching(true);
      return;
    }
    // A worker serves no HTTP, so it authenticates nothing and needs no connection for this.
    if (!this.role.servesHttp) return;
    await this.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    const client = this.client;
    this.client = undefined;
    this.resolver.setCaching(false);
    await client?.end().catch(() => undefined);
  }

  /**
   * Runs `change`, which commits a change to one key (`changed` tells from its answer whether it did), and
   * returns once this process answers no request from an older cached answer. With a server it also waits (at
   * most 2 s) until its own listener has heard the notification: PostgreSQL signals every listening process at
   * that same commit, so by the time the caller is answered, the other processes have been told too.
   */
  async applied<T>(keyId: string, change: () => Promise<T>, changed: (result: T) => boolean): Promise<T> {
    const echo = this.client ? this.expect(keyId) : undefined;
    try {
      const result = await change();
      this.resolver.invalidate();
      if (changed(result) && echo) {
        const heard = await echo.wait(ECHO_TIMEOUT_MS);
        if (!heard) this.log.warn({ keyId }, 'the API key change was not heard back within 2 s');
      }
      return result;
    } finally {
      echo?.cancel();
    }
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.serverUrl,
      application_name: 'izinli-api-keys',
      keepAlive: true,
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (n.channel === API_KEYS_CHANNEL) this.heard(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEYS_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.log.warn(
        { err: (err as Error).message },
        'cannot listen for API key changes; keys are looked up per request',
      );
      this.scheduleReconnect();
      return;
    }
    if (this.closing) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = 500;
    // Only now: whatever changed before the LISTEN took effect must not survive in the cache.
    this.resolver.setCaching(true);
    this.heartbeatTimer = setInterval(() => this.heartbeat(client), HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  private heartbeat(client: Client): void {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat timed out')), HEARTBEAT_TIMEOUT_MS);
      timer.unref();
    });
    Promise.race([client.query('SELECT 1'), timeout])
      .catch((err: Error) => this.lost(client, err))
      .finally(() => clearTimeout(timer));
  }

  private lost(client: Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.resolver.setCaching(false);
    clearInterval(this.heartbeatTimer);
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closing) return;
    this.log.warn(
      { err: err?.message },
      'lost the API key change listener; keys are looked up per request until it is back',
    );
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private heard(keyId: string): void {
    this.resolver.invalidate();
    const waiting = this.waiters.get(keyId);
    if (waiting) for (const resolve of waiting) resolve();
  }

  private expect(keyId: string): { wait(ms: number): Promise<boolean>; cancel(): void } {
    let resolveHeard!: () => void;
    const heard = new Promise<void>((resolve) => (resolveHeard = resolve));
    const set = this.waiters.get(keyId) ?? new Set();
    set.add(resolveHeard);
    this.waiters.set(keyId, set);
    return {
      wait: async (ms) => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
        try {
          return await Promise.race([heard.then(() => true), timedOut]);
        } finally {
          clearTimeout(timer);
        }
      },
      cancel: () => {
        set.delete(resolveHeard);
        if (set.size === 0 && this.waiters.get(keyId) === set) this.waiters.delete(keyId);
      },
    };
  }
}
