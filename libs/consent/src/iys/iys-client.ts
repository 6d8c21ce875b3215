import { tryParseIysDate } from '../calendar';
import { Clock } from '../clock';
import type { IysType, RecipientType } from '../domain';
import {
  IysApiError,
  IysAuthError,
  IysTransportError,
  IysUnavailableError,
  parseIysErrorBody,
  parseOAuthError,
} from './iys-errors';
import { IysPriority, IysRateLimiter } from './iys-rate-limiter';
import {
  DEFAULT_TOKEN_SETTINGS,
  IysTokenAnswer,
  IysTokenGrant,
  IysTokenProvider,
  IysTokenSettings,
} from './iys-token-provider';
import { IysTokenStore } from './iys-token-store';
import { SealedIysTokenStore } from './sealed-iys-token-store';
import {
  IysBatchItemResult,
  IysBrandRef,
  IysConsentBody,
  IysMovement,
  readBatchItem,
  readIysMovement,
  UnreadableIysMovement,
} from './iys-wire';

/** Where İYS is and who Izinli is there. */
export interface IysConnectionSettings {
  /** https://api.iys.org.tr, or a simulator's URL. */
  baseUrl: string;
  username: string;
  password: string;
  /** No answer within this time counts as a transport failure (and the request may be retried). */
  requestTimeoutMs?: number;
  token?: Partial<IysTokenSettings>;
  /**
   * Seals the access and refresh tokens in the token store (SealedIysTokenStore) under a key derived from this
   * secret; every process sharing the store must be given the same one. Without it the store holds them in clear.
   */
  tokenSecret?: string;
}

/** How long a caller will wait for a request slot, by default, per priority. */
export interface CallOptions {
  priority?: IysPriority;
  maxWaitMs?: number;
}

export interface IysAddAnswer {
  transactionId: string;
  creationDate: Date;
}

export interface IysChangesPage {
  after: string;
  list: IysMovement[];
  unreadable: UnreadableIysMovement[];
}

export interface IysAgreement {
  processStatus: string;
  hashValue: string;
  hashMethod: string;
  agreementStatus: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_WAIT_MS: Record<IysPriority, number> = { urgent: 30_000, normal: 10_000, background: 60_000 };
/** Everyone stops this long after a per-second 429: İYS's window is a second. */
const RATE_PAUSE_MS = 1_000;

interface RawAnswer {
  status: number;
  text: string;
}

/**
 * The İYS API as Izinli uses it (iys-api.md §4–5), over plain `fetch`. Every request passes the shared rate
 * limiter first (the token request too: it counts against the per-second limit like any other), carries a cached
 * access token, and is retried once with a new token when İYS answers 401. Failures are thrown as IysApiError
 * (İYS answered; every error-body shape parsed), IysTransportError (no answer) or IysUnavailableError (Izinli
 * held back); what to do about them is the caller's policy (`retry-policy.ts`), never the client's.
 */
export class IysClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  readonly tokens: IysTokenProvider;

  private readonly connection: IysConnectionSettings;

  /** Without `connection` (a host that uses the registry but not the sync) every call fails, saying why. */
  constructor(
    connection: IysConnectionSettings | undefined,
    private readonly limiter: IysRateLimiter,
    tokenStore: IysTokenStore,
    clock: Clock,
  ) {
    this.connection = connection ?? { baseUrl: '', username: '', password: '' };
    this.baseUrl = this.connection.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = this.connection.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const host = /^https?:\/\//.test(this.baseUrl) ? new URL(this.baseUrl).host : 'unconfigured';
    const store = this.connection.tokenSecret
      ? new SealedIysTokenStore(tokenStore, this.connection.tokenSecret)
      : tokenStore;
    this.tokens = new IysTokenProvider(
      `${host}|${this.connection.username}`,
      store,
      (grant) => this.requestToken(grant),
      clock,
      {
        ...DEFAULT_TOKEN_SETTINGS,
        ...this.connection.token,
      },
    );
  }

  /** C1v2: one movement; an identical re-send answers the first transactionId, which makes a retry safe. */
  async addConsent(ref: IysBrandRef, body: IysConsentBody, options: CallOptions = {}): Promise<IysAddAnswer> {
    const res = await this.call('add', 'POST', `/v2/sps/${ref.iysCode}/brands/${ref.brandCode}/consents`, {
      body,
      ...options,
    });
    const parsed = json(res.text) as { transactionId?: unknown; creationDate?: unknown };
    const answer = readAddAnswer(parsed);
    if (!answer)
      throw new IysApiError(
        res.status,
        [{ code: 'UNREADABLE_ANSWER', message: 'no transactionId/creationDate in the answer' }],
        'add',
      );
    return answer;
  }

  /** C2v2: up to 1000 movements, processed asynchronously; the answer's requestId is for `batchResults`. */
  async addConsentBatch(
    ref: IysBrandRef,
    bodies: IysConsentBody[],
    options: CallOptions = {},
  ): Promise<{ requestId: string }> {
    const res = await this.call('batch', 'POST', `/v2/sps/${ref.iysCode}/brands/${ref.brandCode}/consents/request`, {
      body: bodies,
      ...options,
    });
    const parsed = json(res.text) as { requestId?: unknown };
    if (typeof parsed?.requestId !== 'string')
      throw new IysApiError(
        res.status,
        [{ code: 'UNREADABLE_ANSWER', message: 'no requestId in the answer' }],
        'batch',
      );
    return { requestId: parsed.requestId };
  }

  /** C3v2. An empty list means "not processed yet", never failure (iys-api.md §5.3). */
  async batchResults(ref: IysBrandRef, requestId: string, options: CallOptions = {}): Promise<IysBatchItemResult[]> {
    const res = await this.call(
      'batch-result',
      'GET',
      `/v2/sps/${ref.iysCode}/brands/${ref.brandCode}/consents/request/${encodeURIComponent(requestId)}`,
      options,
    );
    const parsed = json(res.text);
    // Some clients saw `{ requestId, subRequests: [...] }` instead of a bare array; accept both.
    const list = Array.isArray(parsed)
      ? parsed
      : Array.isArray((parsed as { subRequests?: unknown })?.subRequests)
        ? (parsed as { subRequests: unknown[] }).subRequests
        : [];
    return list.map(readBatchItem).filter((x): x is IysBatchItemResult => x !== null);
  }

  /** C4: the key's latest movement at İYS, or null when İYS does not know the key. */
  async consentStatus(
    ref: IysBrandRef,
    key: { recipient: string; recipientType: RecipientType; type: IysType },
    options: CallOptions = {},
  ): Promise<IysMovement | null> {
    let res: RawAnswer;
    try {
      res = await this.call('status', 'POST', `/sps/${ref.iysCode}/brands/${ref.brandCode}/consents/status`, {
        body: key,
        ...options,
      });
    } catch (err) {
      // Not-found is undocumented (iys-api.md §5.4): a 404 answers "no such key".
      if (err instanceof IysApiError && err.httpStatus === 404) return null;
      throw err;
    }
    if (res.status === 204 || res.text.trim() === '' || res.text.trim() === '{}') return null;
    const read = readIysMovement(json(res.text));
    return read.ok ? read.movement : null;
  }

  /** C5: which of up to 1000 recipients are ONAY for the brand. */
  async approvedRecipients(
    ref: IysBrandRef,
    recipientType: RecipientType,
    type: IysType,
    recipients: string[],
    options: CallOptions = {},
  ): Promise<string[]> {
    const res = await this.call(
      'multi-status',
      'POST',
      `/sps/${ref.iysCode}/brands/${ref.brandCode}/consents/${recipientType}/status/${type}`,
      { body: { recipients }, ...options },
    );
    const list = (json(res.text) as { list?: unknown })?.list;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  }

  /** C7: one page of the change feed after `after`; null when there is nothing (204). */
  async changes(
    ref: IysBrandRef,
    query: { source: 'IYS' | 'HS'; after?: string | null; limit?: number },
    options: CallOptions = {},
  ): Promise<IysChangesPage | null> {
    const params = new URLSearchParams({ source: query.source, limit: String(query.limit ?? 1000) });
    if (query.after) params.set('after', query.after);
    const res = await this.call(
      'changes',
      'GET',
      `/sps/${ref.iysCode}/brands/${ref.brandCode}/consents/changes?${params}`,
      { priority: 'background', ...options },
    );
    if (res.status === 204 || res.text.trim() === '') return null;
    const parsed = json(res.text) as { after?: unknown; list?: unknown };
    const raw = Array.isArray(parsed?.list) ? parsed.list : [];
    const page: IysChangesPage = {
      after: typeof parsed?.after === 'string' ? parsed.after : '',
      list: [],
      unreadable: [],
    };
    for (const item of raw) {
      const read = readIysMovement(item);
      if (read.ok) page.list.push(read.movement);
      else page.unreadable.push(read.unreadable);
    }
    return page;
  }

  /** M1: counts of the day's movements per type and source group. */
  async dailySummary(
    ref: IysBrandRef,
    reportDate: string,
    recipientType: RecipientType,
    options: CallOptions = {},
  ): Promise<unknown> {
    const res = await this.call(
      'summary',
      'GET',
      `/sps/${ref.iysCode}/brands/${ref.brandCode}/changes/${reportDate}/recipients/${recipientType}`,
      { priority: 'background', ...options },
    );
    return json(res.text);
  }

  /** M2: İYS's SHA-384 of the day's file; null when there is no file (yet). */
  async agreement(ref: IysBrandRef, reportDate: string, options: CallOptions = {}): Promise<IysAgreement | null> {
    const res = await this.call(
      'agreement',
      'GET',
      `/sps/${ref.iysCode}/brands/${ref.brandCode}/agreements/${reportDate}`,
      { priority: 'background', ...options },
    );
    if (res.status === 204 || res.text.trim() === '') return null;
    const b = json(res.text) as Record<string, unknown>;
    return {
      processStatus: String(b?.processStatus ?? ''),
      hashValue: String(b?.hashValue ?? '').toLowerCase(),
      hashMethod: String(b?.hashMethod ?? ''),
      agreementStatus: b?.agreementStatus === true,
    };
  }

  /** M3: declares the day reconciled. */
  async confirmAgreement(ref: IysBrandRef, reportDate: string, options: CallOptions = {}): Promise<boolean> {
    const res = await this.call(
      'agreement-confirm',
      'PUT',
      `/sps/${ref.iysCode}/brands/${ref.brandCode}/agreements/${reportDate}`,
      { body: { agreementStatus: true }, priority: 'background', ...options },
    );
    return res.status === 200 && (json(res.text) as { agreementCaptured?: unknown })?.agreementCaptured === true;
  }

  /** M4: the day's movement file (CSV text); null when there is none. */
  async dailyFile(ref: IysBrandRef, reportDate: string, options: CallOptions = {}): Promise<string | null> {
    const res = await this.call(
      'daily-file',
      'GET',
      `/sps/${ref.iysCode}/brands/${ref.brandCode}/changes/${reportDate}/file`,
      { priority: 'background', ...options },
    );
    return res.status === 204 ? null : res.text;
  }

  private async call(
    operation: string,
    method: string,
    path: string,
    options: CallOptions & { body?: unknown },
  ): Promise<RawAnswer> {
    const priority = options.priority ?? 'normal';
    const maxWaitMs = options.maxWaitMs ?? DEFAULT_WAIT_MS[priority];
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.accessToken();
      const permit = await this.limiter.acquire(priority, maxWaitMs);
      if (!permit) throw new IysUnavailableError('NO_SLOT', null, `no İYS request slot within ${maxWaitMs} ms`);
      let res: RawAnswer;
      try {
        res = await this.send(operation, method, path, { authorization: `Bearer ${token}` }, options.body);
      } finally {
        permit.release();
      }
      if (res.status >= 200 && res.status < 300) return res;
      if (res.status === 401 && attempt === 1) {
        // H351: the token was refused (revoked, İYS restarted); one new token, one more try.
        await this.tokens.invalidate(token);
        continue;
      }
      const errors = parseIysErrorBody(res.text);
      if (res.status === 429 && !errors.some((e) => e.code === 'H086' || e.code === 'H089'))
        await this.limiter.pause(RATE_PAUSE_MS);
      throw new IysApiError(res.status, errors, operation);
    }
  }

  private async requestToken(grant: IysTokenGrant): Promise<IysTokenAnswer> {
    const body =
      grant.kind === 'password'
        ? { grant_type: 'password', username: this.connection.username, password: this.connection.password }
        : { grant_type: 'refresh_token', refresh_token: grant.refreshToken };
    const permit = await this.limiter.acquire('urgent', DEFAULT_WAIT_MS.urgent);
    if (!permit) throw new IysUnavailableError('NO_SLOT', null, 'no İYS request slot for the token request');
    let res: RawAnswer;
    try {
      res = await this.send('token', 'POST', '/oauth2/token', {}, body);
    } finally {
      permit.release();
    }
    if (res.status === 200) {
      const b = json(res.text) as Record<string, unknown>;
      if (typeof b?.access_token !== 'string' || typeof b?.refresh_token !== 'string') {
        throw new IysApiError(
          res.status,
          [{ code: 'UNREADABLE_ANSWER', message: 'no access_token in the answer' }],
          'token',
        );
      }
      return {
        accessToken: b.access_token,
        refreshToken: b.refresh_token,
        expiresInSeconds: typeof b.expires_in === 'number' ? b.expires_in : 7200,
        refreshExpiresInSeconds: typeof b.refresh_expires_in === 'number' ? b.refresh_expires_in : 14400,
      };
    }
    const errors = parseIysErrorBody(res.text);
    if (res.status === 429 && !errors.some((e) => e.code === 'H084')) await this.limiter.pause(RATE_PAUSE_MS);
    if (res.status === 400 || res.status === 401) {
      const oauth = parseOAuthError(res.text);
      if (oauth) throw new IysAuthError(res.status, oauth.error, oauth.description);
    }
    throw new IysApiError(res.status, errors, 'token');
  }

  private async send(
    operation: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<RawAnswer> {
    if (!this.baseUrl)
      throw new Error('İYS is not configured: pass ConsentModule.forRoot({ iys: { baseUrl, username, password } })');
    const init: RequestInit = {
      method,
      headers: { accept: 'application/json', ...headers },
      signal: AbortSignal.timeout(this.timeoutMs),
    };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    try {
      const res = await fetch(this.baseUrl + path, init);
      return { status: res.status, text: await res.text() };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const timeout = e.name === 'TimeoutError' || e.name === 'AbortError';
      throw new IysTransportError(
        timeout ? 'TIMEOUT' : 'NETWORK',
        operation,
        timeout ? `${this.timeoutMs} ms` : (e.cause?.code ?? e.message),
      );
    }
  }
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function readAddAnswer(b: { transactionId?: unknown; creationDate?: unknown } | null): IysAddAnswer | null {
  if (!b || typeof b.transactionId !== 'string' || b.transactionId === '' || typeof b.creationDate !== 'string')
    return null;
  const creationDate = tryParseIysDate(b.creationDate);
  return creationDate ? { transactionId: b.transactionId.toLowerCase(), creationDate } : null;
}
