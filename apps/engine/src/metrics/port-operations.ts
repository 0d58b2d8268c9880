// The label values of the port metrics: every operation of the KeyVault and DataPlane ports (the
// compiler checks each list is complete), the read probe's outcomes and why a call failed. Fixed
// lists, so every series exists from the start at 0 (a counter that first appears at 1 is invisible
// to rate() and increase()).
import type { DataPlane, ProbeResult } from '@lethe/dataplane';
import type { KeyVault } from '@lethe/vault';

export type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T] & string;

export const VAULT_OPERATIONS = ['createKey', 'createVersion', 'listVersions', 'wrap', 'unwrap', 'disable', 'destroy', 'destroyKey'] as const satisfies readonly AsyncMethods<KeyVault>[];

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

/** unavailable: isKeyVaultUnavailable (timeout, connection error, 5xx); error: anything else. */
export const FAILURE_REASONS = ['unavailable', 'error'] as const;

const complete = <T, L extends readonly string[]>(ok: [Exclude<AsyncMethods<T>, L[number]>] extends [never] ? true : never): typeof ok => ok;
complete<KeyVault, typeof VAULT_OPERATIONS>(true);
complete<DataPlane, typeof DATA_PLANE_OPERATIONS>(true);
const allOutcomes: [Exclude<ProbeResult['outcome'], (typeof PROBE_OUTCOMES)[number]>] extends [never] ? true : never = true;
void allOutcomes;
