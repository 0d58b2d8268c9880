// The label values of the port metrics: every operation of the KeyVault and DataPlane ports (the
// compiler checks each list is complete), the read probe's outcomes and why a call failed. Fixed
// lists, so every series exists from the start at 0 (a counter that first appears at 1 is invisible
// to rate() and increase()).
import type { DataPlane, ProbeResult } from '@lethe/dataplane';
import {
  isKeyVaultUnavailable,
  KeyTombstonedError,
  KeyVersionDestroyedError,
  KeyVersionDisabledError,
  UnknownKeyError,
  UnknownKeyVersionError,
  type KeyVault,
} from '@lethe/vault';

export type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T] & string;

export const VAULT_OPERATIONS = ['createKey', 'createVersion', 'listVersions', 'wrap', 'unwrap', 'disable', 'enable', 'destroy', 'destroyKey'] as const satisfies readonly AsyncMethods<KeyVault>[];

export const DATA_PLANE_OPERATIONS = [
  'protectDatabase',
  'reprotectDatabase',
  'listAssets',
  'addStagingAsset',
  'addPlatformBackup',
  'checkAsset',
  'purgeAssets',
  'databasesOf',
  'recordBackup',
  'restoreCheck',
  'deleteBackup',
] as const satisfies readonly AsyncMethods<DataPlane>[];

/** The read probe's one operation, measured with the data plane's. */
export const PROBE_OPERATION = 'probe';

export const PROBE_OUTCOMES = ['key-destroyed', 'readable', 'inconclusive'] as const satisfies readonly ProbeResult['outcome'][];

/**
 * Why a port call failed (the `reason` label), from the KeyVault port's typed errors, never a message:
 * - `unavailable`: the vault did not answer (isKeyVaultUnavailable: timeout, connection error, 5xx);
 * - `destroyed`: the key version or key is destroyed (KeyVersionDestroyedError, KeyTombstonedError):
 *   the read probe's expected answer after a shred, and a retired version's;
 * - `disabled`: the version is disabled (KeyVersionDisabledError, a retirement under way);
 * - `unknown`: the vault has no such key or version (UnknownKeyError, UnknownKeyVersionError);
 * - `error`: anything else (a bug, an altered wrapped key, a misconfiguration).
 * Only `unavailable` and `error` say the vault or Lethe is in trouble; the others are the vault's
 * answer about the key's state.
 */
export const FAILURE_REASONS = ['unavailable', 'destroyed', 'disabled', 'unknown', 'error'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** The `reason` of a failed port call: `error` itself or, for an adapter that wraps, its `cause`. */
export function failureReason(error: unknown): FailureReason {
  if (isKeyVaultUnavailable(error)) return 'unavailable';
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    if (e instanceof KeyVersionDestroyedError || e instanceof KeyTombstonedError) return 'destroyed';
    if (e instanceof KeyVersionDisabledError) return 'disabled';
    if (e instanceof UnknownKeyError || e instanceof UnknownKeyVersionError) return 'unknown';
  }
  return 'error';
}

const complete = <T, L extends readonly string[]>(ok: [Exclude<AsyncMethods<T>, L[number]>] extends [never] ? true : never): typeof ok => ok;
complete<KeyVault, typeof VAULT_OPERATIONS>(true);
complete<DataPlane, typeof DATA_PLANE_OPERATIONS>(true);
const allOutcomes: [Exclude<ProbeResult['outcome'], (typeof PROBE_OUTCOMES)[number]>] extends [never] ? true : never = true;
void allOutcomes;
