/** One error item as İYS reports it; `location`, `value` and `index` appear only on some answers. */
export interface IysErrorItem {
  code: string;
  message: string;
  location?: (string | number)[];
  value?: unknown;
  index?: number;
}

/**
 * İYS answered, and not with success. `codes` holds every H-code of the answer (a batch refused as a whole lists
 * one per bad item); `code` is the first. A body without any code (an HTML error page from a proxy, an empty
 * 502) leaves `codes` empty, and callers decide on the HTTP status alone.
 */
export class IysApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errors: IysErrorItem[],
    readonly operation: string,
  ) {
    super(`İYS ${operation} answered ${httpStatus}${errors.length ? ` ${errors.map((e) => e.code).join(',')}` : ''}`);
    this.name = 'IysApiError';
  }

  get code(): string | undefined {
    return this.errors[0]?.code;
  }

  get codes(): string[] {
    return this.errors.map((e) => e.code);
  }
}

/** No answer at all: connection refused or reset, DNS failure, or no answer within the request timeout. */
export class IysTransportError extends Error {
  constructor(
    readonly kind: 'NETWORK' | 'TIMEOUT',
    readonly operation: string,
    detail: string,
  ) {
    super(`İYS ${operation}: ${kind === 'TIMEOUT' ? 'no answer in time' : 'unreachable'} (${detail})`);
    this.name = 'IysTransportError';
  }
}

/**
 * Izinli chose not to call İYS now: no request slot within the caller's wait (the per-second limit is taken), or
 * no access token can be had (the hourly token limit is spent, or İYS answered H084 and the hour has not passed).
 * `retryAt` says when trying again makes sense, when that is known.
 */
export class IysUnavailableError extends Error {
  constructor(
    readonly reason: 'NO_SLOT' | 'TOKEN_HALTED' | 'TOKEN_BUDGET' | 'TOKEN_BUSY',
    readonly retryAt: Date | null,
    detail: string,
  ) {
    super(detail);
    this.name = 'IysUnavailableError';
  }
}

/** The token endpoint refused the credentials or the grant (OAuth's `{ error, error_description }`). */
export class IysAuthError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`İYS token endpoint answered ${httpStatus} ${error}: ${description}`);
    this.name = 'IysAuthError';
  }
}

/**
 * Reads an İYS error body in any of the shapes İYS is known to use (iys-api.md §3, §9.1): the data endpoints'
 * `{ errors: [...] }`, a top-level `{ code, message }` (H084 as one client reads it), the misspelt `"code:"` key
 * seen in İYS's own examples, and `{ status, message }` from the info endpoints. Unknown or missing fields are
 * tolerated: the caller branches on `code`, never on the text.
 */
export function parseIysErrorBody(text: string): IysErrorItem[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isObject(body)) return [];
  const items: IysErrorItem[] = [];
  if (Array.isArray(body.errors)) {
    for (const raw of body.errors) {
      const item = toItem(raw);
      if (item) items.push(item);
    }
  }
  if (items.length === 0) {
    const top = toItem(body);
    if (top) items.push(top);
  }
  return items;
}

/** OAuth's error shape of the token endpoint, or null when the body is something else. */
export function parseOAuthError(text: string): { error: string; description: string } | null {
  try {
    const body: unknown = JSON.parse(text);
    if (isObject(body) && typeof body.error === 'string') {
      return {
        error: body.error,
        description: typeof body.error_description === 'string' ? body.error_description : '',
      };
    }
  } catch {
    /* not JSON: not OAuth's shape either */
  }
  return null;
}

function toItem(raw: unknown): IysErrorItem | null {
  if (!isObject(raw)) return null;
  const code =
    typeof raw.code === 'string' ? raw.code : typeof raw['code:'] === 'string' ? (raw['code:'] as string) : undefined;
  if (!code) return null;
  const item: IysErrorItem = { code: code.trim(), message: typeof raw.message === 'string' ? raw.message : '' };
  if (Array.isArray(raw.location)) item.location = raw.location as (string | number)[];
  if ('value' in raw) item.value = raw.value;
  if (typeof raw.index === 'number') item.index = raw.index;
  return item;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
