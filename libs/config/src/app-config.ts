import { plainToInstance, Transform } from 'class-transformer';
import { isIP } from 'net';
import { weakSecretProblem } from './secret-strength';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

export type Role = 'api' | 'worker' | 'all';
export const ROLES: readonly Role[] = ['api', 'worker', 'all'];

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : /^-?\d+$/.test(String(value)) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : value === 'true' ? true : value === 'false' ? false : value;

/**
 * Express's `trust proxy` values that cannot be spoofed from outside: `false`, a hop count, or the addresses of the
 * proxies. `true` (trust any X-Forwarded-For) is refused: every client could then pick the address it is counted as.
 */
const TRUST_PROXY =
  /^(false|\d{1,2}|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*)$/;

/** 127.0.0.0/8, ::1 and localhost: a relay on this machine, where plain SMTP crosses no network. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Request limits (per minute, fixed windows; 0 switches one off). The API key ceiling is far above what one client
 * of the messages benchmark sends (about 2,000 a second on loopback), so it only stops a runaway client.
 */
export const RATE_LIMIT_DEFAULTS = {
  authFailuresPerMinute: 20,
  apiKeyPerMinute: 300_000,
  unsubscribePerIpPerMinute: 120,
  unsubscribePerTokenPerMinute: 20,
} as const;

/**
 * The environment exactly as design.md §2 names it. Every variable is validated here, once, at start;
 * nothing else in the code base reads process.env.
 */
export class EnvironmentVariables {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @Transform(emptyToUndefined) @IsString() @MinLength(1) DATA_DIR?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100) SMTP_POOL_SIZE?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1_000) @Max(600_000) SMTP_SEND_TIMEOUT_MS?: number;
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'SMTP_REQUIRE_TLS must be true or false' })
  SMTP_REQUIRE_TLS?: boolean;
  @IsOptional()
  @Transform(toBool)
  @IsBoolean({ message: 'SMTP_TLS_REJECT_UNAUTHORIZED must be true or false' })
  SMTP_TLS_REJECT_UNAUTHORIZED?: boolean;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/.+/, { message: 'IYS_URL must be an http(s):// URL' })
  IYS_URL?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() IYS_USERNAME?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() IYS_PASSWORD?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535) IYS_SIMULATOR_PORT?: number;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\d+$/, { message: 'IYS_INTEGRATOR_CODE must be digits' })
  IYS_INTEGRATOR_CODE?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() IYS_PUSH_USERNAME?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() IYS_PUSH_PASSWORD?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400) IYS_PULL_INTERVAL_SECONDS?: number;
  @IsOptional() @IsString() WEBHOOK_ALLOWED_NETWORKS?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'PUBLIC_URL must be an http(s):// URL' })
  PUBLIC_URL?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(32, { message: 'UNSUBSCRIBE_SECRET must be at least 32 characters' })
  UNSUBSCRIBE_SECRET?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\s*[^,\s][^,]{30,}[^,\s]\s*(,\s*[^,\s][^,]{30,}[^,\s]\s*)*$/, {
    message: 'UNSUBSCRIBE_SECRET_PREVIOUS must be a comma-separated list of secrets of at least 32 characters each',
  })
  UNSUBSCRIBE_SECRET_PREVIOUS?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(24, { message: 'ADMIN_API_KEY must be at least 24 characters' })
  ADMIN_API_KEY?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(ROLES as string[], { message: 'ROLE must be one of api, worker, all' })
  ROLE?: Role;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(TRUST_PROXY, {
    message:
      'TRUST_PROXY must be false, a hop count, or a comma-separated list of addresses, CIDRs or loopback/linklocal/uniquelocal',
  })
  TRUST_PROXY?: string;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_AUTH_FAILURES_PER_MINUTE?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_API_KEY_PER_MINUTE?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_UNSUBSCRIBE_PER_IP_PER_MINUTE?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_UNSUBSCRIBE_PER_TOKEN_PER_MINUTE?: number;
}

export interface AppConfig {
  port: number;
  role: Role;
  dataDir: string;
  publicUrl: string;
  logLevel: string;
  database: { url?: string };
  redis: { url?: string };
  /**
   * `requireTls`: refuse to send unless the connection is encrypted (STARTTLS on smtp://; smtps:// always is).
   * `tlsRejectUnauthorized`: check the relay's certificate (NODE_EXTRA_CA_CERTS adds a private CA).
   * `sendTimeoutMs`: the most one send may take, start to answer (unset: the mailer's default, 60 s).
   */
  smtp: { url?: string; poolSize: number; requireTls: boolean; tlsRejectUnauthorized: boolean; sendTimeoutMs?: number };
  /** Express's `trust proxy`: which hops may name the client's address in X-Forwarded-For. */
  trustProxy: string | number | false;
  /** Per-minute ceilings; 0 switches one off (see RATE_LIMIT_DEFAULTS). */
  rateLimits: {
    authFailuresPerMinute: number;
    apiKeyPerMinute: number;
    unsubscribePerIpPerMinute: number;
    unsubscribePerTokenPerMinute: number;
  };
  iys: {
    url?: string;
    username?: string;
    password?: string;
    simulatorPort: number;
    integratorCode?: string;
    pushUsername?: string;
    pushPassword?: string;
    pullIntervalSeconds: number;
  };
  /**
   * Addresses and CIDRs webhooks may reach although they are not public (loopback, private, …), the only place
   * plain http:// may go. Empty by default: webhooks reach public internet addresses only, over https://.
   */
  webhooks: { allowedNetworks: string[] };
  /** Undefined means "generate once and keep in DATA_DIR" (see SecretStore). */
  unsubscribeSecret?: string;
  /** Former unsubscribe secrets whose links still verify, newest first (UNSUBSCRIBE_SECRET_PREVIOUS). */
  unsubscribePreviousSecrets: string[];
  adminApiKey?: string;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super('Invalid configuration:\n' + problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigValidationError';
  }
}

function validateEnv<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv): T {
  const instance = plainToInstance(cls, { ...env }, { enableImplicitConversion: false });
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: false });
  if (errors.length) {
    throw new ConfigValidationError(
      errors.map((e) => ({ variable: e.property, message: Object.values(e.constraints ?? {}).join('; ') })),
    );
  }
  return instance;
}

/** Reads and validates the environment once; throws ConfigValidationError naming every bad variable. */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const v = validateEnv(EnvironmentVariables, env);
  const port = v.PORT ?? 3000;
  const usingSimulator = !v.IYS_URL;
  const smtpHost = v.SMTP_URL ? hostOf(v.SMTP_URL) : undefined;
  const cfg: AppConfig = {
    port,
    role: v.ROLE ?? 'all',
    dataDir: v.DATA_DIR ?? './.data',
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    logLevel: v.LOG_LEVEL ?? 'info',
    database: { url: v.DATABASE_URL },
    redis: { url: v.REDIS_URL },
    smtp: {
      url: v.SMTP_URL,
      poolSize: v.SMTP_POOL_SIZE ?? 5,
      requireTls: v.SMTP_REQUIRE_TLS ?? (smtpHost !== undefined && !isLoopbackHost(smtpHost)),
      tlsRejectUnauthorized: v.SMTP_TLS_REJECT_UNAUTHORIZED ?? true,
      sendTimeoutMs: v.SMTP_SEND_TIMEOUT_MS,
    },
    trustProxy: trustProxyOf(v.TRUST_PROXY ?? 'loopback'),
    rateLimits: {
      authFailuresPerMinute: v.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE ?? RATE_LIMIT_DEFAULTS.authFailuresPerMinute,
      apiKeyPerMinute: v.RATE_LIMIT_API_KEY_PER_MINUTE ?? RATE_LIMIT_DEFAULTS.apiKeyPerMinute,
      unsubscribePerIpPerMinute:
        v.RATE_LIMIT_UNSUBSCRIBE_PER_IP_PER_MINUTE ?? RATE_LIMIT_DEFAULTS.unsubscribePerIpPerMinute,
      unsubscribePerTokenPerMinute:
        v.RATE_LIMIT_UNSUBSCRIBE_PER_TOKEN_PER_MINUTE ?? RATE_LIMIT_DEFAULTS.unsubscribePerTokenPerMinute,
    },
    iys: {
      url: v.IYS_URL,
      username: v.IYS_USERNAME ?? (usingSimulator ? 'integrator' : undefined),
      password: v.IYS_PASSWORD ?? (usingSimulator ? 'integrator-secret' : undefined),
      simulatorPort: v.IYS_SIMULATOR_PORT ?? 4010,
      integratorCode: v.IYS_INTEGRATOR_CODE ?? (usingSimulator ? '900001' : undefined),
      pushUsername: v.IYS_PUSH_USERNAME,
      pushPassword: v.IYS_PUSH_PASSWORD,
      pullIntervalSeconds: v.IYS_PULL_INTERVAL_SECONDS ?? 60,
    },
    webhooks: { allowedNetworks: networkList(v.WEBHOOK_ALLOWED_NETWORKS) },
    unsubscribeSecret: v.UNSUBSCRIBE_SECRET,
    unsubscribePreviousSecrets: (v.UNSUBSCRIBE_SECRET_PREVIOUS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    adminApiKey: v.ADMIN_API_KEY,
  };
  const problems: { variable: string; message: string }[] = [];
  if (v.IYS_URL && (!v.IYS_USERNAME || !v.IYS_PASSWORD)) {
    if (!v.IYS_USERNAME) problems.push({ variable: 'IYS_USERNAME', message: 'required when IYS_URL is set' });
    if (!v.IYS_PASSWORD) problems.push({ variable: 'IYS_PASSWORD', message: 'required when IYS_URL is set' });
  }
  if (v.IYS_URL && !v.IYS_INTEGRATOR_CODE) {
    problems.push({ variable: 'IYS_INTEGRATOR_CODE', message: 'required when IYS_URL is set' });
  }
  if (v.SMTP_URL && smtpHost === undefined) {
    problems.push({ variable: 'SMTP_URL', message: 'SMTP_URL must name a host' });
  }
  if (v.SMTP_URL && /[?&]tlsRejectUnauthorized=/.test(v.SMTP_URL)) {
    problems.push({
      variable: 'SMTP_URL',
      message: 'tlsRejectUnauthorized in SMTP_URL is no longer read: use SMTP_TLS_REJECT_UNAUTHORIZED',
    });
  }
  // Switching certificate checks off is a man-in-the-middle's invitation wherever the connection leaves the machine;
  // a relay with a private CA is trusted through NODE_EXTRA_CA_CERTS instead.
  if (v.SMTP_TLS_REJECT_UNAUTHORIZED === false && smtpHost !== undefined && !isLoopbackHost(smtpHost)) {
    problems.push({
      variable: 'SMTP_TLS_REJECT_UNAUTHORIZED',
      message:
        'false is accepted only for a loopback SMTP host; trust a private CA with NODE_EXTRA_CA_CERTS=/path/to/ca.pem',
    });
  }
  const badNetworks = cfg.webhooks.allowedNetworks.filter((n) => !isNetwork(n));
  if (badNetworks.length) {
    problems.push({
      variable: 'WEBHOOK_ALLOWED_NETWORKS',
      message: `not an IP address or CIDR: ${badNetworks.join(', ')} (write e.g. 127.0.0.1/32, 10.20.0.0/16, fd00::/8)`,
    });
  }
  for (const [variable, value] of [
    ['ADMIN_API_KEY', v.ADMIN_API_KEY],
    ['UNSUBSCRIBE_SECRET', v.UNSUBSCRIBE_SECRET],
    ['IYS_PUSH_PASSWORD', v.IYS_PUSH_PASSWORD],
  ] as const) {
    const weak = value === undefined ? null : weakSecretProblem(variable, value);
    if (weak) problems.push({ variable, message: weak });
  }
  for (const previous of cfg.unsubscribePreviousSecrets) {
    const weak = weakSecretProblem('UNSUBSCRIBE_SECRET_PREVIOUS', previous);
    if (weak) problems.push({ variable: 'UNSUBSCRIBE_SECRET_PREVIOUS', message: weak });
  }
  if (!!v.IYS_PUSH_USERNAME !== !!v.IYS_PUSH_PASSWORD) {
    problems.push({
      variable: v.IYS_PUSH_USERNAME ? 'IYS_PUSH_PASSWORD' : 'IYS_PUSH_USERNAME',
      message: 'IYS_PUSH_USERNAME and IYS_PUSH_PASSWORD go together',
    });
  }
  if (cfg.role !== 'all') {
    // Several processes can share only a server database, Redis and a real (or stand-alone) İYS.
    for (const [name, value] of [
      ['DATABASE_URL', v.DATABASE_URL],
      ['REDIS_URL', v.REDIS_URL],
      ['IYS_URL', v.IYS_URL],
    ] as const) {
      if (!value)
        problems.push({
          variable: name,
          message: `required when ROLE=${cfg.role} (ROLE=all runs everything in one process)`,
        });
    }
    if (problems.length) problems.unshift({ variable: 'ROLE', message: `ROLE=${cfg.role} needs shared services` });
  }
  if (problems.length) throw new ConfigValidationError(problems);
  return cfg;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

function trustProxyOf(value: string): string | number | false {
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

const networkList = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);

/** An IP address in its plain spelling, optionally with a prefix length: `127.0.0.1`, `10.0.0.0/8`, `fd00::/8`. */
function isNetwork(text: string): boolean {
  const [address, prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (rest.length || family === 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export class SimulatorEnvironmentVariables {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535) IYS_SIMULATOR_PORT?: number;
  @IsOptional() @Transform(emptyToUndefined) @IsString() IYS_SIMULATOR_HOST?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() IYS_SIMULATOR_TOKEN?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() IYS_SIMULATOR_STATE_FILE?: string;
}

export interface SimulatorConfig {
  port: number;
  host: string;
  /**
   * The bearer token that opens the test surface (/_sim/) to callers off this machine. Unset: /_sim/ answers
   * loopback callers only.
   */
  token?: string;
  /** A JSON file that keeps the simulator's state across restarts. Unset: in memory only. */
  stateFile?: string;
}

/** Configuration of the İYS simulator when it runs on its own (`npm run iys-simulator`). */
export function loadSimulatorConfig(env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  const v = validateEnv(SimulatorEnvironmentVariables, env);
  const weak =
    v.IYS_SIMULATOR_TOKEN === undefined ? null : weakSecretProblem('IYS_SIMULATOR_TOKEN', v.IYS_SIMULATOR_TOKEN);
  if (weak) throw new ConfigValidationError([{ variable: 'IYS_SIMULATOR_TOKEN', message: weak }]);
  return {
    port: v.IYS_SIMULATOR_PORT ?? 4010,
    host: v.IYS_SIMULATOR_HOST ?? '0.0.0.0',
    token: v.IYS_SIMULATOR_TOKEN,
    stateFile: v.IYS_SIMULATOR_STATE_FILE,
  };
}
