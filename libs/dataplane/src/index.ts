// The DataPlane, AssetStore and ReadProbe ports; their `local` adapters (real envelope encryption in
// PostgreSQL over a KeyVault), the `azure-blob` asset store and the `http` read probe (a client's read
// of the tenant's data service). See libs/dataplane/README.md, docs/adapters/azure-blob.md and
// docs/adapters/http-probe.md.
export type { AssetStore, AssetReader } from './asset-store.js';
export type {
  DataPlane,
  ReadProbe,
  ProbeResult,
  Asset,
  AssetCheckResult,
  AssetKind,
  PurgedAsset,
  ProtectedDatabase,
  RestoreCheckResult,
  RestoreFailureReason,
} from './data-plane.js';
export {
  DataPlaneError,
  UnknownDatabaseError,
  DatabaseAlreadyProtectedError,
  DatabaseKeyVersionMismatchError,
  AssetPurgedError,
  UnknownAssetError,
  AssetConflictError,
  UnknownBackupError,
  BackupConflictError,
  BackupDeletedError,
  KeyVersionUnusableError,
} from './errors.js';
export { LocalDataPlane } from './local/local-data-plane.js';
export { withAssetStore } from './with-asset-store.js';
export {
  AzureBlobAssetStore,
  type AzureBlobAssetStoreOptions,
  type AzureBlobInspection,
  type AssetStoreLogger,
  type BlobPurgeRecord,
} from './azure-blob/azure-blob-asset-store.js';
export {
  ACCOUNT_URL_RULE,
  CONNECTION_STRING_RULE,
  CONTAINER_NAME_RULE,
  DEFAULT_BACKUP_CONTAINER,
  DEFAULT_STAGING_CONTAINER,
  isAccountUrl,
  isConnectionString,
  isContainerName,
  type AzureBlobCredentialSettings,
  type AzureBlobSettings,
} from './azure-blob/azure-blob-settings.js';
export { blobServiceClient } from './azure-blob/blob-service-client.js';
export { BlobStoreError } from './azure-blob/blob-store-error.js';
export { listEverything, MAX_PURGE_ROUNDS, type ListedBlob } from './azure-blob/blob-purge.js';
export { assetStoreContract, type AssetStoreContractSubject } from './contract/asset-store.contract.js';
export { LocalReadProbe, DEFAULT_PROBE_TIMEOUT_MS, type LocalReadProbeOptions } from './local/local-read-probe.js';
export { platformKeyFrom, PlatformKey, PLATFORM_KEY_PURPOSE } from './local/envelope.js';
export {
  rotateMasterKey,
  SameMasterKeyError,
  RotationLockTimeoutError,
  BlobAssetsNotResealedError,
  type MasterKeyRotationOptions,
  type MasterKeyRotationResult,
  type RotationPhase,
} from './local/master-key-rotation.js';
export { dataplaneMigrations, CreateDataPlaneTables1764400000025, AddDataPlaneBackups1764400000026 } from './local/migrations.js';
export { CreateBlobAssets1764400000150 } from './azure-blob/migrations.js';
export {
  HttpReadProbe,
  HttpProbeSettingError,
  openHttpReadProbe,
  type HttpReadProbeOptions,
  type HttpReadProbeSettings,
} from './http/http-read-probe.js';
export {
  classifyProbeAnswer,
  httpProbeReason,
  HTTP_PROBE_REASONS,
  MAX_PROBE_BODY_BYTES,
  type FailureSignature,
  type HttpProbeReason,
  type ProbeAnswer,
} from './http/classify-probe-answer.js';
export { parseHeadersFile, parseTenantUrlsFile } from './http/probe-files.js';
export { SettingsFileError } from './http/settings-file.js';
export { parseUrlTemplate, UrlTemplateError, type UrlTemplate } from './http/url-template.js';
