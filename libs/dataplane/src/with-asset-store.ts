// A data plane whose assets live in another asset store: the engine's composition when the assets are
// not kept by the data plane's own adapter (LETHE_ASSET_STORE=azure-blob over the local data plane).
import type { Asset, AssetCheckResult, AssetKind, AssetStore, PurgedAsset } from './asset-store.js';
import type { DataPlane, ProtectedDatabase, RestoreCheckResult } from './data-plane.js';

/** `dataPlane` with every asset operation (AssetStore's) done by `assets` instead; the rest unchanged. */
export function withAssetStore(dataPlane: DataPlane, assets: AssetStore): DataPlane {
  return new DataPlaneWithAssetStore(dataPlane, assets);
}

class DataPlaneWithAssetStore implements DataPlane {
  constructor(
    private readonly plane: DataPlane,
    private readonly assets: AssetStore,
  ) {}

  listAssets(tenantId: string): Promise<Asset[]> {
    return this.assets.listAssets(tenantId);
  }

  addStagingAsset(tenantId: string, assetId: string): Promise<void> {
    return this.assets.addStagingAsset(tenantId, assetId);
  }

  addPlatformBackup(tenantId: string, backupId: string, databaseId: string): Promise<void> {
    return this.assets.addPlatformBackup(tenantId, backupId, databaseId);
  }

  checkAsset(tenantId: string, kind: AssetKind, assetId: string): Promise<AssetCheckResult> {
    return this.assets.checkAsset(tenantId, kind, assetId);
  }

  purgeAssets(tenantId: string): Promise<PurgedAsset[]> {
    return this.assets.purgeAssets(tenantId);
  }

  protectDatabase(tenantId: string, databaseId: string, keyVersionId: string): Promise<void> {
    return this.plane.protectDatabase(tenantId, databaseId, keyVersionId);
  }

  reprotectDatabase(tenantId: string, databaseId: string, fromVersionId: string, toVersionId: string): Promise<void> {
    return this.plane.reprotectDatabase(tenantId, databaseId, fromVersionId, toVersionId);
  }

  databasesOf(tenantId: string): Promise<ProtectedDatabase[]> {
    return this.plane.databasesOf(tenantId);
  }

  recordBackup(tenantId: string, backupId: string, databaseId: string, keyVersionId: string): Promise<void> {
    return this.plane.recordBackup(tenantId, backupId, databaseId, keyVersionId);
  }

  restoreCheck(tenantId: string, backupId: string): Promise<RestoreCheckResult> {
    return this.plane.restoreCheck(tenantId, backupId);
  }

  deleteBackup(tenantId: string, backupId: string): Promise<void> {
    return this.plane.deleteBackup(tenantId, backupId);
  }
}
