// The AssetStore port: where the assets the customer key does not protect live (staging blobs and
// platform-key backups). Their content is sealed with the platform key, so destroying a tenant key
// leaves them readable: a shred must purge them (P4). The DataPlane port includes these operations;
// adapters: the local data plane's own table (LocalDataPlane) and Azure Blob Storage
// (AzureBlobAssetStore, put in front of a data plane with withAssetStore). Every adapter passes
// assetStoreContract (contract/asset-store.contract.ts).

export type AssetKind = 'staging' | 'platform-backup';

export interface Asset {
  readonly kind: AssetKind;
  readonly id: string;
}

export interface PurgedAsset extends Asset {
  readonly purgedAt: Date;
}

/**
 * checkAsset's verdict on an asset sealed with the platform key. Not readable:
 * - 'asset-purged': its content was erased (a shred's purge); 'unknown-asset': never added;
 * - 'corrupt': it did not decrypt with the platform key; 'inconclusive': anything else.
 * `detail` names ids and error classes/codes only.
 */
export type AssetCheckResult =
  | { readonly readable: true }
  | { readonly readable: false; readonly reason: 'asset-purged' | 'unknown-asset' | 'corrupt' | 'inconclusive'; readonly detail: string };

export interface AssetStore {
  /** The tenant's live (not purged) assets that the customer key does not protect, by kind then id. */
  listAssets(tenantId: string): Promise<Asset[]>;

  /** Records a staging blob (encrypted with the platform key). Idempotent; AssetPurgedError once purged. */
  addStagingAsset(tenantId: string, assetId: string): Promise<void>;

  /**
   * Records a backup of the database encrypted with the platform key. Idempotent; AssetPurgedError once
   * purged; AssetConflictError when the id is taken by a backup of another database.
   */
  addPlatformBackup(tenantId: string, backupId: string, databaseId: string): Promise<void>;

  /**
   * Checks that the asset could be read: decrypts its content with the platform key. Restores
   * nothing, changes nothing, never rejects (except a TypeError for an empty id).
   */
  checkAsset(tenantId: string, kind: AssetKind, assetId: string): Promise<AssetCheckResult>;

  /**
   * Erases the content of every live asset of the tenant (customer-key backups are not assets: they are
   * left alone, destroying the tenant key shreds them) and returns every asset of the tenant purged so
   * far (this call's and earlier ones') with its first purge instant, by kind then id. So a retry returns
   * the same list: idempotent, and a crash between purge and recording the result loses no evidence.
   * An adapter over a shared store also erases what others put under the tenant's name there and lists
   * it as an asset of the kind its place says (see AzureBlobAssetStore).
   */
  purgeAssets(tenantId: string): Promise<PurgedAsset[]>;
}

/**
 * Not part of the port: what every adapter of this lib also offers, for tests and checks. Decrypts an
 * asset's content with the platform key, the way anyone holding the platform key could.
 * UnknownAssetError, AssetPurgedError, DecryptionFailedError (of @lethe/vault).
 */
export interface AssetReader {
  readAsset(tenantId: string, kind: AssetKind, assetId: string): Promise<Buffer>;
}
