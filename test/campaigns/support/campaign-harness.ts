import { randomBytes, randomUUID } from 'crypto';
import { DataSource } from 'typeorm';
import Bull from 'bull';
import {
  BusinessCalendar,
  ConsentRegistry,
  RegistryRepository,
  SuppressionList,
  SystemClock,
  type Clock,
} from '@izinli/consent';
import { createDataSource, sqlExec, sqlOne, sqlRows } from '@izinli/database';
import { MailTransport, NodemailerMailTransport } from '@izinli/mailer';
import { BullJobQueue, InProcessJobQueue, JobQueue } from '@izinli/queue';
import { createTestDatabase, TestDatabase, testDatabaseUrl, testRedisUrl, waitFor } from '@izinli/testing';
import { allMigrations } from '../../../apps/campaigns/src/app.module';
import { CampaignLauncher, LedgerBuilt } from '../../../apps/campaigns/src/campaigns/campaign-launcher';
import { CampaignsRepository } from '../../../apps/campaigns/src/campaigns/campaigns.repository';
import { CampaignDispatcher, SendChunkJob } from '../../../apps/campaigns/src/delivery/campaign-dispatcher';
import { CampaignRateLimiter } from '../../../apps/campaigns/src/delivery/campaign-rate-limiter';
import { ChunkSender } from '../../../apps/campaigns/src/delivery/chunk-sender';
import { DeliveryLeases } from '../../../apps/campaigns/src/delivery/delivery-leases';
import { DeliverySettings } from '../../../apps/campaigns/src/delivery/delivery-settings';
import { DeliveryRepository } from '../../../apps/campaigns/src/delivery/delivery.repository';
import { CampaignDeliveryJob, QueueName } from '../../../apps/campaigns/src/jobs/queue-names';
import { TemplateEngine } from '../../../apps/campaigns/src/templates/template-engine';
import { UnsubscribeTokens } from '../../../apps/campaigns/src/unsubscribe/unsubscribe-token';

export const TEST_UNSUBSCRIBE_SECRET = 'integration-test-unsubscribe-secret-0123456789';

/** Settings short enough for tests: retries in fractions of a second, leases that expire in about a second. */
export function fastSettings(over: Partial<DeliverySettings> = {}): DeliverySettings {
  return new DeliverySettings({
    publicUrl: 'https://izinli.test',
    chunkSize: 50,
    subBatchSize: 10,
    heartbeatMs: 200,
    leaseTtlMs: 1_000,
    watchdogMs: 300,
    recipientRetryBaseMs: 150,
    jobBackoffMs: 100,
    recordRetryMs: 20_000,
    shutdownGraceMs: 2_000,
    ...over,
  });
}

export interface Brand {
  id: string;
  tenantId: string;
  brandCode: string;
  iysCode: string;
}

export interface ContactSeed {
  email: string;
  recipientType?: 'BIREYSEL' | 'TACIR';
  data?: Record<string, unknown>;
}

/** One worker: its own lease keeper (its own id), sender and, in server mode, its own connection pool. */
export interface TestWorker {
  id: string;
  sender: ChunkSender;
  leases: DeliveryLeases;
  dispatcher: CampaignDispatcher;
  ds: DataSource;
  close(): Promise<void>;
}

/**
 * The delivery stack of the app built by hand on a test database (PGlite, or a fresh PostgreSQL database in the
 * integration layer), with the same classes the app module wires: what the integration tests drive directly.
 */
export class CampaignHarness {
  readonly clock: Clock = new SystemClock();
  readonly engine = new TemplateEngine();
  readonly tokens = new UnsubscribeTokens(TEST_UNSUBSCRIBE_SECRET);
  registry!: ConsentRegistry;
  suppressions!: SuppressionList;
  campaigns!: CampaignsRepository;
  repo!: DeliveryRepository;
  dispatcher!: CampaignDispatcher;
  launcher!: CampaignLauncher;
  queue!: JobQueue;
  private bullQueues: Bull.Queue[] = [];
  private readonly workers: TestWorker[] = [];
  private readonly transports: MailTransport[] = [];
  private seq = 0;

  private constructor(
    readonly db: TestDatabase,
    readonly settings: DeliverySettings,
  ) {}

  static async create(settings = fastSettings()): Promise<CampaignHarness> {
    const h = new CampaignHarness(await createTestDatabase(allMigrations), settings);
    h.queue = h.newQueue();
    h.wire();
    return h;
  }

  get ds(): DataSource {
    return this.db.dataSource;
  }

  get serverMode(): boolean {
    return !!this.db.url;
  }

  /** Bull under a prefix of its own when Redis is configured, the in-process queue otherwise. */
  newQueue(prefix = `t${randomBytes(4).toString('hex')}`, redisUrl = testRedisUrl()): JobQueue {
    if (!redisUrl) return new InProcessJobQueue();
    const queues = [QueueName.CAMPAIGN_DELIVERY, QueueName.CAMPAIGNS].map((n) => new Bull(n, redisUrl, { prefix }));
    this.bullQueues.push(...queues);
    return new BullJobQueue(new Map(queues.map((q) => [q.name, q])));
  }

  /** Points the harness (dispatcher, launcher) at another queue, e.g. after the old one lost every job. */
  useQueue(queue: JobQueue): void {
    this.queue = queue;
    this.wire();
  }

  private wire(): void {
    this.registry = new ConsentRegistry(this.ds, new RegistryRepository(), new BusinessCalendar(), this.clock);
    this.suppressions = new SuppressionList(this.ds);
    this.campaigns = new CampaignsRepository(this.ds);
    this.repo = new DeliveryRepository(this.ds, this.settings);
    this.dispatcher = new CampaignDispatcher(this.repo, this.queue, this.settings);
    this.launcher = new CampaignLauncher(
      this.ds,
      this.campaigns,
      this.dispatcher,
      this.queue,
      this.clock,
      this.settings,
    );
  }

  /**
   * A worker with its own identity. In server mode it gets its own connection pool, so two workers really run
   * their statements at the same time.
   */
  async worker(
    transport: MailTransport,
    options: { queue?: JobQueue; settings?: DeliverySettings } = {},
  ): Promise<TestWorker> {
    const settings = options.settings ?? this.settings;
    let ds = this.ds;
    let ownDs = false;
    if (this.db.url) {
      ds = await createDataSource({ url: this.db.url, migrations: [], poolSize: 5 });
      await ds.initialize();
      ownDs = true;
    }
    const repo = new DeliveryRepository(ds, settings);
    const leases = new DeliveryLeases(ds, settings);
    const dispatcher = new CampaignDispatcher(repo, options.queue ?? this.queue, settings);
    const sender = new ChunkSender(
      repo,
      leases,
      new CampaignRateLimiter(ds),
      dispatcher,
      this.engine,
      transport,
      this.tokens,
      new SuppressionList(ds),
      this.clock,
      settings,
    );
    const w: TestWorker = {
      id: leases.workerId,
      sender,
      leases,
      dispatcher,
      ds,
      close: async () => {
        await sender.stop();
        if (ownDs && ds.isInitialized) await ds.destroy();
      },
    };
    this.workers.push(w);
    return w;
  }

  /** Registers workers as the chunk processor of a queue, taking jobs in turn. */
  serve(queue: JobQueue, workers: TestWorker[], concurrency = 4): void {
    let next = 0;
    queue.process<SendChunkJob>(
      QueueName.CAMPAIGN_DELIVERY,
      CampaignDeliveryJob.SEND_CHUNK,
      (job) => workers[next++ % workers.length].sender.send(job.data),
      concurrency,
    );
  }

  /** A pooled SMTP transport, closed with the harness (an open pool would keep the test's SMTP server waiting). */
  smtp(url: string, pool = 5): MailTransport {
    const t = new NodemailerMailTransport(url, pool);
    this.transports.push(t);
    return t;
  }

  async brand(): Promise<Brand> {
    const n = ++this.seq;
    const code = String(720000 + Math.floor(Math.random() * 9000) * 10 + (n % 10));
    const sp = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO service_providers (name, iys_code) VALUES ($1, $2) RETURNING id`,
      [`HS ${code}`, code],
    );
    const b = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO brands (service_provider_id, name, brand_code, from_email, from_name) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [sp!.id, `Marka ${code}`, code, `kampanya@marka${code}.com.tr`, `Marka ${code}`],
    );
    return { id: b!.id, tenantId: sp!.id, brandCode: code, iysCode: code };
  }

  /** Records ONAY (or RET) through the registry, as the API would. */
  async consent(
    brand: Brand,
    recipient: string,
    status: 'ONAY' | 'RET' = 'ONAY',
    recipientType: 'BIREYSEL' | 'TACIR' = 'BIREYSEL',
  ): Promise<void> {
    await this.registry.record(
      {
        id: brand.id,
        tenantId: brand.tenantId,
        iysCode: brand.iysCode,
        brandCode: brand.brandCode,
        iysSync: 'PLATFORM',
      },
      { recipient, type: 'EPOSTA', status, source: 'HS_WEB', recipientType },
      { origin: 'API', recordedBy: 'test' },
    );
  }

  /** ONAY for many addresses at once, written set-wise (what a bulk import leaves behind), accepted by İYS. */
  async consentMany(brand: Brand, recipients: string[]): Promise<void> {
    await sqlExec(
      this.ds,
      `WITH m AS (
         INSERT INTO consent_movements (brand_id, recipient_type, type, recipient, status, source, consent_date, origin, recorded_by)
         SELECT $1, 'BIREYSEL', 'EPOSTA', r, 'ONAY', 'HS_WEB', now() - interval '1 day', 'IMPORT', 'test' FROM unnest($2::text[]) r
         RETURNING id, recipient, consent_date
       )
       INSERT INTO consents (brand_id, type, recipient, recipient_type, status, source, consent_date, movement_id, iys_state, iys_transaction_id)
       SELECT $1, 'EPOSTA', recipient, 'BIREYSEL', 'ONAY', 'HS_WEB', consent_date, id, 'ACCEPTED', 'tx-' || id FROM m`,
      [brand.id, recipients],
    );
  }

  async list(brand: Brand, contacts: ContactSeed[]): Promise<string> {
    const l = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO contact_lists (brand_id, name) VALUES ($1, 'Liste') RETURNING id`,
      [brand.id],
    );
    await sqlExec(
      this.ds,
      `INSERT INTO contacts (list_id, email, recipient_type, data)
       SELECT $1, e->>'email', COALESCE(e->>'recipientType', 'BIREYSEL'), COALESCE(e->'data', '{}'::jsonb) FROM jsonb_array_elements($2::jsonb) e`,
      [l!.id, JSON.stringify(contacts)],
    );
    return l!.id;
  }

  async campaign(
    brand: Brand,
    listId: string,
    options: { kind?: 'COMMERCIAL' | 'TRANSACTIONAL'; ratePerSecond?: number; subject?: string; html?: string } = {},
  ): Promise<string> {
    const t = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO templates (brand_id, name, subject, html) VALUES ($1, 'T', $2, $3) RETURNING id`,
      [
        brand.id,
        options.subject ?? 'Merhaba {{firstName}}',
        options.html ?? '<p>Merhaba {{firstName}}</p><p><a href="{{unsubscribeUrl}}">Abonelikten çık</a></p>',
      ],
    );
    const kind = options.kind ?? 'COMMERCIAL';
    const c = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO campaigns (brand_id, list_id, template_id, name, purpose, kind, classification, status, rate_per_second)
       VALUES ($1, $2, $3, 'Kampanya', $4, $5, $6, 'DRAFT', $7) RETURNING id`,
      [
        brand.id,
        listId,
        t!.id,
        kind === 'COMMERCIAL' ? 'PROMOTION' : 'SERVICE_NOTICE',
        kind,
        JSON.stringify({ kind, declaredKind: kind, escalated: false, reasons: [], signals: [] }),
        options.ratePerSecond ?? null,
      ],
    );
    return c!.id;
  }

  /** Launch as the API does: the ledger in one transaction, then the first chunks into the queue. */
  async launch(campaignId: string, dispatch = true): Promise<LedgerBuilt> {
    const built = await this.ds.transaction(async (m) => {
      const c = await this.campaigns.findById(m, campaignId, true);
      return this.launcher.start(m, c!);
    });
    if (dispatch) await this.dispatcher.dispatch(campaignId);
    return built;
  }

  status(campaignId: string): Promise<string> {
    return sqlOne<{ status: string }>(this.ds, `SELECT status FROM campaigns WHERE id = $1`, [campaignId]).then(
      (r) => r!.status,
    );
  }

  async untilCompleted(campaignId: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => this.status(campaignId),
      (s) => s === 'COMPLETED',
      timeoutMs,
      50,
    );
  }

  ledger(campaignId: string) {
    return sqlRows<{
      id: string;
      recipient: string;
      status: string;
      reason: string;
      blocked_stage: string | null;
      attempts: number;
      failure: string | null;
      smtp_code: number | null;
      possible_duplicate: boolean;
      sent_by: string | null;
      movement_id: string | null;
      message_id: string | null;
    }>(
      this.ds,
      `SELECT id::text, recipient, status, reason, blocked_stage, attempts, failure, smtp_code, possible_duplicate, sent_by, movement_id::text, message_id
       FROM campaign_recipients r WHERE campaign_id = $1 ORDER BY r.id`,
      [campaignId],
    );
  }

  async close(): Promise<void> {
    for (const w of this.workers) await w.close().catch(() => undefined);
    for (const t of this.transports) await t.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    for (const q of this.bullQueues) await q.close().catch(() => undefined);
    await this.db.close();
  }
}

export const addresses = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}@example.com`);

export const uniqueId = () => randomUUID().slice(0, 8);

export { testDatabaseUrl, testRedisUrl };
