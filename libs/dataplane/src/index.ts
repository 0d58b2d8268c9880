// The DataPlane and ReadProbe ports and their `local` adapters (real envelope encryption in PostgreSQL
// over a KeyVault). See libs/dataplane/README.md.
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
export { LocalReadProbe, DEFAULT_PROBE_TIMEOUT_MS, type LocalReadProbeOptions } from './local/local-read-probe.js';
export { platformKeyFrom, PLATFORM_KEY_PURPOSE } from './local/envelope.js';
export { dataplaneMigrations, CreateDataPlaneTables1764400000025, AddDataPlaneBackups1764400000026 } from './local/migrations.js';
