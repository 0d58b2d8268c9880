// Every setting of the engine, in one typed and validated place. A bad value stops the engine at
// boot with a message naming the setting and the rule; secret values are never echoed.
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  DEFAULT_MAX_BACKUP_RETENTION_DAYS,
  DEFAULT_RETIRED_KEY_GRACE_DAYS,
  MAX_BACKUP_RETENTION_SETTING_RULE,
  RETIRED_KEY_GRACE_SETTING_RULE,
  isMaxBackupRetentionDays,
  isRetiredKeyGraceDays,
} from '@lethe/domain';
import { CRASH_POINTS, SABOTAGE_KINDS, type CrashPoint, type Sabotage } from '@lethe/lifecycle';
import { KEY_PREFIX_PATTERN, MAX_SOFT_DELETE_RETENTION_DAYS, MIN_SOFT_DELETE_RETENTION_DAYS, type Pkcs11PinSource } from '@lethe/vault';
import type { SimulatedVaultOutage } from '../infrastructure/simulated-vault-outages.js';
import { oidcEnvShape, readOidcConfig, type OidcConfig } from './oidc-config.js';
import { probeEnvShape, readProbeConfig, type ReadProbeConfig } from './probe-config.js';
import { ASSET_STORES, parseAssetStore, type AssetStoreConfig } from './asset-store-config.js';
import { EVENT_STORES, parseEventStore, type EventStoreConfig } from './event-store-config.js';
import { intakeEnvShape, readIntakeConfig, type IntakeConfig } from './intake-config.js';
import { outboundEnvShape, readOutboundConfig, type OutboundConfig } from './outbound-config.js';
import { unknownSettings, type UnknownSetting } from './unknown-settings.js';

/**
 * What an instance runs (LETHE_ROLES, default all three). Every instance listens on LETHE_HOST:PORT
 * for /healthz, /readyz and /metrics; only one with `api` serves the /v1 API, the console and /docs.
 */
export const ENGINE_ROLES = ['api', 'processors', 'poller'] as const;
export type EngineRole = (typeof ENGINE_ROLES)[number];

export const API_ROLES = ['contract-system', 'ops-reader', 'operator', 'admin', 'approver'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** Who a static token stands for: a machine or person, named in the events it causes. */
export const SUBJECT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;
export const SUBJECT_RULE = 'must be 1-128 letters, digits or . _ @ + -, starting with a letter or digit';

export interface ApiToken {
  readonly role: ApiRole;
  /** The `role:subject:token` entry's subject; the role's name for a `role:token` entry. */
  readonly subject: string;
  readonly token: string;
}

export interface EngineConfig {
  /** Unset: the engine starts an embedded PostgreSQL in the data folder. May point at a transaction-mode pooler. */
  readonly databaseUrl: string | undefined;
  /**
   * LETHE_DIRECT_DATABASE_URL: a direct connection (no transaction-mode pooler) for what needs a
   * session: processor leases, LISTEN, the migration lock. Unset: DATABASE_URL.
   */
  readonly directDatabaseUrl: string | undefined;
  /** LETHE_DATABASE_CA_FILE: PEM of the CA that signed the database's certificate (sslmode=verify-ca/verify-full). */
  readonly databaseCaFile: string | undefined;
  /** LETHE_HOST: the address every instance listens on, whatever its roles. */
  readonly host: string;
  /** PORT: the HTTP port (0: any free one). Without the `api` role, only the probes and /metrics answer there. */
  readonly port: number;
  readonly dataDir: string;
  readonly clock: { readonly kind: 'system' } | { readonly kind: 'manual'; readonly start: Date | undefined };
  readonly roles: ReadonlySet<EngineRole>;
  /** From LETHE_TOKENS (entries with an empty token included, to be warned about at boot). */
  readonly tokens: readonly ApiToken[];
  /** LETHE_TOKENS was set: it wins over the tokens file in the data folder. */
  readonly tokensSet: boolean;
  /**
   * LETHE_TRUST_PROXY: which peers' X-Forwarded-For/-Proto to believe (Express `trust proxy`): a hop
   * count, or addresses, CIDR ranges and `loopback`, `linklocal`, `uniquelocal`. Unset: none.
   */
  readonly trustProxy: number | readonly string[] | undefined;
  readonly instanceId: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly deadlinePollMs: number;
  /**
   * LETHE_DEADLINE_CONCURRENCY: deadlines one instance fires side by side, each under its own claim.
   * 1 (the default) fires them one after another, in due order; more lets a fleet's timers that fall
   * due together go faster, and one tenant's timers of one instant may then append in either order.
   */
  readonly deadlineConcurrency: number;
  /**
   * LETHE_PROCESSOR_SKIP_FLUSH_MS: how long the log must stay quiet before a processor records that it
   * passed events it does not handle (its checkpoint then reaches the head). A simulation stepping
   * the clock waits for every checkpoint, so it sets a few milliseconds.
   */
  readonly processorSkipFlushMs: number;
  /**
   * LETHE_DEADLINE_LEASE_MS: how long a claim on a firing deadline lasts without renewal; an instance
   * killed while firing one leaves it to be taken over after at most this long.
   */
  readonly deadlineLeaseMs: number;
  /** LETHE_READY_MAX_LAG_MS: /readyz fails when a processor's oldest unprocessed event is older than this. */
  readonly readyMaxLagMs: number;
  /** How often the vault is listed for key versions created outside Lethe. */
  readonly keyDetectionMs: number;
  /** Base64 of 32 bytes; unset: a 0600 file generated in the data folder. Never logged. */
  readonly masterKey: string | undefined;
  /** Ed25519 private key (PKCS8 PEM or base64 DER); unset: a 0600 file in the data folder. */
  readonly signingKey: string | undefined;
  readonly tls: { readonly certFile?: string; readonly keyFile?: string };
  /** Test-only: kill -9 this process when the named step is reached. */
  readonly crashAt: CrashPoint | undefined;
  /** Test-only (LETHE_SABOTAGE, manual clock only): a known defect for the fleet simulator's oracle to catch. */
  readonly sabotage: Sabotage | undefined;
  /**
   * Test-only (LETHE_SIMULATED_VAULT_OUTAGES, manual clock only): stretches of the engine's clock during
   * which every vault call fails or times out. Empty: none.
   */
  readonly simulatedVaultOutages: readonly SimulatedVaultOutage[];
  /** LETHE_OIDC_* (oidc-config.ts): JWTs of an OpenID Connect issuer, beside the static tokens; undefined without LETHE_OIDC_ISSUER. */
  readonly oidc: OidcConfig | undefined;
  /** LETHE_BREAK_GLASS_APPROVALS: distinct approvers (role approver, never the requester) a break-glass grant needs. */
  readonly breakGlassApprovals: number;
  /**
   * LETHE_BACKUP_RETENTION_MAX_DAYS: the longest a backup may be kept (expiresAt − takenAt, whole
   * days) without a break-glass grant covering backup.extend-retention; default 3653 (promises.ts, P3).
   */
  readonly maxBackupRetentionDays: number;
  /**
   * LETHE_RETIRED_KEY_GRACE_DAYS: how long (whole days) a retired key version stays disabled, and can
   * be enabled again under break-glass, before it is destroyed in the vault; default 7 (promises.ts, P3).
   */
  readonly retiredKeyGraceDays: number;
  /** LETHE_PROBE and its settings (probe-config.ts): the read probe that verifies a shred. */
  readonly probe: ReadProbeConfig;
  /** LETHE_ASSET_STORE and its settings (LETHE_AZURE_BLOB_*): where staging blobs and platform-key backups live. */
  readonly assetStore: AssetStoreConfig;
  /** LETHE_EVENT_STORE and EVENTSTORE_CONNECTION_STRING: where the event log lives. */
  readonly eventStore: EventStoreConfig;
  /** LETHE_VAULT and its adapter's settings. */
  readonly vault: VaultConfig;
  /** LETHE_INTAKE_AMQP_* (intake-config.ts): terminations from RabbitMQ, consumed by `api` instances; undefined: off. */
  readonly intake: IntakeConfig | undefined;
  /** Where integration events go (LETHE_OUTBOUND_*, LETHE_WEBHOOKS; docs/events.md). */
  readonly outbound: OutboundConfig;
  /** LETHE_* variables set that the engine does not read (a typo?): boot warns about each, by name only. */
  readonly unknownSettings: readonly UnknownSetting[];
}

/** LETHE_VAULT=pkcs11: the token that holds the tenant keys (docs/adapters/pkcs11.md). */
export interface Pkcs11VaultConfig {
  readonly kind: 'pkcs11';
  /** LETHE_PKCS11_MODULE: path of the token's PKCS#11 library. */
  readonly modulePath: string;
  /** LETHE_PKCS11_TOKEN_LABEL. */
  readonly tokenLabel: string;
  /** LETHE_PKCS11_PIN (the value; never logged) or LETHE_PKCS11_PIN_FILE (read at boot, must be 0600). */
  readonly pin: Pkcs11PinSource;
}

/** LETHE_VAULT=azure-keyvault: the Azure Key Vault that holds the tenant keys (docs/adapters/azure-keyvault.md). */
export interface AzureKeyVaultConfig {
  readonly kind: 'azure-keyvault';
  /** LETHE_AZURE_KEYVAULT_URL. */
  readonly url: string;
  /** LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS (7–90, default 90). */
  readonly softDeleteRetentionDays: number;
  /** LETHE_AZURE_KEYVAULT_PURGE_PROTECTION (required). */
  readonly purgeProtection: boolean;
  /** LETHE_AZURE_KEYVAULT_KEY_PREFIX (default lethe-). */
  readonly keyPrefix: string;
  /** LETHE_AZURE_KEYVAULT_KEY_TYPE (default RSA). */
  readonly keyType: 'RSA' | 'RSA-HSM';
}

/**
 * LETHE_VAULT: where tenant keys live. `local` (the default): PostgreSQL, sealed by the master key; it
 * may be given deletion windows for tests and simulations (LETHE_LOCAL_VAULT_*_AFTER_DAYS, manual clock
 * only), standing for a vault slow to make a key unusable or that purges later.
 */
export type VaultConfig =
  | { readonly kind: 'local'; readonly unusableAfterDays: number; readonly purgeAfterDays: number }
  | Pkcs11VaultConfig
  | AzureKeyVaultConfig;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);

const TRUST_PROXY_RULE = 'must be a hop count from 1 to 10, or comma-separated addresses, CIDR ranges, loopback, linklocal or uniquelocal';

function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A whole number from `min` to `max` (of `unit`, when given), read from its decimal string. */
function wholeNumber(min: number, max: number, unit?: string) {
  const message = `must be a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, { message })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message });
}

/** A number of days a promise's rule bounds (promises.ts owns the range and the rule's wording). */
function promiseDays(isValid: (days: number) => boolean, rule: string) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, { message: rule })
    .transform(Number)
    .refine(isValid, { message: rule });
}

const AZURE_URL_RULE = 'must be the https:// URL of the vault, e.g. https://my-vault.vault.azure.net';

/** The vault's own URL: https, a host, nothing after it (no credentials, path, query or fragment). */
function isVaultUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password && url.pathname === '/' && !url.search && !url.hash;
  } catch {
    return false;
  }
}

const schema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v), { message: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  LETHE_DIRECT_DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v), { message: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  LETHE_DATABASE_CA_FILE: z.string().trim().min(1).optional(),
  LETHE_HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, { message: 'must be a whole number from 0 to 65535' })
    .transform(Number)
    .refine((n) => n <= 65535, { message: 'must be a whole number from 0 to 65535' })
    .default(3000),
  LETHE_DATA_DIR: z.string().trim().min(1, { message: 'must not be empty' }).default('./.lethe'),
  LETHE_CLOCK: z.enum(['system', 'manual'], { message: "must be 'system' or 'manual'" }).default('system'),
  LETHE_CLOCK_START: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 instant, e.g. 2026-01-05T09:00:00Z' })
    .optional(),
  LETHE_ROLES: z
    .string()
    .transform(list)
    .refine((roles) => roles.length > 0, { message: `must name at least one of ${ENGINE_ROLES.join(', ')}` })
    .refine((roles) => roles.every((r) => (ENGINE_ROLES as readonly string[]).includes(r)), {
      message: `must be a comma-separated subset of ${ENGINE_ROLES.join(', ')}`,
    })
    .optional(),
  LETHE_TOKENS: z.string().optional(),
  LETHE_CRASH_AT: z.enum(CRASH_POINTS, { message: `must be one of ${CRASH_POINTS.join(', ')} (test-only)` }).optional(),
  LETHE_SABOTAGE: z.enum(SABOTAGE_KINDS, { message: `must be one of ${SABOTAGE_KINDS.join(', ')} (test-only)` }).optional(),
  LETHE_SIMULATED_VAULT_OUTAGES: z.string().optional(),
  LETHE_INSTANCE_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, { message: 'must be 1-100 letters, digits or . _ : -' })
    .optional(),
  LETHE_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LETHE_DEADLINE_POLL_MS: wholeNumber(50, 60_000, 'milliseconds')
    .default(1000),
  LETHE_DEADLINE_CONCURRENCY: wholeNumber(1, 32)
    .default(1),
  LETHE_PROCESSOR_SKIP_FLUSH_MS: wholeNumber(1, 60_000, 'milliseconds')
    .default(100),
  LETHE_DEADLINE_LEASE_MS: wholeNumber(1000, 600_000, 'milliseconds')
    .default(30_000),
  LETHE_READY_MAX_LAG_MS: wholeNumber(1000, 86_400_000, 'milliseconds')
    .default(60_000),
  LETHE_KEY_DETECTION_MS: wholeNumber(1000, 86_400_000, 'milliseconds')
    .default(900_000),
  LETHE_MASTER_KEY: z.string().optional(),
  LETHE_VAULT: z.enum(['local', 'pkcs11', 'azure-keyvault'], { message: "must be 'local', 'pkcs11' or 'azure-keyvault'" }).default('local'),
  LETHE_AZURE_KEYVAULT_URL: z.string().trim().refine(isVaultUrl, { message: AZURE_URL_RULE }).optional(),
  LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS: wholeNumber(MIN_SOFT_DELETE_RETENTION_DAYS, MAX_SOFT_DELETE_RETENTION_DAYS, 'days').optional(),
  LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: z.enum(['true', 'false'], { message: "must be 'true' or 'false' (the vault's purge protection)" }).optional(),
  LETHE_AZURE_KEYVAULT_KEY_PREFIX: z
    .string()
    .regex(KEY_PREFIX_PATTERN, { message: 'must be 1-40 lowercase letters, digits or hyphens, starting with a letter or digit' })
    .optional(),
  LETHE_AZURE_KEYVAULT_KEY_TYPE: z.enum(['RSA', 'RSA-HSM'], { message: "must be 'RSA' or 'RSA-HSM'" }).optional(),
  LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS: wholeNumber(0, 90, 'days').optional(),
  LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS: wholeNumber(0, 90, 'days').optional(),
  // Checked in vaultConfig, and only with LETHE_VAULT=pkcs11.
  LETHE_PKCS11_MODULE: z.string().optional(),
  LETHE_PKCS11_TOKEN_LABEL: z.string().optional(),
  LETHE_PKCS11_PIN: z.string().optional(),
  LETHE_PKCS11_PIN_FILE: z.string().optional(),
  LETHE_SIGNING_KEY: z.string().optional(),
  LETHE_TLS_CERT_FILE: z.string().trim().min(1).optional(),
  LETHE_TLS_KEY_FILE: z.string().trim().min(1).optional(),
  LETHE_TRUST_PROXY: z
    .string()
    .transform((v, ctx) => {
      if (/^\d+$/.test(v.trim())) {
        const hops = Number(v.trim());
        if (hops >= 1 && hops <= 10) return hops;
      } else {
        const entries = list(v);
        if (entries.length > 0 && entries.every(isProxyAddress)) return entries;
      }
      ctx.addIssue({ code: 'custom', message: TRUST_PROXY_RULE });
      return z.NEVER;
    })
    .optional(),
  ...probeEnvShape,
  ...outboundEnvShape,
  ...oidcEnvShape,
  LETHE_BREAK_GLASS_APPROVALS: z
    .string()
    .trim()
    .regex(/^\d+$/, { message: 'must be a whole number from 1 to 10' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 10, { message: 'must be a whole number from 1 to 10' })
    .default(2),
  LETHE_BACKUP_RETENTION_MAX_DAYS: promiseDays(isMaxBackupRetentionDays, MAX_BACKUP_RETENTION_SETTING_RULE).default(DEFAULT_MAX_BACKUP_RETENTION_DAYS),
  LETHE_RETIRED_KEY_GRACE_DAYS: promiseDays(isRetiredKeyGraceDays, RETIRED_KEY_GRACE_SETTING_RULE).default(DEFAULT_RETIRED_KEY_GRACE_DAYS),
  LETHE_ASSET_STORE: z.enum(ASSET_STORES, { message: `must be one of ${ASSET_STORES.join(', ')}` }).default('local'),
  // Checked by parseAssetStore, and only with LETHE_ASSET_STORE=azure-blob.
  LETHE_AZURE_BLOB_CONNECTION_STRING: z.string().optional(),
  LETHE_AZURE_BLOB_ACCOUNT_URL: z.string().optional(),
  LETHE_AZURE_BLOB_STAGING_CONTAINER: z.string().optional(),
  LETHE_AZURE_BLOB_BACKUP_CONTAINER: z.string().optional(),
  LETHE_EVENT_STORE: z.enum(EVENT_STORES, { message: `must be one of ${EVENT_STORES.join(', ')}` }).default('postgres'),
  // Checked by parseEventStore (never echoed: it may hold a password), and only with LETHE_EVENT_STORE=eventstoredb.
  EVENTSTORE_CONNECTION_STRING: z.string().optional(),
  ...intakeEnvShape,
});

/**
 * The name of every environment variable the engine reads: the keys of the schema loadConfig parses,
 * so the list cannot drift from it. Deployment manifests are checked against it (test/deploy).
 */
export const ENGINE_ENV_VARS: readonly string[] = Object.freeze(Object.keys(schema.shape));

/**
 * API tokens are `role:subject:token` entries (the older `role:token` form still reads, its subject
 * being the role's name): comma-separated in LETHE_TOKENS, one a line in the tokens file. A token is
 * printable ASCII without spaces; an empty one is kept here so that boot can warn about it (it never
 * authenticates). Problems name the entry by number and role, never the token.
 * An entry with a second `:` is read as `role:subject:token` when what lies between the colons is a
 * subject (SUBJECT_PATTERN); a `role:token` entry whose token holds such a `:` must be written
 * `role:<role>:token`.
 */
export function parseTokenEntries(entries: readonly string[], source: string, problems: string[]): ApiToken[] {
  const tokens: ApiToken[] = [];
  entries.forEach((pair, index) => {
    const at = pair.indexOf(':');
    const role = at < 0 ? '' : pair.slice(0, at).trim();
    const rest = at < 0 ? '' : pair.slice(at + 1).trim();
    const second = rest.indexOf(':');
    const named = second > 0 && SUBJECT_PATTERN.test(rest.slice(0, second));
    const subject = named ? rest.slice(0, second) : role;
    const token = named ? rest.slice(second + 1) : rest;
    if (!(API_ROLES as readonly string[]).includes(role)) {
      problems.push(`${source}: entry ${index + 1} must start with one of ${API_ROLES.join(', ')} followed by ':'`);
    } else if (!/^[\x21-\x7e]*$/.test(token)) {
      problems.push(`${source}: entry ${index + 1} (${role}) must be printable characters without spaces`);
    } else {
      tokens.push({ role: role as ApiRole, subject, token });
    }
  });
  return tokens;
}

const OUTAGES_RULE = 'must be a JSON list of {"from", "until", "mode"}: ISO 8601 instants with from before until, mode "fail" or "timeout" (test-only)';

const outageSchema = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  until: z.iso.datetime({ offset: true }),
  mode: z.enum(['fail', 'timeout']),
});

/** LETHE_SIMULATED_VAULT_OUTAGES: each entry checked, problems naming the entry (never echoing the value). */
function parseOutages(value: string | undefined, problems: string[]): SimulatedVaultOutage[] {
  if (value === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    problems.push(`LETHE_SIMULATED_VAULT_OUTAGES: ${OUTAGES_RULE}; it is not JSON`);
    return [];
  }
  if (!Array.isArray(json)) {
    problems.push(`LETHE_SIMULATED_VAULT_OUTAGES: ${OUTAGES_RULE}; it is not a list`);
    return [];
  }
  const outages: SimulatedVaultOutage[] = [];
  json.forEach((entry, index) => {
    const parsed = outageSchema.safeParse(entry);
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'entry'))].join(', ');
      problems.push(`LETHE_SIMULATED_VAULT_OUTAGES: entry ${index + 1} (${fields}) ${OUTAGES_RULE}`);
      return;
    }
    const from = new Date(parsed.data.from);
    const until = new Date(parsed.data.until);
    if (from >= until) {
      problems.push(`LETHE_SIMULATED_VAULT_OUTAGES: entry ${index + 1} (until) must be after from`);
      return;
    }
    outages.push({ from, until, mode: parsed.data.mode });
  });
  return outages;
}

const AZURE_SETTINGS = [
  'LETHE_AZURE_KEYVAULT_URL',
  'LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS',
  'LETHE_AZURE_KEYVAULT_PURGE_PROTECTION',
  'LETHE_AZURE_KEYVAULT_KEY_PREFIX',
  'LETHE_AZURE_KEYVAULT_KEY_TYPE',
] as const;
const LOCAL_WINDOW_SETTINGS = ['LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS', 'LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS'] as const;

/**
 * LETHE_VAULT's adapter settings, checked only for the adapter chosen (a local vault ignores the
 * LETHE_PKCS11_* settings). The Azure Key Vault settings and the local vault's test-only windows are
 * refused with another adapter, where they would be silently ignored. Problems name the setting and the
 * rule, never a PIN or a URL.
 */
function vaultConfig(present: Readonly<Record<string, string | undefined>>, c: z.output<typeof schema>, problems: string[]): VaultConfig {
  const kind = c.LETHE_VAULT;
  const only = (names: readonly (keyof typeof c)[], vault: string) => {
    for (const name of names) if (c[name] !== undefined) problems.push(`${name}: only applies with LETHE_VAULT=${vault}`);
  };
  if (kind !== 'azure-keyvault') only(AZURE_SETTINGS, 'azure-keyvault');
  if (kind !== 'local') only(LOCAL_WINDOW_SETTINGS, 'local');
  if (kind === 'local') return { kind, unusableAfterDays: c.LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS ?? 0, purgeAfterDays: c.LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS ?? 0 };
  if (kind === 'azure-keyvault') {
    if (c.LETHE_AZURE_KEYVAULT_URL === undefined) problems.push(`LETHE_AZURE_KEYVAULT_URL: is required with LETHE_VAULT=azure-keyvault (${AZURE_URL_RULE})`);
    if (c.LETHE_AZURE_KEYVAULT_PURGE_PROTECTION === undefined) {
      problems.push("LETHE_AZURE_KEYVAULT_PURGE_PROTECTION: is required with LETHE_VAULT=azure-keyvault: 'true' or 'false', as the vault is configured");
    }
    return {
      kind,
      url: c.LETHE_AZURE_KEYVAULT_URL ?? '',
      softDeleteRetentionDays: c.LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS ?? MAX_SOFT_DELETE_RETENTION_DAYS,
      purgeProtection: c.LETHE_AZURE_KEYVAULT_PURGE_PROTECTION === 'true',
      keyPrefix: c.LETHE_AZURE_KEYVAULT_KEY_PREFIX ?? 'lethe-',
      keyType: c.LETHE_AZURE_KEYVAULT_KEY_TYPE ?? 'RSA',
    };
  }
  const modulePath = present.LETHE_PKCS11_MODULE?.trim();
  if (!modulePath) problems.push('LETHE_PKCS11_MODULE: must be set with LETHE_VAULT=pkcs11 (the path of the token\'s PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so)');
  else if (!modulePath.startsWith('/')) problems.push('LETHE_PKCS11_MODULE: must be an absolute path (a relative one would be searched by the system\'s library loader)');
  const tokenLabel = present.LETHE_PKCS11_TOKEN_LABEL?.trimEnd() ?? '';
  if (tokenLabel === '') problems.push('LETHE_PKCS11_TOKEN_LABEL: must be set with LETHE_VAULT=pkcs11 (the label the token was initialised with)');
  else if (Buffer.byteLength(tokenLabel, 'utf8') > 32) problems.push('LETHE_PKCS11_TOKEN_LABEL: must be at most 32 bytes (a PKCS#11 token label)');
  const pinFile = present.LETHE_PKCS11_PIN_FILE?.trim();
  const pin = present.LETHE_PKCS11_PIN;
  if (pin !== undefined && pinFile) problems.push('LETHE_PKCS11_PIN: set LETHE_PKCS11_PIN or LETHE_PKCS11_PIN_FILE, not both');
  else if (pin === undefined && !pinFile) problems.push('LETHE_PKCS11_PIN_FILE: LETHE_VAULT=pkcs11 needs the token\'s user PIN: LETHE_PKCS11_PIN_FILE (a file of mode 0600) or LETHE_PKCS11_PIN');
  return {
    kind,
    modulePath: modulePath ?? '',
    tokenLabel,
    pin: pinFile ? { kind: 'file', path: pinFile } : { kind: 'env', pin: pin ?? '' },
  };
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): EngineConfig {
  // Empty variables count as unset, as shells and compose files often leave them so.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const tokens = present.LETHE_TOKENS === undefined ? [] : parseTokenEntries(list(present.LETHE_TOKENS), 'LETHE_TOKENS', problems);
  const simulatedVaultOutages = parseOutages(present.LETHE_SIMULATED_VAULT_OUTAGES, problems);
  const assetStore = parseAssetStore(present, problems);
  const eventStore = parseEventStore(present, problems);
  const vault = parsed.success ? vaultConfig(present, parsed.data, problems) : undefined;
  if (problems.length > 0 || !parsed.success || !vault) throw new ConfigError(problems);
  const c = parsed.data;
  if (c.LETHE_CLOCK_START !== undefined && c.LETHE_CLOCK !== 'manual') {
    throw new ConfigError(['LETHE_CLOCK_START: only applies with LETHE_CLOCK=manual']);
  }
  // Test-only defects, outages and vault windows for simulations: never on a clock that real deadlines run on.
  for (const name of ['LETHE_SABOTAGE', 'LETHE_SIMULATED_VAULT_OUTAGES', 'LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS', 'LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS'] as const) {
    if (present[name] !== undefined && c.LETHE_CLOCK !== 'manual') {
      throw new ConfigError([`${name}: test-only, refused unless LETHE_CLOCK=manual (a simulation)`]);
    }
  }
  // The embedded server is reached on loopback with its own settings: these would be silently ignored.
  for (const name of ['LETHE_DIRECT_DATABASE_URL', 'LETHE_DATABASE_CA_FILE'] as const) {
    if (c[name] !== undefined && c.DATABASE_URL === undefined) throw new ConfigError([`${name}: only applies with DATABASE_URL`]);
  }
  const probeProblems: string[] = [];
  const probe = readProbeConfig(c, present, probeProblems);
  const oidc = readOidcConfig(c, present, probeProblems);
  if (probeProblems.length > 0) throw new ConfigError(probeProblems);
  const intakeProblems: string[] = [];
  const intake = readIntakeConfig(c, intakeProblems);
  if (intakeProblems.length > 0) throw new ConfigError(intakeProblems);
  const outboundProblems: string[] = [];
  const outbound = readOutboundConfig(c, outboundProblems, present);
  if (outboundProblems.length > 0) throw new ConfigError(outboundProblems);
  return {
    databaseUrl: c.DATABASE_URL,
    directDatabaseUrl: c.LETHE_DIRECT_DATABASE_URL,
    databaseCaFile: c.LETHE_DATABASE_CA_FILE,
    host: c.LETHE_HOST,
    port: c.PORT,
    dataDir: c.LETHE_DATA_DIR,
    clock:
      c.LETHE_CLOCK === 'manual'
        ? { kind: 'manual', start: c.LETHE_CLOCK_START === undefined ? undefined : new Date(c.LETHE_CLOCK_START) }
        : { kind: 'system' },
    roles: new Set((c.LETHE_ROLES ?? [...ENGINE_ROLES]) as EngineRole[]),
    tokens,
    tokensSet: present.LETHE_TOKENS !== undefined,
    trustProxy: c.LETHE_TRUST_PROXY,
    instanceId: c.LETHE_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    logLevel: c.LETHE_LOG_LEVEL,
    deadlinePollMs: c.LETHE_DEADLINE_POLL_MS,
    processorSkipFlushMs: c.LETHE_PROCESSOR_SKIP_FLUSH_MS,
    deadlineConcurrency: c.LETHE_DEADLINE_CONCURRENCY,
    deadlineLeaseMs: c.LETHE_DEADLINE_LEASE_MS,
    readyMaxLagMs: c.LETHE_READY_MAX_LAG_MS,
    keyDetectionMs: c.LETHE_KEY_DETECTION_MS,
    masterKey: c.LETHE_MASTER_KEY,
    signingKey: c.LETHE_SIGNING_KEY,
    tls: {
      ...(c.LETHE_TLS_CERT_FILE ? { certFile: c.LETHE_TLS_CERT_FILE } : {}),
      ...(c.LETHE_TLS_KEY_FILE ? { keyFile: c.LETHE_TLS_KEY_FILE } : {}),
    },
    crashAt: c.LETHE_CRASH_AT,
    sabotage: c.LETHE_SABOTAGE,
    simulatedVaultOutages,
    probe,
    oidc,
    breakGlassApprovals: c.LETHE_BREAK_GLASS_APPROVALS,
    maxBackupRetentionDays: c.LETHE_BACKUP_RETENTION_MAX_DAYS,
    retiredKeyGraceDays: c.LETHE_RETIRED_KEY_GRACE_DAYS,
    assetStore,
    eventStore,
    vault,
    intake,
    outbound,
    unknownSettings: unknownSettings(present, ENGINE_ENV_VARS),
  };
}

/** Nest injection token for the EngineConfig. */
export const ENGINE_CONFIG = Symbol('EngineConfig');
