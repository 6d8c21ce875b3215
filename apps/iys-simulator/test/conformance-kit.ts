// Helpers for the simulator's conformance tests (test/iys-simulator): a thin HTTP client over real sockets,
// the seeded accounts, and builders for İYS bodies. No test-framework globals here, so it compiles anywhere.

export const SEED = {
  iysCode: 100001,
  brandCode: 100001,
  subBrandCode: 100002,
  retailerCode: 55550001,
  integratorCode: 900001,
  hs: { username: 'izinli', password: 'izinli-secret' },
  integrator: { username: 'integrator', password: 'integrator-secret' },
} as const;

export const BRAND_PATH = `/sps/${SEED.iysCode}/brands/${SEED.brandCode}`;
export const SUB_BRAND_PATH = `/sps/${SEED.iysCode}/brands/${SEED.subBrandCode}`;

export interface SimResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  /** Sends the body form-encoded (token endpoint). */
  form?: boolean;
  /** Sends this exact text as the body. */
  raw?: string;
  headers?: Record<string, string>;
}

const TURKEY_OFFSET_MS = 3 * 3600 * 1000;

/** "YYYY-MM-DD HH:mm:ss" in Turkey time. */
export function turkeyTime(ms: number): string {
  return new Date(ms + TURKEY_OFFSET_MS).toISOString().replace('T', ' ').slice(0, 19);
}

/** Epoch ms of a Turkey-time "YYYY-MM-DD HH:mm:ss". */
export function turkeyMs(value: string): number {
  return Date.parse(`${value.replace(' ', 'T')}Z`) - TURKEY_OFFSET_MS;
}

let counter = 0;
/** A phone number no other test uses. */
export function uniquePhone(): string {
  counter++;
  return `+90532${String((Date.now() % 1000) * 1000 + counter).padStart(7, '0')}`;
}

export function uniqueEmail(): string {
  counter++;
  return `kisi${Date.now()}${counter}@ornek.com.tr`;
}

export class SimClient {
  private readonly tokens = new Map<string, string>();

  constructor(readonly url: string) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<SimResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] ??= 'application/json';
    } else if (options.body !== undefined) {
      if (options.form) {
        body = new URLSearchParams(options.body as Record<string, string>).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
      } else {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('application/json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  /** A cached access token for a user (the HS user by default). */
  async token(user: { username: string; password: string } = SEED.hs): Promise<string> {
    const cached = this.tokens.get(user.username);
    if (cached) return cached;
    const res = await this.request('POST', '/oauth2/token', { body: { grant_type: 'password', ...user } });
    if (res.status !== 200) throw new Error(`token for ${user.username}: ${res.status} ${res.text}`);
    this.tokens.set(user.username, res.body.access_token);
    return res.body.access_token as string;
  }

  forgetTokens(): void {
    this.tokens.clear();
  }

  async as<T = any>(
    user: { username: string; password: string },
    method: string,
    path: string,
    body?: unknown,
  ): Promise<SimResponse<T>> {
    return this.request<T>(method, path, { body, token: await this.token(user) });
  }

  /** An İYS call as the seeded HS user. */
  async hs<T = any>(method: string, path: string, body?: unknown): Promise<SimResponse<T>> {
    return this.as<T>(SEED.hs, method, path, body);
  }

  async integrator<T = any>(method: string, path: string, body?: unknown): Promise<SimResponse<T>> {
    return this.as<T>(SEED.integrator, method, path, body);
  }

  /** Patches the knobs. Moving the clock may expire cached tokens, so they are dropped then. */
  async config(patch: Record<string, unknown>): Promise<void> {
    const res = await this.request('PATCH', '/_sim/config', { body: patch });
    if (res.status !== 200) throw new Error(`config: ${res.status} ${res.text}`);
    if ('clockOffsetSeconds' in patch) this.forgetTokens();
  }

  /** Sets the simulator's clock so that its "now" is `turkeyNow` (Turkey time). */
  async setNow(turkeyNow: string): Promise<void> {
    await this.config({ clockOffsetSeconds: (turkeyMs(turkeyNow) - Date.now()) / 1000 });
  }

  async sim<T = any>(method: string, path: string, body?: unknown): Promise<SimResponse<T>> {
    return this.request<T>(method, `/_sim${path}`, { body });
  }
}

/** A valid C1 body; consentDate defaults to a minute before now (Turkey time). */
export function consentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recipient: uniquePhone(),
    type: 'MESAJ',
    source: 'HS_WEB',
    status: 'ONAY',
    consentDate: turkeyTime(Date.now() - 60_000),
    recipientType: 'BIREYSEL',
    ...overrides,
  };
}

/** The codes of an İYS error body. */
export function codesOf(body: { errors?: { code: string }[] }): string[] {
  return (body.errors ?? []).map((e) => e.code);
}
