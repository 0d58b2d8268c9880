// Master key rotation of the local adapters (`lethe master-key rotate`): everything sealed under the
// master key moves to a new one in ONE transaction, so a failure or a crash at any point leaves the
// database as it was, bound to the old key; a commit leaves it wholly on the new key. Never a mix.
//
// What the master key seals, and what this re-seals (each row opened with the old key, sealed again
// under the new key's sub-key of the same HKDF purpose, with the same authenticated context):
//   vault_key_versions.wrapped_material  every key version's material (libs/vault), destroyed ones
//                                        excepted (null: nothing left to seal);
//   dataplane_assets.sealed_content      every platform-key backup and staging asset (platform key =
//                                        platformKeyFrom(master)), purged ones excepted (null);
//   vault_master_key_check               the check value binding the database to its key: replaced.
// Everything else is sealed by tenant key versions (data keys, sentinels, backup copies) or is public
// (signing keys' public halves), so it stays valid as it is.
//
// Order inside the transaction: lock the three tables against writers (readers go on seeing the old
// rows until the commit), check the current key against the stored check value, re-seal, open every
// re-sealed row again with the new key (AES-GCM authenticates; the content must match what the old key
// opened, by digest), `beforeCommit` (the CLI writes a generated key to disk there), store the new
// check value, commit. Engines must be stopped (the CLI holds the engine lock exclusively); an instance
// still running on the old key afterwards can seal nothing more (the check-value fence) and its reads
// fail, so it must be restarted with the new key, and one started with the old key refuses (exit 2).
import type pg from 'pg';
import { inTransaction } from '@lethe/postgres';
import {
  countSealedKeyMaterial,
  countSealedRows,
  lockVaultForMasterKeyRotation,
  masterKeyCheckValue,
  openKeyMaterial,
  openSealedColumn,
  resealColumn,
  resealKeyMaterial,
  storeMasterKeyCheck,
  type MasterKey,
  type SealedColumn,
} from '@lethe/vault';
import { assetContext, PLATFORM_KEY_PURPOSE } from './envelope.js';
import type { AssetKind } from '../data-plane.js';

/** The data plane's sealed column: each live platform-key asset's content, under the platform key. */
const ASSET_CONTENT_COLUMN: SealedColumn = {
  table: 'dataplane_assets',
  column: 'sealed_content',
  key: ['tenant_id', 'kind', 'asset_id'],
  context: ([tenantId, kind, assetId]) => assetContext(tenantId, kind as AssetKind, assetId),
  describe: ([tenantId, kind, assetId]) => `the content of ${kind} asset ${assetId} of tenant ${tenantId}`,
};

/** The new key is the current one: nothing to rotate. */
export class SameMasterKeyError extends Error {
  readonly code = 'SAME_MASTER_KEY';
  constructor() {
    super('the new master key is the current one: give a new key');
    this.name = 'SameMasterKeyError';
  }
}

/** A lock on the vault or asset tables was not granted in time: some session is writing them. */
export class RotationLockTimeoutError extends Error {
  readonly code = 'ROTATION_LOCK_TIMEOUT';
  constructor(seconds: number) {
    super(
      `another session kept writing the vault or asset tables for ${seconds} s (an engine not holding the engine lock?): ` +
        'stop every engine and try again',
    );
    this.name = 'RotationLockTimeoutError';
  }
}

/**
 * Platform assets kept as blobs in Azure Blob Storage (LETHE_ASSET_STORE=azure-blob) are sealed under the
 * master key's platform key too, and this rotation does not re-seal blobs (they are outside the
 * database's transaction): rotating would leave them unreadable. Refused while any is live.
 */
export class BlobAssetsNotResealedError extends Error {
  readonly code = 'BLOB_ASSETS_NOT_RESEALED';
  constructor(readonly assets: number) {
    super(
      `${assets} live platform-key asset${assets === 1 ? ' is a blob' : 's are blobs'} in Azure Blob Storage (LETHE_ASSET_STORE=azure-blob), ` +
        'sealed under the current master key; the rotation does not re-seal blobs, so it is not possible while any is live',
    );
    this.name = 'BlobAssetsNotResealedError';
  }
}

export type RotationPhase = 're-sealing' | 'verifying';

export interface MasterKeyRotationOptions {
  /** Called once the tables are locked and the key checked, with the rows to re-seal (each is then verified). */
  readonly onStart?: (rows: number) => void;
  /** Called after each batch with the rows done in the phase so far. */
  readonly onProgress?: (phase: RotationPhase, rows: number) => void;
  /** Runs after the verification, before the new check value is stored and the commit; throwing rolls back. */
  readonly beforeCommit?: () => Promise<void>;
  /** How long to wait for the table locks (default 30 s). */
  readonly lockTimeoutSeconds?: number;
}

export type MasterKeyRotationResult =
  | {
      readonly outcome: 'rotated';
      /** Key versions whose material was re-sealed. */
      readonly keyVersions: number;
      /** Platform-key assets whose content was re-sealed. */
      readonly assets: number;
      /** Whether a check value was stored before (a database no engine booted on since the check existed has none). */
      readonly previousCheckValue: boolean;
    }
  /** The database was already bound to the new key (a rotation to it committed earlier): nothing changed. */
  | { readonly outcome: 'already-rotated' };

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Moves every row sealed under `from` to `to` in one transaction on a connection of `pool` (see the
 * file comment). Needs the vault and data plane migrations applied.
 * @throws SameMasterKeyError; CurrentMasterKeyMismatchError (a check value is stored and is neither
 *   key's); BlobAssetsNotResealedError; SealedRowUnreadableError (a row `from` does not open, or the verification failed);
 *   RotationLockTimeoutError; what `beforeCommit` throws. In every case nothing was changed.
 */
export async function rotateMasterKey(pool: pg.Pool, from: MasterKey, to: MasterKey, options: MasterKeyRotationOptions = {}): Promise<MasterKeyRotationResult> {
  if (masterKeyCheckValue(from).equals(masterKeyCheckValue(to))) throw new SameMasterKeyError();
  const lockTimeout = options.lockTimeoutSeconds ?? 30;
  return inTransaction(pool, async (client): Promise<MasterKeyRotationResult> => {
    await client.query(`select set_config('lock_timeout', $1, true)`, [`${lockTimeout}s`]);
    let binding;
    try {
      binding = await lockVaultForMasterKeyRotation(client, from, to);
      await client.query('lock table dataplane_assets in exclusive mode');
      await client.query('lock table dataplane_blob_assets in exclusive mode');
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new RotationLockTimeoutError(lockTimeout);
      throw error;
    }
    // Nothing was changed: the transaction ends (and its locks with it) having written nothing.
    if (binding === 'new') return { outcome: 'already-rotated' };
    const blobs = await client.query<{ n: number }>('select count(*)::int as n from dataplane_blob_assets where registered_at is not null and purged_at is null');
    if (blobs.rows[0].n > 0) throw new BlobAssetsNotResealedError(blobs.rows[0].n);
    const versions = await countSealedKeyMaterial(client);
    const assets = await countSealedRows(client, ASSET_CONTENT_COLUMN);
    options.onStart?.(versions + assets);

    let done = 0;
    const progress = (phase: RotationPhase) => (rows: number) => options.onProgress?.(phase, (done += rows));
    const material = await resealKeyMaterial(client, from, to, progress('re-sealing'));
    const content = await resealColumn(
      client,
      ASSET_CONTENT_COLUMN,
      from.derive(PLATFORM_KEY_PURPOSE),
      to.derive(PLATFORM_KEY_PURPOSE),
      'current master key',
      progress('re-sealing'),
    );
    done = 0;
    const materialAfter = await openKeyMaterial(client, to, progress('verifying'));
    const contentAfter = await openSealedColumn(client, ASSET_CONTENT_COLUMN, to.derive(PLATFORM_KEY_PURPOSE), 'new master key', progress('verifying'));
    if (
      materialAfter.rows !== material.rows ||
      !materialAfter.digest.equals(material.digest) ||
      contentAfter.rows !== content.rows ||
      !contentAfter.digest.equals(content.digest)
    ) {
      throw new Error('the re-sealed rows do not open to what the old key opened; nothing was changed');
    }
    await options.beforeCommit?.();
    await storeMasterKeyCheck(client, to);
    return { outcome: 'rotated', keyVersions: material.rows, assets: content.rows, previousCheckValue: binding === 'current' };
  });
}
