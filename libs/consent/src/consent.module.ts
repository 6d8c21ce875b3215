import { DynamicModule, Module, Provider } from '@nestjs/common';
import { BusinessCalendar, type ExtraHoliday } from './calendar';
import { Clock, SystemClock } from './clock';
import { ConsentGate } from './gate/consent-gate';
import { ConsentImporter } from './imports/consent-importer';
import { ImportRepository } from './imports/import.repository';
import { ConsentRegistry } from './registry/consent-registry';
import { RegistryRepository } from './registry/registry.repository';
import { SuppressionList } from './suppression/suppression-list';
import { IysClient, IysConnectionSettings } from './iys/iys-client';
import {
  DEFAULT_IYS_RATE_LIMIT,
  InProcessIysRateLimiter,
  IysRateLimiter,
  IysRateLimitSettings,
} from './iys/iys-rate-limiter';
import { IysTokenStore } from './iys/iys-token-store';
import { PostgresIysTokenStore } from './iys/postgres-iys-token-store';
import { EmptyIysBrandDirectory, IysBrandDirectory } from './sync/iys-brand-directory';
import { IysOutboxMonitor } from './sync/outbox-monitor';
import { IYS_SYNC_SETTINGS, IysOutboxSender } from './sync/outbox-sender';
import { NoopOutboxListener, OutboxListener } from './sync/outbox-listener';
import { OutboxRepository } from './sync/outbox.repository';
import { IysPuller } from './sync/iys-puller';
import { IysPushReceiver } from './sync/iys-push-receiver';
import { IysReconciler } from './sync/iys-reconciler';
import { DEFAULT_SYNC_SETTINGS, IysSyncSettings } from './sync/sync-settings';

export interface ConsentModuleOptions {
  /** Dates the operator adds to the Turkish holiday table (YYYY-MM-DD, or with a name and half-day flag). */
  holidays?: ExtraHoliday[];
  /** Where "now" comes from; the system clock unless a test hands in another. */
  clock?: Clock;
  /** İYS's address and Izinli's API user there; without it the sync engine cannot reach İYS. */
  iys?: IysConnectionSettings;
  /** The sync engine's timing (batch polls, spacing, claims); defaults suit the real İYS. */
  sync?: Partial<IysSyncSettings>;
  /** The request limit the in-process limiter enforces (and the host's own limiter should). */
  rateLimit?: Partial<IysRateLimitSettings>;
}

/** The sync settings with the host's overrides applied. */
export function resolveSyncSettings(o: ConsentModuleOptions): IysSyncSettings {
  return { ...DEFAULT_SYNC_SETTINGS, ...o.sync, backoff: { ...DEFAULT_SYNC_SETTINGS.backoff, ...o.sync?.backoff } };
}

export function resolveRateLimit(o: Pick<ConsentModuleOptions, 'rateLimit'>): IysRateLimitSettings {
  return {
    ...DEFAULT_IYS_RATE_LIMIT,
    ...o.rateLimit,
    headroom: { ...DEFAULT_IYS_RATE_LIMIT.headroom, ...o.rateLimit?.headroom },
  };
}

export const CONSENT_MODULE_OPTIONS = Symbol('CONSENT_MODULE_OPTIONS');

const services: Provider[] = [
  {
    provide: BusinessCalendar,
    inject: [CONSENT_MODULE_OPTIONS],
    useFactory: (o: ConsentModuleOptions) => new BusinessCalendar(o.holidays ?? []),
  },
  {
    provide: Clock,
    inject: [CONSENT_MODULE_OPTIONS],
    useFactory: (o: ConsentModuleOptions) => o.clock ?? new SystemClock(),
  },
  RegistryRepository,
  ConsentRegistry,
  ConsentGate,
  ImportRepository,
  ConsentImporter,
  SuppressionList,
  // The İYS client and sync engine, with in-process defaults for their ports; a host overrides them (adapters).
  { provide: IYS_SYNC_SETTINGS, inject: [CONSENT_MODULE_OPTIONS], useFactory: resolveSyncSettings },
  {
    provide: IysRateLimiter,
    inject: [CONSENT_MODULE_OPTIONS],
    useFactory: (o: ConsentModuleOptions) => new InProcessIysRateLimiter(resolveRateLimit(o)),
  },
  { provide: IysTokenStore, useClass: PostgresIysTokenStore },
  { provide: OutboxListener, useClass: NoopOutboxListener },
  { provide: IysBrandDirectory, useClass: EmptyIysBrandDirectory },
  {
    provide: IysClient,
    inject: [CONSENT_MODULE_OPTIONS, IysRateLimiter, IysTokenStore, Clock],
    useFactory: (o: ConsentModuleOptions, limiter: IysRateLimiter, store: IysTokenStore, clock: Clock) =>
      new IysClient(o.iys, limiter, store, clock),
  },
  OutboxRepository,
  IysOutboxSender,
  IysOutboxMonitor,
  IysPuller,
  IysPushReceiver,
  IysReconciler,
];
const exported = [
  BusinessCalendar,
  Clock,
  ConsentRegistry,
  ConsentGate,
  ConsentImporter,
  SuppressionList,
  IYS_SYNC_SETTINGS,
  IysRateLimiter,
  IysTokenStore,
  OutboxListener,
  IysBrandDirectory,
  IysClient,
  IysOutboxSender,
  IysOutboxMonitor,
  IysPuller,
  IysPushReceiver,
  IysReconciler,
];

/**
 * The consent plugin. It needs a TypeORM `DataSource` from the host (with `consentMigrations` run) and
 * nothing else: no HTTP, no queue, no mail. `adapters` are the host's bindings of the plugin's ports
 * (OutboxListener, IysRateLimiter, IysTokenStore, IysBrandDirectory); each replaces the in-process default.
 */
@Module({})
export class ConsentModule {
  static forRoot(options: ConsentModuleOptions = {}, adapters: Provider[] = []): DynamicModule {
    return {
      module: ConsentModule,
      global: true,
      providers: [{ provide: CONSENT_MODULE_OPTIONS, useValue: options }, ...services, ...adapters],
      exports: exported,
    };
  }

  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: any[];
    useFactory: (...args: any[]) => ConsentModuleOptions | Promise<ConsentModuleOptions>;
    adapters?: Provider[];
  }): DynamicModule {
    return {
      module: ConsentModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: CONSENT_MODULE_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        ...services,
        ...(options.adapters ?? []),
      ],
      exports: exported,
    };
  }
}
