import { randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '@izinli/config';
import {
  ConsentBrand,
  ConsentGate,
  ConsentRegistry,
  formatIysDate,
  IYS_SYNC_SETTINGS,
  IysSyncSettings,
  MovementInput,
  MovementOrigin,
  startOfTurkeyDay,
  toTurkeyDateString,
} from '@izinli/consent';
import { sqlExec, sqlOne, sqlRows } from '@izinli/database';
import { startIysSimulator, RunningIysSimulator, SimulatorKnobsPatch } from '@izinli/iys-simulator';
import { createTestDatabase, TestDatabase, testRedisUrl, waitFor } from '@izinli/testing';
import { allMigrations } from '../../../apps/campaigns/src/app.module';
import { createIzinliApp, IzinliApp } from '../../../apps/campaigns/src/bootstrap';
import { SweepService } from '../../../apps/campaigns/src/jobs/sweep.service';

/** The simulator's seeded integrator, authorised for brands 100001 and 100002 of service provider 100001. */
export const SEEDED_IYS_CODE = '100001';

export interface HarnessOptions {
  /** Simulator knobs on top of the harness's (pull lag 0, batch delay 1 s). */
  knobs?: SimulatorKnobsPatch;
  /** Extra environment for the app (IYS_PULL_INTERVAL_SECONDS defaults to 1). */
  env?: Record<string, string>;
  /** Serve HTTP (push tests). */
  listen?: boolean;
}

export interface IysConsentRow {
  recipient: string;
  recipientType: string;
  type: string;
  status: string;
  source?: string;
  consentDate?: string;
  transactionId: string;
  creationDate: string;
  brandCode: number;
}

/**
 * The whole sync stack for an integration test: a fresh database (PGlite, or PostgreSQL with
 * IZINLI_TEST_DATABASE_URL), the real app composition (the in-process queue, or Bull and the Redis-backed limiter
 * with IZINLI_TEST_REDIS_URL) talking to a simulator of the test's own through IYS_URL, with its fault knobs at hand.
 * `restart()` stops the app and boots another on the same database under a new queue prefix: every queued job is
 * lost, as in a Redis flush or a killed worker, and only what the rows say survives.
 */
export class SyncHarness {
  izinli!: IzinliApp;
  private dataDir = mkdtempSync(join(tmpdir(), 'izinli-sync-'));
  /** Kept across restarts, as production keeps it: the İYS tokens in the database are sealed with it. */
  private readonly unsubscribeSecret = randomBytes(32).toString('hex');
  private brands = new Map<string, ConsentBrand>();
  private simToken?: string;
  private simOffsetSeconds = 0;

  private constructor(
    readonly sim: RunningIysSimulator,
    readonly db: TestDatabase,
    private readonly options: HarnessOptions,
  ) {}

  static async start(options: HarnessOptions = {}): Promise<SyncHarness> {
    const sim = await startIysSimulator({
      port: 0,
      config: { pullLagMinutes: 0, batchDelaySeconds: 1, pushAllowHttp: true, ...options.knobs },
    });
    const db = await createTestDatabase(allMigrations);
    const h = new SyncHarness(sim, db, options);
    h.simOffsetSeconds = options.knobs?.clockOffsetSeconds ?? 0;
    if (db.pglite) await db.dataSource.destroy();
    await h.boot();
    return h;
  }

  get ds(): DataSource {
    return this.izinli.app.get(DataSource);
  }

  get registry(): ConsentRegistry {
    return this.izinli.app.get(ConsentRegistry);
  }

  get gate(): ConsentGate {
    return this.izinli.app.get(ConsentGate);
  }

  get<T>(token: unknown): T {
    return this.izinli.app.get(token as never);
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.revive();
  }

  /** Stops the app as a dying worker would leave things: whatever it had queued is gone, rows stay as they are. */
  kill(): Promise<void> {
    return this.izinli.close();
  }

  /** A new worker on the same database and simulator, under a queue prefix of its own (no job survives). */
  revive(): Promise<void> {
    return this.boot();
  }

  async close(): Promise<void> {
    await this.izinli?.close();
    await this.db.close();
    await this.sim.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Runs every sweeper once, as the maintenance job does every 30 s. */
  sweep(): Promise<Record<string, number>> {
    return this.izinli.app.get(SweepService).sweepAll();
  }

  /** A brand in Izinli's tables (and, for a code the simulator does not seed, in the simulator with the integrator authorised). */
  async brand(
    brandCode: string,
    iysSync: 'PLATFORM' | 'CUSTOMER' = 'PLATFORM',
    iysCode = SEEDED_IYS_CODE,
  ): Promise<ConsentBrand> {
    const known = this.brands.get(brandCode);
    if (known) return known;
    if (brandCode !== '100001' && brandCode !== '100002') {
      await this.simPost('/_sim/service-providers', {
        iysCode: Number(iysCode),
        brands: [{ brandCode: Number(brandCode), name: `Brand ${brandCode}` }],
      });
      await this.simPost('/_sim/integrators', {
        integratorCode: 900001,
        authorisations: [{ iysCode: Number(iysCode), brandCode: Number(brandCode) }],
      });
    }
    await sqlExec(
      this.ds,
      `INSERT INTO service_providers (name, iys_code) VALUES ($1, $2) ON CONFLICT (iys_code) DO NOTHING`,
      [`HS ${iysCode}`, iysCode],
    );
    const sp = await sqlOne<{ id: string }>(this.ds, `SELECT id FROM service_providers WHERE iys_code = $1`, [iysCode]);
    const row = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO brands (service_provider_id, name, brand_code, from_email, from_name, iys_sync) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [sp!.id, `Brand ${brandCode}`, brandCode, `info@b${brandCode}.com.tr`, 'Brand', iysSync],
    );
    const brand: ConsentBrand = { id: row!.id, tenantId: sp!.id, iysCode, brandCode, iysSync };
    this.brands.set(brandCode, brand);
    return brand;
  }

  record(brand: ConsentBrand, input: Partial<MovementInput> & { recipient: string }, origin: MovementOrigin = 'API') {
    return this.registry.record(
      brand,
      { type: 'EPOSTA', status: 'ONAY', source: 'HS_WEB', ...input },
      { origin, recordedBy: 'test' },
    );
  }

  // ---- the simulator ---------------------------------------------------------------------------------------------

  async simPost(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(this.sim.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  async simGet<T>(path: string): Promise<T> {
    const res = await fetch(this.sim.url + path);
    return (await res.json()) as T;
  }

  async knobs(patch: SimulatorKnobsPatch): Promise<void> {
    const res = await fetch(this.sim.url + '/_sim/config', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(patch),
    });
    if (!res.ok) throw new Error(`simulator config: ${res.status} ${await res.text()}`);
    if (patch.clockOffsetSeconds !== undefined) this.simOffsetSeconds = patch.clockOffsetSeconds;
  }

  /** How far İYS's clock is ahead of this process's, in seconds (the `clockOffsetSeconds` knob). */
  get simClockOffsetSeconds(): number {
    return this.simOffsetSeconds;
  }

  /**
   * Moves İYS's clock to the first seconds of the next Turkey day and answers that day (YYYY-MM-DD), so that a
   * suite which needs all its movements in one İYS day has a whole day before it, whatever the hour it starts at.
   * Forward only: whatever Izinli dates "now" stays in İYS's past (never H162) and within its three business days.
   */
  async freshIysDay(): Promise<string> {
    const now = Date.now();
    const day = toTurkeyDateString(new Date(now + 86_400_000));
    await this.knobs({ clockOffsetSeconds: Math.ceil((startOfTurkeyDay(day).getTime() + 5_000 - now) / 1000) });
    return day;
  }

  faults(f: Record<string, unknown>): Promise<unknown> {
    return this.simPost('/_sim/faults', f);
  }

  async clearFaults(): Promise<void> {
    await fetch(this.sim.url + '/_sim/faults', { method: 'DELETE' });
  }

  /** A citizen's movement at İYS (an IYS_* source), as the İYS app or web site would make it. */
  citizen(
    brand: ConsentBrand,
    m: {
      recipient: string;
      status: 'ONAY' | 'RET';
      source?: string;
      consentDate?: Date;
      creationDate?: Date;
      type?: string;
    },
  ): Promise<unknown> {
    return this.simPost('/_sim/movements', {
      iysCode: Number(brand.iysCode),
      brandCode: Number(brand.brandCode),
      recipient: m.recipient,
      type: m.type ?? 'EPOSTA',
      status: m.status,
      source: m.source ?? 'IYS_MOBIL',
      ...(m.consentDate ? { consentDate: formatIysDate(m.consentDate) } : {}),
      ...(m.creationDate ? { creationDate: formatIysDate(m.creationDate) } : {}),
    });
  }

  async iysConsents(brand: ConsentBrand): Promise<IysConsentRow[]> {
    return (await this.simGet<{ list: IysConsentRow[] }>(`/_sim/consents?brandCode=${brand.brandCode}`)).list;
  }

  async requests(): Promise<{ method: string; path: string; status: number; body?: unknown }[]> {
    return (
      await this.simGet<{ list: { method: string; path: string; status: number; body?: unknown }[] }>('/_sim/requests')
    ).list;
  }

  /**
   * Every movement İYS holds for the brand from the service-provider side, oldest first, read through İYS's own
   * change feed (C7, source=HS) as a separate integrator would: the list İYS would show anyone.
   */
  async iysHsFeed(
    brand: ConsentBrand,
  ): Promise<
    { recipient: string; status: string; transactionId: string; creationDate: string; consentDate: string }[]
  > {
    const out: {
      recipient: string;
      status: string;
      transactionId: string;
      creationDate: string;
      consentDate: string;
    }[] = [];
    let after = '';
    for (;;) {
      const res = await this.simCall(
        'GET',
        `/sps/${brand.iysCode}/brands/${brand.brandCode}/consents/changes?source=HS&limit=1000${after ? `&after=${after}` : ''}`,
      );
      if (res.status === 204) return out;
      const page = (await res.json()) as { after: string; list: typeof out };
      out.push(...page.list);
      after = page.after;
      if (page.list.length < 1000) return out;
    }
  }

  /** C5 for up to 1000 addresses: which of them İYS holds as ONAY. */
  async iysApproved(brand: ConsentBrand, recipients: string[]): Promise<string[]> {
    const res = await this.simCall(
      'POST',
      `/sps/${brand.iysCode}/brands/${brand.brandCode}/consents/BIREYSEL/status/EPOSTA`,
      { recipients },
    );
    const body = (await res.json()) as { list?: string[] };
    if (res.status !== 200 || !body.list)
      throw new Error(`İYS multi status answered ${res.status}: ${JSON.stringify(body)}`);
    return body.list;
  }

  /** Calls İYS as the seeded service provider's own user (not the integrator Izinli uses), like an outside party. */
  async simCall(method: string, path: string, body?: unknown): Promise<Response> {
    if (!this.simToken) {
      const t = await fetch(this.sim.url + '/oauth2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', username: 'izinli', password: 'izinli-secret' }),
      });
      this.simToken = ((await t.json()) as { access_token: string }).access_token;
    }
    // The outside party's requests share the simulator's per-client limit with Izinli's: pace them, and when the
    // limit still answers 429 (Izinli may be busy catching up), wait and ask again as any İYS client would.
    for (let attempt = 0; ; attempt++) {
      await new Promise((r) => setTimeout(r, 150 + attempt * 250));
      const res = await fetch(this.sim.url + path, {
        method,
        headers: { authorization: `Bearer ${this.simToken}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (res.status !== 429 || attempt >= 8) return res;
      await res.arrayBuffer();
    }
  }

  // ---- the database -----------------------------------------------------------------------------------------------

  outboxStates(brand: ConsentBrand): Promise<
    {
      id: string;
      recipient: string;
      status: string;
      state: string;
      reason: string | null;
      error_code: string | null;
      transaction_id: string | null;
      mode: string;
      attempts: number;
    }[]
  > {
    return sqlRows(
      this.ds,
      `SELECT id::text AS id, recipient, status, state, reason, error_code, transaction_id, mode, attempts FROM iys_outbox o WHERE brand_id = $1 ORDER BY o.id`,
      [brand.id],
    );
  }

  /** Waits until no outgoing row of the brand is PENDING. */
  async settled(brand: ConsentBrand, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () =>
        (await sqlOne<{ n: number }>(
          this.ds,
          `SELECT count(*)::int AS n FROM iys_outbox WHERE brand_id = $1 AND state = 'PENDING'`,
          [brand.id],
        ))!.n,
      (n) => n === 0,
      timeoutMs,
      100,
    );
  }

  consents(
    brand: ConsentBrand,
  ): Promise<
    { recipient: string; status: string; iys_state: string; iys_transaction_id: string | null; source: string }[]
  > {
    return sqlRows(
      this.ds,
      `SELECT recipient, status, iys_state, iys_transaction_id, source FROM consents WHERE brand_id = $1 ORDER BY recipient`,
      [brand.id],
    );
  }

  settings(): IysSyncSettings {
    return this.izinli.app.get(IYS_SYNC_SETTINGS);
  }

  private async boot(): Promise<void> {
    const redis = testRedisUrl();
    const config = loadAppConfig({
      PORT: '0',
      DATA_DIR: this.dataDir,
      ADMIN_API_KEY: `test-admin-${randomBytes(16).toString('hex')}`,
      LOG_LEVEL: process.env.IZINLI_TEST_LOGS ? 'debug' : 'silent',
      UNSUBSCRIBE_SECRET: this.unsubscribeSecret,
      IYS_URL: this.sim.url,
      IYS_USERNAME: 'integrator',
      IYS_PASSWORD: 'integrator-secret',
      IYS_INTEGRATOR_CODE: '900001',
      IYS_PULL_INTERVAL_SECONDS: '1',
      // The tests' webhook receivers listen on loopback, which webhooks may reach only as an operator's exception.
      WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32',
      ...(this.db.url ? { DATABASE_URL: this.db.url } : {}),
      ...(redis ? { REDIS_URL: redis } : {}),
      ...this.options.env,
    });
    this.izinli = await createIzinliApp(config, {
      pglite: this.db.pglite,
      queuePrefix: `s${randomBytes(4).toString('hex')}`,
      noListen: !this.options.listen,
    });
    // The app sets the real İYS's batch timing whenever IYS_URL is set (poll after 300 s); this simulator answers a
    // batch within a second, so the test shortens the polls on the live settings object every service shares.
    Object.assign(this.settings(), { batchFirstPollMs: 1_200, batchPollEveryMs: 500 });
  }
}
