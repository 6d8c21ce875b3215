import { existsSync, readFileSync } from 'fs';
import { rename, writeFile } from 'fs/promises';
import { insertSorted } from '../changes/pull-cursor';
import type { ConsentType } from '../core/iys-types';
import type { SimulatorState } from './simulator-state';
import type {
  ApiUser,
  Authorisation,
  BatchRequest,
  Brand,
  ConsentRecord,
  Integrator,
  Movement,
  PushConnection,
  Retailer,
  ServiceProvider,
  Subscription,
  TokenSession,
} from './state-model';

/** Bumped when the file's shape changes; a file of another version is refused, never half read. */
const FORMAT = 1;

/**
 * What İYS itself would still hold after a restart: accounts, brands and authorisations, every consent with its
 * movements, batches and their results, push registrations, confirmed agreements and live tokens. Not kept: the
 * knobs (the instance's settings, given at start), the request log, faults and rate-limit counters.
 */
interface StateFileV1 {
  format: typeof FORMAT;
  seq: number;
  salt: string;
  serviceProviders: {
    iysCode: number;
    title: string;
    subscription: Subscription | null;
    usedConsentLimit: number;
    brands: {
      brandCode: number;
      name: string;
      master: boolean;
      retailers: Retailer[];
      stats: { approval: number; rejection: number };
      pushConnections: PushConnection[];
      agreements: string[];
    }[];
  }[];
  integrators: {
    integratorCode: number;
    title: string;
    subscription: Subscription | null;
    authorisations: (Omit<Authorisation, 'types'> & { types: ConsentType[] })[];
  }[];
  users: ApiUser[];
  /** Each consent key with its movements, oldest first; the last is its current state. */
  consents: (Omit<ConsentRecord, 'current'> & { current?: never })[];
  batches: BatchRequest[];
  v2Answers: [string, { transactionId: string; creationDate: string }][];
  accessTokens: [string, TokenSession][];
  refreshTokens: [string, TokenSession][];
}

/** The state file cannot be used: the simulator does not start rather than start from nothing. */
export class StateFileError extends Error {
  constructor(path: string, reason: string) {
    super(`IYS_SIMULATOR_STATE_FILE ${path} cannot be read: ${reason}. Fix or remove the file to start afresh.`);
    this.name = 'StateFileError';
  }
}

export function serializeState(s: SimulatorState): StateFileV1 {
  const { seq, salt } = s.persistedCounters();
  return {
    format: FORMAT,
    seq,
    salt,
    serviceProviders: [...s.serviceProviders.values()].map((sp) => ({
      iysCode: sp.iysCode,
      title: sp.title,
      subscription: sp.subscription,
      usedConsentLimit: sp.usedConsentLimit,
      brands: [...sp.brands.values()].map((b) => ({
        brandCode: b.brandCode,
        name: b.name,
        master: b.master,
        retailers: [...b.retailers.values()],
        stats: b.stats,
        pushConnections: b.pushConnections,
        agreements: [...b.agreements],
      })),
    })),
    integrators: [...s.integrators.values()].map((i) => ({
      integratorCode: i.integratorCode,
      title: i.title,
      subscription: i.subscription,
      authorisations: [...i.authorisations.values()].map((a) => ({ ...a, types: [...a.types] })),
    })),
    users: [...s.users.values()],
    consents: [...s.consents.values()].map(({ current: _current, ...rest }) => rest),
    batches: [...s.batches.values()],
    v2Answers: [...s.v2Answers.entries()],
    accessTokens: [...s.accessTokens.entries()],
    refreshTokens: [...s.refreshTokens.entries()],
  };
}

function isArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

/** Replaces everything `s` holds with the file's content. */
export function restoreState(s: SimulatorState, data: StateFileV1): void {
  s.clearData();
  s.restoreCounters(data.seq, data.salt);
  for (const sp of data.serviceProviders) {
    const provider: ServiceProvider = {
      iysCode: sp.iysCode,
      title: sp.title,
      subscription: sp.subscription,
      usedConsentLimit: sp.usedConsentLimit,
      brands: new Map(),
    };
    for (const b of sp.brands) {
      const brand: Brand = {
        iysCode: sp.iysCode,
        brandCode: b.brandCode,
        name: b.name,
        master: b.master,
        retailers: new Map(b.retailers.map((r) => [r.retailerCode, r])),
        stats: b.stats,
        feed: { HS: [], IYS: [] },
        pushConnections: b.pushConnections,
        agreements: new Set(b.agreements),
      };
      provider.brands.set(brand.brandCode, brand);
      s.brands.set(brand.brandCode, brand);
    }
    s.serviceProviders.set(provider.iysCode, provider);
  }
  for (const i of data.integrators) {
    const integrator: Integrator = {
      integratorCode: i.integratorCode,
      title: i.title,
      subscription: i.subscription,
      authorisations: new Map(i.authorisations.map((a) => [a.brandCode, { ...a, types: new Set(a.types) }])),
    };
    s.integrators.set(integrator.integratorCode, integrator);
  }
  for (const u of data.users) s.users.set(u.username, u);
  // The change feed is derived: every movement of a brand, in (creationMs, seq) order.
  const movements: Movement[] = [];
  for (const c of data.consents) {
    if (!isArray(c.movements) || c.movements.length === 0) throw new Error('a consent without movements');
    const record: ConsentRecord = { ...c, current: c.movements[c.movements.length - 1] };
    s.consents.set(s.consentKey(record.brandCode, record.recipientType, record.type, record.recipient), record);
    movements.push(...c.movements);
  }
  movements.sort((a, b) => a.seq - b.seq);
  for (const m of movements) {
    const brand = s.brands.get(m.brandCode);
    if (brand) insertSorted(brand.feed[m.group], m);
  }
  for (const b of data.batches) s.batches.set(b.requestId, b);
  for (const [k, v] of data.v2Answers) s.v2Answers.set(k, v);
  for (const [k, v] of data.accessTokens) s.accessTokens.set(k, v);
  for (const [k, v] of data.refreshTokens) s.refreshTokens.set(k, v);
}

function parse(path: string, text: string): StateFileV1 {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(path, `not JSON (${(err as Error).message})`);
  }
  const d = data as Partial<StateFileV1> | null;
  if (!d || typeof d !== 'object') throw new StateFileError(path, 'not a state object');
  if (d.format !== FORMAT) throw new StateFileError(path, `format ${String(d.format)}, this simulator reads ${FORMAT}`);
  const lists: (keyof StateFileV1)[] = [
    'serviceProviders',
    'integrators',
    'users',
    'consents',
    'batches',
    'v2Answers',
    'accessTokens',
    'refreshTokens',
  ];
  const missing = lists.filter((k) => !isArray(d[k]));
  if (missing.length) throw new StateFileError(path, `missing or malformed: ${missing.join(', ')}`);
  if (typeof d.seq !== 'number' || typeof d.salt !== 'string') throw new StateFileError(path, 'missing seq or salt');
  return d as StateFileV1;
}

/**
 * IYS_SIMULATOR_STATE_FILE: the simulator's state kept in one JSON file, so a restarted simulator (an outage test)
 * still holds what İYS would. Loaded at start; written after changes, at most every `debounceMs`, and on close.
 * Each write goes to a temporary file renamed over the old one, so a crash mid-write leaves the previous state.
 */
export class SimulatorStateFile {
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly state: SimulatorState,
    readonly path: string,
    private readonly debounceMs: number,
  ) {}

  /** Loads the file into `state` when it exists (a corrupt one is a StateFileError), and watches for changes. */
  static open(state: SimulatorState, path: string, debounceMs = 200): SimulatorStateFile {
    if (existsSync(path)) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw new StateFileError(path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
      }
      const data = parse(path, text);
      try {
        restoreState(state, data);
      } catch (err) {
        throw new StateFileError(path, `inconsistent content (${(err as Error).message})`);
      }
    }
    const file = new SimulatorStateFile(state, path, debounceMs);
    state.onChange = () => file.changed();
    return file;
  }

  /** Something changed: a write within debounceMs (one write for any number of changes meanwhile). */
  changed(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => undefined);
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes the state now (after any write in progress). */
  flush(): Promise<void> {
    const text = JSON.stringify(serializeState(this.state));
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        const tmp = `${this.path}.${process.pid}.tmp`;
        // Consents name people: for the owner's eyes only.
        await writeFile(tmp, text, { mode: 0o600 });
        await rename(tmp, this.path);
      });
    return this.writing;
  }

  /** The last write, on shutdown. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.closed = true;
    this.state.onChange = () => undefined;
    await this.flush();
  }
}
