// Shared by the campaign benchmarks: a throw-away database with the application's migrations, set-wise seeding of
// a brand, a list and its consents, and an SMTP server that only counts.
import { AddressInfo } from 'net';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { sqlExec, sqlOne } from '@izinli/database';
import { allMigrations } from '../apps/campaigns/src/app.module';
import { BenchDatabase, createBenchDatabase } from './bench-database';

export function benchRedisUrl(): string {
  return process.env.IZINLI_BENCH_REDIS_URL || process.env.REDIS_URL || 'redis://127.0.0.1:6379';
}

/**
 * The node flags a worker process starts with, as docker-compose's `worker` service and `npm run start:worker` start
 * it: V8's garbage collector on the worker's own thread, so its collections do not spill onto the cores the API (or
 * PostgreSQL) answers on. BENCH_WORKER_NODE_ARGS replaces them (an empty value gives V8's default parallel GC).
 */
export const WORKER_NODE_FLAGS: string[] = (process.env.BENCH_WORKER_NODE_ARGS ?? '--single-threaded-gc')
  .split(' ')
  .filter(Boolean);

/** A throw-away database with the application's migrations (the campaigns app and its libraries). */
export function createCampaignBenchDatabase(prefix: string): Promise<BenchDatabase> {
  return createBenchDatabase(prefix, allMigrations);
}

export interface SeededCampaign {
  brandId: string;
  tenantId: string;
  listId: string;
  templateId: string;
  campaignId: string;
}

/** The template both pipelines send: a realistic promotional body of about 2 KB with personalisation. */
export const BENCH_TEMPLATE = {
  subject: '{{firstName}}, kasım fırsatları sizi bekliyor',
  html:
    '<html><body><table role="presentation" width="100%"><tr><td>' +
    '<h1>Merhaba {{default firstName "Değerli müşterimiz"}},</h1>' +
    '<p>{{city}} mağazamızda bu hafta sonuna özel yeni sezon ürünlerinde indirimler başladı. ' +
    'Üyelerimize özel fırsatları kaçırmamak için hemen göz atın.</p>'.repeat(8) +
    '<p><a href="https://ornek.com.tr/kampanya?u={{customerId}}">Kampanyayı incele</a></p>' +
    '<p style="font-size:12px;color:#888">Bu e-postayı almak istemiyorsanız <a href="{{unsubscribeUrl}}">abonelikten çıkabilirsiniz</a>.</p>' +
    '</td></tr></table></body></html>',
};

/**
 * One brand with `n` contacts in one list, a share of them with a consent accepted by İYS (every `refusedEvery`-th
 * of those a RET), a template and a DRAFT commercial campaign. Everything set-wise: generate_series, no statement
 * per row.
 */
export async function seedCampaign(
  ds: DataSource,
  n: number,
  options: { consentedShare?: number; refusedEvery?: number; ratePerSecond?: number | null } = {},
): Promise<SeededCampaign> {
  const share = options.consentedShare ?? 1;
  const refusedEvery = options.refusedEvery ?? 0;
  const sp = (await sqlOne<{ id: string }>(
    ds,
    `INSERT INTO service_providers (name, iys_code) VALUES ('Bench A.Ş.', '790001') RETURNING id`,
  ))!;
  const brand = (await sqlOne<{ id: string }>(
    ds,
    `INSERT INTO brands (service_provider_id, name, brand_code, from_email, from_name) VALUES ($1, 'Bench', '790001', 'kampanya@bench.com.tr', 'Bench') RETURNING id`,
    [sp.id],
  ))!;
  const list = (await sqlOne<{ id: string }>(
    ds,
    `INSERT INTO contact_lists (brand_id, name) VALUES ($1, 'Bench listesi') RETURNING id`,
    [brand.id],
  ))!;
  await sqlExec(
    ds,
    `INSERT INTO contacts (list_id, email, recipient_type, data)
     SELECT $1, 'user' || g || '@example.com', 'BIREYSEL', jsonb_build_object('firstName', 'Ad' || g, 'city', 'İzmir', 'customerId', g)
     FROM generate_series(1, $2::int) g`,
    [list.id, n],
  );
  const consented = Math.round(n * share);
  await sqlExec(
    ds,
    `INSERT INTO consent_movements (brand_id, type, recipient, recipient_type, status, source, consent_date, origin, recorded_by, iys_transaction_id)
     SELECT $1, 'EPOSTA', 'user' || g || '@example.com', 'BIREYSEL', CASE WHEN $3::int > 0 AND g % $3::int = 0 THEN 'RET' ELSE 'ONAY' END, 'HS_WEB',
            now() - interval '10 days', 'IMPORT', 'bench', 'tx-' || g
     FROM generate_series(1, $2::int) g`,
    [brand.id, consented, refusedEvery],
  );
  await sqlExec(
    ds,
    `INSERT INTO consents (brand_id, type, recipient, recipient_type, status, source, consent_date, movement_id, iys_state, iys_transaction_id)
     SELECT brand_id, type, recipient, recipient_type, status, source, consent_date, id, 'ACCEPTED', iys_transaction_id FROM consent_movements WHERE brand_id = $1`,
    [brand.id],
  );
  await sqlExec(ds, `ANALYZE`);
  const template = (await sqlOne<{ id: string }>(
    ds,
    `INSERT INTO templates (brand_id, name, subject, html) VALUES ($1, 'Bench', $2, $3) RETURNING id`,
    [brand.id, BENCH_TEMPLATE.subject, BENCH_TEMPLATE.html],
  ))!;
  const campaign = (await sqlOne<{ id: string }>(
    ds,
    `INSERT INTO campaigns (brand_id, list_id, template_id, name, purpose, kind, classification, status, rate_per_second)
     VALUES ($1, $2, $3, 'Bench', 'PROMOTION', 'COMMERCIAL', '{"kind":"COMMERCIAL","declaredKind":"COMMERCIAL","escalated":false,"reasons":[],"signals":[]}', 'DRAFT', $4)
     RETURNING id`,
    [brand.id, list.id, template.id, options.ratePerSecond ?? null],
  ))!;
  return { brandId: brand.id, tenantId: sp.id, listId: list.id, templateId: template.id, campaignId: campaign.id };
}

export interface CountingSmtpServer {
  url: string;
  received(): number;
  bytes(): number;
  close(): Promise<void>;
}

/** An SMTP server that accepts everything and keeps only counts: the same sink for every pipeline measured. */
export async function startCountingSmtpServer(): Promise<CountingSmtpServer> {
  let received = 0;
  let bytes = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    logger: false,
    maxClients: 1000,
    closeTimeout: 1_000,
    onData(stream, _session, cb) {
      stream.on('data', (c: Buffer) => (bytes += c.length));
      stream.on('end', () => {
        received++;
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    bytes: () => bytes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function waitUntil(
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
