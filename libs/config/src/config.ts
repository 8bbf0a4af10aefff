import { randomBytes } from 'node:crypto';

/**
 * Runtime configuration, read once from the environment and validated at start-up.
 * A bad value stops the process with a message naming the variable (see `ConfigError`).
 */
export interface AppConfig {
  /** Postgres connection string; undefined = start the embedded server. */
  databaseUrl?: string;
  /** Data directory of the embedded server. */
  embeddedDataDir: string;
  /** Port of the embedded server (never 5432, to avoid clashing with a system server). */
  embeddedPort: number;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Maximum accepted request body, in bytes. */
  bodyLimit: number;
  /** Public base URL, used as JWT issuer and in problem `type` links. */
  publicUrl: string;
  /** JWT audience expected in access tokens. */
  jwtAudience: string;
  /** Access-token lifetime, seconds. */
  tokenTtl: number;
  /** Directory holding signing keys and the field-encryption key when not given inline. */
  keysDir: string;
  /** Base64 32-byte key for AES-256-GCM field encryption (`kid:base64,…`); generated in development. */
  fieldKeys?: string;
  /** Base64 key (>= 32 bytes) for keyed hashes used in exact look-ups and matching; generated in development. */
  blindIndexKey?: string;
  /**
   * Shared secret of the CLK (Bloom-filter) encodings of names for privacy-preserving matching
   * (CLK_SECRET, ≥ 32 characters; distributed out of band to the agencies that submit CLKs). Unset: the
   * CLK path is off (records carrying a `clk` are refused with 422). Never logged.
   */
  clkSecret?: string;
  /** Requests per minute per client. */
  rateLimitPerMinute: number;
  /** External identity provider (optional). */
  externalIssuer?: string;
  externalJwksUrl?: string;
  externalAgencyClaim: string;
  nodeEnv: string;
  /** Days personal data of a record is kept after its last change (0 = never purge). */
  retentionDays: number;
  /** Days personal data of a withdrawn record is kept after the withdrawal. */
  retentionWithdrawnDays: number;
  /** Whether this instance processes background jobs (all instances can enqueue). */
  jobsWorkers: boolean;
  /** Seconds without a heartbeat after which a running import is taken as abandoned and resumed. */
  importLeaseSeconds: number;
  /** When set, GET /metrics requires `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /**
   * Webhook targets allowed although they are loopback, private or link-local (WEBHOOK_ALLOWED_HOSTS:
   * comma-separated host names, IP addresses or CIDR ranges). Empty by default: such targets are refused.
   */
  webhookAllowedHosts: string[];
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
function size(env: Env, name: string, def: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const m = SIZE.exec(raw.trim());
  if (!m) throw new ConfigError(name, `must be a size such as 1048576, 512kb or 10mb, got "${raw}"`);
  const mult = { b: 1, kb: 1024, mb: 1024 * 1024 }[(m[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  return Number(m[1]) * mult;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL (${protocols.join(', ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use one of ${protocols.join(', ')}, got ${parsed.protocol}`);
  }
  return raw;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

const HOST_ENTRY = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|[0-9.]+(?:\/\d{1,2})?|[0-9a-f:]+(?:\/\d{1,3})?)$/i;
function hostList(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const entries = raw.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  const bad = entries.find((e) => !HOST_ENTRY.test(e));
  if (bad) throw new ConfigError(name, `must be a comma-separated list of host names, IP addresses or CIDR ranges, got "${bad}"`);
  return entries;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): AppConfig {
  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LEVELS.join(', ')}`);
  const port = int(env, 'PORT', 3000, 0, 65535);
  const embeddedPort = int(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535);
  if (embeddedPort === 5432) throw new ConfigError('EMBEDDED_PG_PORT', 'must not be 5432 (reserved for a system server)');
  const fieldKeys = env.FIELD_ENCRYPTION_KEYS || undefined;
  if (fieldKeys) {
    for (const part of fieldKeys.split(',')) {
      const [kid, b64] = part.split(':');
      if (!kid || !b64 || Buffer.from(b64, 'base64').length !== 32) {
        throw new ConfigError('FIELD_ENCRYPTION_KEYS', 'must be a comma-separated list of kid:base64 entries, each key 32 bytes');
      }
    }
  }
  const blindIndexKey = env.BLIND_INDEX_KEY || undefined;
  if (blindIndexKey && Buffer.from(blindIndexKey, 'base64').length < 32) throw new ConfigError('BLIND_INDEX_KEY', 'must be base64 of at least 32 bytes');
  const clkSecret = env.CLK_SECRET || undefined;
  if (clkSecret && clkSecret.length < 32) throw new ConfigError('CLK_SECRET', 'must have at least 32 characters');
  const externalIssuer = url(env, 'OIDC_ISSUER', ['https:', 'http:']);
  const externalJwksUrl = url(env, 'OIDC_JWKS_URL', ['https:', 'http:']);
  if (!!externalIssuer !== !!externalJwksUrl) {
    throw new ConfigError(externalIssuer ? 'OIDC_JWKS_URL' : 'OIDC_ISSUER', 'must be set together with the other OIDC_* variable');
  }
  return {
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    embeddedDataDir: env.EMBEDDED_PG_DIR || '.data/pg',
    embeddedPort,
    host: env.HOST || '127.0.0.1',
    port,
    logLevel,
    bodyLimit: size(env, 'BODY_LIMIT', 5 * 1024 * 1024),
    publicUrl: (url(env, 'PUBLIC_URL', ['https:', 'http:']) ?? `http://localhost:${port}`).replace(/\/$/, ''),
    jwtAudience: env.JWT_AUDIENCE || 'puente-api',
    tokenTtl: int(env, 'TOKEN_TTL_SECONDS', 900, 30, 86400),
    keysDir: env.KEYS_DIR || '.data/keys',
    fieldKeys,
    blindIndexKey,
    clkSecret,
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    externalIssuer,
    externalJwksUrl,
    externalAgencyClaim: env.OIDC_AGENCY_CLAIM || 'agency_code',
    nodeEnv: env.NODE_ENV || 'development',
    metricsToken: env.METRICS_TOKEN || undefined,
    jobsWorkers: bool(env, 'JOBS_WORKERS', true),
    importLeaseSeconds: int(env, 'IMPORT_LEASE_SECONDS', 60, 2, 3600),
    retentionDays: int(env, 'RETENTION_DAYS', 3650, 0, 36500),
    retentionWithdrawnDays: int(env, 'RETENTION_WITHDRAWN_DAYS', 90, 0, 36500),
    webhookAllowedHosts: hostList(env, 'WEBHOOK_ALLOWED_HOSTS'),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');

/** Random base64 key, for development defaults. */
export const newKey = (): string => randomBytes(32).toString('base64');
