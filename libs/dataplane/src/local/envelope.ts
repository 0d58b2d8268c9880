// What the local data plane encrypts, and under which authenticated context. Shared by the data plane
// (which writes) and the read probe (which reads).
import { SecretKey, masterKeyCheckValue, type MasterKey } from '@lethe/vault';
import type { AssetKind } from '../data-plane.js';

/** HKDF purpose of the platform key (derived from the master key) sealing platform-key assets. */
export const PLATFORM_KEY_PURPOSE = 'lethe/dataplane/local/platform-assets/v1';

/**
 * The platform-managed key of the local data plane: a sub-key of the master key. Deleting a tenant's key
 * does not make what it seals unreadable, which is why platform assets must be purged on a shred. It
 * carries its master key's check value, which fences every asset it seals (see LocalDataPlane).
 */
export class PlatformKey extends SecretKey {
  private constructor(
    bytes: Buffer,
    /** The check value of the master key it was derived from (safe to hold: see master-key-check.ts). */
    readonly masterKeyCheck: Buffer,
  ) {
    super(bytes);
  }

  static of(masterKey: MasterKey): PlatformKey {
    const bytes = masterKey.derive(PLATFORM_KEY_PURPOSE).exportBytes();
    try {
      return new PlatformKey(bytes, masterKeyCheckValue(masterKey));
    } finally {
      bytes.fill(0);
    }
  }

  protected override label(): string {
    return '[PlatformKey]';
  }
}

export function platformKeyFrom(masterKey: MasterKey): PlatformKey {
  return PlatformKey.of(masterKey);
}

/** The known plaintext of a database's sentinel record. Not secret: it proves a successful decryption. */
export const sentinelPlaintext = (tenantId: string, databaseId: string): Buffer =>
  Buffer.from(`lethe-sentinel:${tenantId}:${databaseId}`, 'utf8');

/** Binds the sentinel to its database (JSON keeps ids with ':' unambiguous). */
export const sentinelContext = (tenantId: string, databaseId: string): string =>
  `lethe/dataplane/local/sentinel:${JSON.stringify([tenantId, databaseId])}`;

/** Binds an asset's sealed content to the asset. */
export const assetContext = (tenantId: string, kind: AssetKind, assetId: string): string =>
  `lethe/dataplane/local/asset:${JSON.stringify([tenantId, kind, assetId])}`;

/** The content the local data plane stands in for a staging blob or a backup. */
export const assetPlaintext = (tenantId: string, kind: AssetKind, assetId: string, databaseId: string | null): Buffer =>
  Buffer.from(
    kind === 'platform-backup'
      ? `lethe-backup:${tenantId}:${databaseId}:${assetId}:${sentinelPlaintext(tenantId, databaseId ?? '').toString('utf8')}`
      : `lethe-staging:${tenantId}:${assetId}`,
    'utf8',
  );

/** The known plaintext of a customer-key backup's sentinel (not secret: it proves a decryption). */
export const backupSentinelPlaintext = (tenantId: string, backupId: string, databaseId: string): Buffer =>
  Buffer.from(`lethe-backup-sentinel:${JSON.stringify([tenantId, backupId, databaseId])}`, 'utf8');

/** Binds a customer-key backup's sentinel to the backup and its database. */
export const backupSentinelContext = (tenantId: string, backupId: string, databaseId: string): string =>
  `lethe/dataplane/local/backup-sentinel:${JSON.stringify([tenantId, backupId, databaseId])}`;
