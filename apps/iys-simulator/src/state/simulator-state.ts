import { createHash, randomBytes, randomUUID } from 'crypto';
import { Inject, Injectable } from '@nestjs/common';
import { insertSorted } from '../changes/pull-cursor';
import { FaultInjector } from '../faults/fault-injector';
import { RequestLog } from '../http/request-log';
import { RateLimits } from '../limits/rate-limiter';
import { SimulatorClock } from '../core/simulator-clock';
import { type SimulatorKnobs, mergeKnobs } from '../core/simulator-knobs';
import { parseTurkeyDateTime } from '../core/turkey-time';
import type { ConsentStatus, ConsentType, RecipientType, SubscriptionStatus } from '../core/iys-types';
import { CONSENT_TYPES, sourceGroupOf } from '../core/iys-types';
import type {
  ApiUser,
  BatchRequest,
  Brand,
  ConsentRecord,
  Integrator,
  Movement,
  Retailer,
  ServiceProvider,
  Subscription,
  TokenSession,
} from './state-model';
import { SEED } from './seed';

export const SIMULATOR_OPTIONS = Symbol('IYS_SIMULATOR_OPTIONS');

export interface SimulatorInstanceOptions {
  /** The knobs the instance started with; a reset returns to these. */
  knobs: SimulatorKnobs;
}

export interface ServiceProviderInput {
  iysCode: number;
  title?: string;
  brands: { brandCode: number; name: string; retailers?: Retailer[] }[];
  users: { username: string; password: string; role?: 'API_USER' | 'admin' }[];
  subscription?: Partial<Omit<Subscription, 'subscriptionId'>> | null;
}

export interface IntegratorInput {
  integratorCode: number;
  title?: string;
  users: { username: string; password: string; role?: 'API_USER' | 'admin' }[];
  authorisations: {
    iysCode: number;
    brandCode: number;
    types?: ConsentType[];
    agreementControl?: boolean;
    viaControl?: boolean;
  }[];
  subscription?: Partial<Omit<Subscription, 'subscriptionId'>> | null;
}

/** What a write stores; the state adds ids, times and bookkeeping. */
export interface NewMovement {
  recipient: string;
  recipientType: RecipientType;
  type: ConsentType;
  status: ConsentStatus;
  source: string | null;
  consentDate: string | null;
  consentMs: number | null;
  retailerCode?: number;
  retailerAccess?: number[];
  citizenName?: string;
  origin?: { requestId: string; subRequestId: string };
}

export interface PushDelivery {
  time: string;
  url: string;
  type: ConsentType;
  attempt: number;
  /** HTTP status received, or 0 when the endpoint could not be reached. */
  status: number;
  error?: string;
  transactionIds: string[];
}

/** Refused by the test surface: the request conflicts with what the simulator already holds. */
export class StateConflictError extends Error {}

/**
 * Everything one simulated İYS holds, in memory. One instance per Nest application, so several simulators can
 * run in one process without sharing a thing. `reset()` returns it to the seeded state of design.md.
 */
@Injectable()
export class SimulatorState {
  knobs: SimulatorKnobs;
  holidays: ReadonlySet<string> = new Set();
  threeBusinessDaysFromMs: number | null = null;
  readonly clock: SimulatorClock;
  readonly requestLog: RequestLog;
  readonly faults = new FaultInjector();
  readonly limits = new RateLimits();

  readonly serviceProviders = new Map<number, ServiceProvider>();
  readonly brands = new Map<number, Brand>();
  readonly integrators = new Map<number, Integrator>();
  readonly users = new Map<string, ApiUser>();
  readonly consents = new Map<string, ConsentRecord>();
  readonly batches = new Map<string, BatchRequest>();
  /** v2 single add: the answer first given to a (path, body), returned again for an identical re-send (rule 20). */
  readonly v2Answers = new Map<string, { transactionId: string; creationDate: string }>();
  readonly accessTokens = new Map<string, TokenSession>();
  readonly refreshTokens = new Map<string, TokenSession>();
  pushDeliveries: PushDelivery[] = [];
  /** Bumped by every reset, so work started before it (a push in flight) can tell it is stale. */
  generation = 0;
  /** Called after each request and each piece of scheduled work: the state file (if any) writes soon after. */
  onChange: () => void = () => undefined;

  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;
  private salt = randomBytes(16).toString('hex');
  private disposed = false;

  constructor(@Inject(SIMULATOR_OPTIONS) private readonly options: SimulatorInstanceOptions) {
    this.knobs = options.knobs;
    this.applyDerivedKnobs();
    this.clock = new SimulatorClock(() => this.knobs.clockOffsetSeconds);
    this.requestLog = new RequestLog(() => this.knobs.requestLogLimit);
    this.seed();
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Applies a knobs patch (validated as a whole) and returns the new knobs. */
  patchKnobs(patch: unknown): SimulatorKnobs {
    this.knobs = mergeKnobs(this.knobs, patch);
    this.applyDerivedKnobs();
    return this.knobs;
  }

  private applyDerivedKnobs(): void {
    this.holidays = new Set(this.knobs.holidays);
    const from = this.knobs.threeBusinessDaysFrom ? parseTurkeyDateTime(this.knobs.threeBusinessDaysFrom) : null;
    this.threeBusinessDaysFromMs = from && from.ok ? from.ms : null;
  }

  /** Back to the seeded accounts and the start-up knobs; every consent, token, batch, log and fault is gone. */
  reset(): void {
    this.generation++;
    this.cancelTimers();
    this.knobs = this.options.knobs;
    this.applyDerivedKnobs();
    this.clearData();
    this.requestLog.clear();
    this.faults.clear();
    this.limits.clear();
    this.salt = randomBytes(16).toString('hex');
    this.seed();
  }

  /** Forgets every account, consent, batch and token (what a state file holds); knobs and logs stay. */
  clearData(): void {
    this.serviceProviders.clear();
    this.brands.clear();
    this.integrators.clear();
    this.users.clear();
    this.consents.clear();
    this.batches.clear();
    this.v2Answers.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.pushDeliveries = [];
  }

  /** The counters transaction ids derive from, kept by a state file so ids stay unique and stable across restarts. */
  persistedCounters(): { seq: number; salt: string } {
    return { seq: this.seq, salt: this.salt };
  }

  restoreCounters(seq: number, salt: string): void {
    this.seq = seq;
    this.salt = salt;
  }

  /** Runs `fn` after `ms` unless the simulator is reset or closed first; never keeps the process alive. */
  schedule(fn: () => void, ms: number): void {
    if (this.disposed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
        this.onChange();
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.timers.add(timer);
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimers();
  }

  private cancelTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private seed(): void {
    for (const sp of SEED.serviceProviders) this.addServiceProvider(sp);
    for (const integrator of SEED.integrators) this.addIntegrator(integrator);
  }

  // ---- accounts ------------------------------------------------------------------------------------------------

  /** Adds a service provider, or adds brands, users and subscription changes to an existing one. */
  addServiceProvider(input: ServiceProviderInput): ServiceProvider {
    for (const b of input.brands) {
      const owner = this.brands.get(b.brandCode);
      if (owner && owner.iysCode !== input.iysCode)
        throw new StateConflictError(`brandCode ${b.brandCode} belongs to iysCode ${owner.iysCode}`);
    }
    this.checkUsers(input.users, { kind: 'HS', iysCode: input.iysCode });
    let sp = this.serviceProviders.get(input.iysCode);
    if (!sp) {
      sp = {
        iysCode: input.iysCode,
        title: input.title ?? `Hizmet Sağlayıcı ${input.iysCode}`,
        brands: new Map(),
        subscription: this.buildSubscription(input.subscription, 1_000_000),
        usedConsentLimit: 0,
      };
      this.serviceProviders.set(sp.iysCode, sp);
    } else {
      if (input.title) sp.title = input.title;
      if (input.subscription !== undefined) {
        sp.subscription =
          input.subscription === null
            ? null
            : { ...(sp.subscription ?? this.buildSubscription({}, 1_000_000)!), ...input.subscription };
      }
    }
    for (const b of input.brands) {
      const existing = sp.brands.get(b.brandCode);
      if (existing) {
        existing.name = b.name;
        for (const r of b.retailers ?? []) existing.retailers.set(r.retailerCode, { ...r });
        continue;
      }
      // The master brand's code equals the iysCode ([SPEC] test-environment note); otherwise the first brand is.
      const hasMaster = [...sp.brands.values()].some((x) => x.master);
      const brand: Brand = {
        iysCode: sp.iysCode,
        brandCode: b.brandCode,
        name: b.name,
        master: b.brandCode === sp.iysCode || (!hasMaster && !input.brands.some((x) => x.brandCode === sp!.iysCode)),
        retailers: new Map((b.retailers ?? []).map((r) => [r.retailerCode, { ...r }])),
        stats: { approval: 0, rejection: 0 },
        feed: { HS: [], IYS: [] },
        pushConnections: [],
        agreements: new Set(),
      };
      sp.brands.set(brand.brandCode, brand);
      this.brands.set(brand.brandCode, brand);
    }
    for (const u of input.users)
      this.users.set(u.username, { ...u, role: u.role ?? 'API_USER', owner: { kind: 'HS', iysCode: sp.iysCode } });
    return sp;
  }

  /** Adds an integrator, or adds users and (replacing per brand) authorisations to an existing one. */
  addIntegrator(input: IntegratorInput): Integrator {
    for (const a of input.authorisations) {
      const brand = this.brands.get(a.brandCode);
      if (!brand || brand.iysCode !== a.iysCode)
        throw new StateConflictError(`no brand ${a.brandCode} under iysCode ${a.iysCode}`);
    }
    this.checkUsers(input.users, { kind: 'INTEGRATOR', integratorCode: input.integratorCode });
    let integrator = this.integrators.get(input.integratorCode);
    if (!integrator) {
      integrator = {
        integratorCode: input.integratorCode,
        title: input.title ?? `İş Ortağı ${input.integratorCode}`,
        authorisations: new Map(),
        subscription: this.buildSubscription(input.subscription, 0),
      };
      this.integrators.set(integrator.integratorCode, integrator);
    } else {
      if (input.title) integrator.title = input.title;
      if (input.subscription !== undefined) {
        integrator.subscription =
          input.subscription === null
            ? null
            : { ...(integrator.subscription ?? this.buildSubscription({}, 0)!), ...input.subscription };
      }
    }
    for (const a of input.authorisations) {
      integrator.authorisations.set(a.brandCode, {
        iysCode: a.iysCode,
        brandCode: a.brandCode,
        types: new Set(a.types ?? CONSENT_TYPES),
        agreementControl: a.agreementControl ?? true,
        viaControl: a.viaControl ?? false,
      });
    }
    for (const u of input.users) {
      this.users.set(u.username, {
        ...u,
        role: u.role ?? 'API_USER',
        owner: { kind: 'INTEGRATOR', integratorCode: integrator.integratorCode },
      });
    }
    return integrator;
  }

  private checkUsers(users: { username: string }[], owner: ApiUser['owner']): void {
    for (const u of users) {
      const existing = this.users.get(u.username);
      if (!existing) continue;
      const same =
        existing.owner.kind === owner.kind &&
        (owner.kind === 'HS'
          ? (existing.owner as { iysCode: number }).iysCode === owner.iysCode
          : (existing.owner as { integratorCode: number }).integratorCode === owner.integratorCode);
      if (!same) throw new StateConflictError(`username ${u.username} already belongs to another account`);
    }
  }

  private buildSubscription(input: ServiceProviderInput['subscription'], consentLimit: number): Subscription | null {
    if (input === null) return null;
    const now = this.nowMs();
    const year = 365 * 24 * 3600 * 1000;
    return {
      subscriptionId: randomUUID(),
      startDate: this.clock.format(now - year),
      expirationDate: this.clock.format(now + 5 * year),
      subscriptionPackageName: 'API Paketi',
      status: 'ACTIVE' as SubscriptionStatus,
      consentLimit,
      consentLimitExceed: false,
      hasApi: true,
      ...(input ?? {}),
    };
  }

  // ---- consents ------------------------------------------------------------------------------------------------

  consentKey(brandCode: number, recipientType: RecipientType, type: ConsentType, recipient: string): string {
    return `${brandCode}|${recipientType}|${type}|${recipient}`;
  }

  findConsent(
    brandCode: number,
    recipientType: RecipientType,
    type: ConsentType,
    recipient: string,
  ): ConsentRecord | undefined {
    return this.consents.get(this.consentKey(brandCode, recipientType, type, recipient));
  }

  /**
   * Stores a movement that has passed every rule (or bypasses them: citizen movements from the test surface) and
   * makes it the key's current state.
   */
  recordMovement(brand: Brand, input: NewMovement, creationMs: number): Movement {
    const key = this.consentKey(brand.brandCode, input.recipientType, input.type, input.recipient);
    const record = this.consents.get(key);
    const seq = ++this.seq;
    const movement: Movement = {
      seq,
      creationMs,
      creationDate: this.clock.format(creationMs),
      transactionId: this.transactionIdFor(key, creationMs, seq),
      iysCode: brand.iysCode,
      brandCode: brand.brandCode,
      recipient: input.recipient,
      recipientType: input.recipientType,
      type: input.type,
      status: input.status,
      source: input.source,
      consentDate: input.consentDate,
      consentMs: input.consentMs,
      group: sourceGroupOf(input.source),
      previousStatus: record ? record.current.status : null,
    };
    if (input.retailerCode !== undefined) movement.retailerCode = input.retailerCode;
    if (input.retailerAccess !== undefined) movement.retailerAccess = input.retailerAccess;
    if (input.citizenName !== undefined) movement.citizenName = input.citizenName;
    if (input.origin) movement.origin = input.origin;

    if (record) {
      if (record.current.status === 'ONAY') brand.stats.approval--;
      else brand.stats.rejection--;
      record.movements.push(movement);
      record.current = movement;
      if (input.retailerCode !== undefined) record.retailerCode = input.retailerCode;
      if (input.retailerAccess !== undefined) record.retailerAccess = input.retailerAccess;
    } else {
      const created: ConsentRecord = {
        iysCode: brand.iysCode,
        brandCode: brand.brandCode,
        recipient: input.recipient,
        recipientType: input.recipientType,
        type: input.type,
        movements: [movement],
        current: movement,
      };
      if (input.retailerCode !== undefined) created.retailerCode = input.retailerCode;
      if (input.retailerAccess !== undefined) created.retailerAccess = input.retailerAccess;
      this.consents.set(key, created);
      const sp = this.serviceProviders.get(brand.iysCode);
      if (sp) sp.usedConsentLimit++;
    }
    if (input.status === 'ONAY') brand.stats.approval++;
    else brand.stats.rejection++;
    insertSorted(brand.feed[movement.group], movement);
    return movement;
  }

  /**
   * 64 lower-case hex characters (iys-api.md §12). With rule 19 on, the id is derived from the key and the
   * creation second, which is exactly why two movements of one key in one second share it.
   */
  private transactionIdFor(key: string, creationMs: number, seq: number): string {
    const discriminator = this.knobs.sameSecondSameTransactionId ? `s${Math.floor(creationMs / 1000)}` : `n${seq}`;
    return createHash('sha256').update(`${this.salt}|${key}|${discriminator}`).digest('hex');
  }
}
