// The DataPlane and ReadProbe ports, their `local` adapters (real envelope encryption in PostgreSQL
// over a KeyVault) and the `http` read probe (a client's read of the tenant's data service). See
// libs/dataplane/README.md and docs/adapters/http-probe.md.
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
export { platformKeyFrom, PlatformKey, PLATFORM_KEY_PURPOSE } from './local/envelope.js';
export {
  rotateMasterKey,
  SameMasterKeyError,
  RotationLockTimeoutError,
  type MasterKeyRotationOptions,
  type MasterKeyRotationResult,
  type RotationPhase,
} from './local/master-key-rotation.js';
export { dataplaneMigrations, CreateDataPlaneTables1764400000025, AddDataPlaneBackups1764400000026 } from './local/migrations.js';
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
