// Names of tenant keys in Azure Key Vault, and the adapter's version ids.
//
// Key Vault names a key with 1-127 letters, digits and hyphens, compared without case. A tenant id
// that is lowercase letters, digits and hyphens (every id the HTTP API accepts: 1-63 of them) maps
// reversibly to `<prefix>t-<tenantId>`; any other tenant id (other characters, or too long) maps to
// `<prefix>h-<first 32 hex digits of its SHA-256>`, kept with the tenant id in vault_azure_keys. The
// `t-`/`h-` tags keep the two families apart, so no two tenants share a name.
//
// A version id is `<key name>/<Key Vault version>` (the last two segments of the version's Key Vault
// identifier `https://<vault>/keys/<name>/<version>`), unique within the vault.
import { createHash } from 'node:crypto';

/** Longest key name Key Vault accepts. */
export const AZURE_KEY_NAME_MAX = 127;
/** What a prefix may be: lowercase, since Key Vault names ignore case. Room is left for the longest hashed name. */
export const KEY_PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const DEFAULT_KEY_PREFIX = 'lethe-';

const READABLE_TENANT = /^[a-z0-9][a-z0-9-]*$/;
const KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;
const VERSION = /^[0-9A-Za-z]{1,64}$/;

/** The key name of a tenant. TypeError for an empty tenant id or a prefix breaking KEY_PREFIX_PATTERN. */
export function keyNameOf(prefix: string, tenantId: string): string {
  if (!KEY_PREFIX_PATTERN.test(prefix)) throw new TypeError('the key prefix must be 1-40 lowercase letters, digits or hyphens, starting with a letter or digit');
  if (tenantId === '') throw new TypeError('tenantId must be a non-empty string');
  const readable = `${prefix}t-${tenantId}`;
  if (READABLE_TENANT.test(tenantId) && readable.length <= AZURE_KEY_NAME_MAX) return readable;
  return `${prefix}h-${createHash('sha256').update(tenantId, 'utf8').digest('hex').slice(0, 32)}`;
}

/** The tenant a readable key name stands for; undefined for a hashed name (see vault_azure_keys) or another prefix. */
export function tenantOfKeyName(prefix: string, keyName: string): string | undefined {
  const head = `${prefix}t-`;
  if (!keyName.startsWith(head)) return undefined;
  const tenantId = keyName.slice(head.length);
  return READABLE_TENANT.test(tenantId) ? tenantId : undefined;
}

export interface AzureVersionRef {
  readonly keyName: string;
  readonly version: string;
}

export const versionIdOf = (keyName: string, version: string): string => `${keyName}/${version}`;

/** The key name and Key Vault version a version id names; undefined when it is not one of ours. */
export function parseVersionId(versionId: string): AzureVersionRef | undefined {
  const at = versionId.indexOf('/');
  if (at < 0) return undefined;
  const keyName = versionId.slice(0, at);
  const version = versionId.slice(at + 1);
  return KEY_NAME.test(keyName) && VERSION.test(version) ? { keyName, version } : undefined;
}

/** The shape of this adapter's version ids, for the contract suite's no-material check. */
export const AZURE_VERSION_ID = /[0-9a-z-]{1,127}\/[0-9a-zA-Z]{1,64}/;
