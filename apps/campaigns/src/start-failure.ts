import type { AppConfig } from '@izinli/config';

/**
 * A start that failed for a reason the operator fixes in the environment: a taken port, a database that cannot be
 * reached, a DATA_DIR that cannot be written. main.ts prints its message as one line, without a stack: the stack
 * would be Node's and Nest's, never the operator's.
 */
export class StartFailure extends Error {
  constructor(
    readonly variable: string,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'StartFailure';
  }
}

interface SystemErrorLike {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  path?: unknown;
  message?: unknown;
  errors?: unknown;
}

/** The error's code, or that of the first of an AggregateError's errors (a host name with several addresses). */
function codeOf(err: unknown): string | undefined {
  const e = err as SystemErrorLike | null;
  if (!e || typeof e !== 'object') return undefined;
  if (typeof e.code === 'string') return e.code;
  if (Array.isArray(e.errors) && e.errors.length) return codeOf(e.errors[0]);
  return undefined;
}

/** A port this process was told to listen on and could not. */
export function portFailure(variable: 'PORT' | 'IYS_SIMULATOR_PORT', port: number, err: unknown): StartFailure | null {
  const hint =
    variable === 'IYS_SIMULATOR_PORT' ? ', or IYS_URL to an İYS (or İYS simulator) that is already running' : '';
  switch (codeOf(err)) {
    case 'EADDRINUSE':
      return new StartFailure(
        variable,
        `${variable} ${port} is already in use; set ${variable} to a free port${hint}`,
        err,
      );
    case 'EACCES':
      return new StartFailure(
        variable,
        `${variable} ${port} may not be used by this user (EACCES); set ${variable} to a port above 1023${hint}`,
        err,
      );
    default:
      return null;
  }
}

/** Where DATABASE_URL points, without its credentials. */
function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'the server in DATABASE_URL';
  }
}

const CONNECT_CODES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused: is PostgreSQL running there?',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved just now',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host cannot be reached',
  ENETUNREACH: 'the network cannot be reached',
  ECONNRESET: 'the server closed the connection',
};

// PostgreSQL's SQLSTATEs for a refused login and a missing database.
const SERVER_CODES: Record<string, string> = {
  '28P01': 'the password was refused',
  '28000': 'the server refused this user (pg_hba.conf or no such role)',
  '3D000': 'the database does not exist',
};

/** A database that the start could not use, or a DATA_DIR it could not write, named by its variable. */
export function databaseFailure(config: AppConfig, err: unknown): StartFailure | null {
  const code = codeOf(err);
  if (config.database.url) {
    const where = serverOf(config.database.url);
    const why =
      (code && (CONNECT_CODES[code] ?? SERVER_CODES[code])) ??
      (/timeout/i.test(String((err as SystemErrorLike | null)?.message ?? ''))
        ? 'the connection timed out'
        : undefined);
    if (!why) return null;
    return new StartFailure(
      'DATABASE_URL',
      `DATABASE_URL: cannot use the PostgreSQL server at ${where} (${code ?? 'timeout'}: ${why}); check DATABASE_URL`,
      err,
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new StartFailure(
      'DATA_DIR',
      `DATA_DIR ${config.dataDir} cannot be written by this user (${code}); set DATA_DIR to a directory it owns`,
      err,
    );
  }
  return null;
}
