// The independent oracle: the fleet simulator's judge of Lethe's promises (P1–P6). It reads Lethe's
// log and the vault, and computes every expectation from the fleet plan with its own rules and
// working-day calendar; it imports nothing of Lethe's domain, calendar or lifecycle.
export { Oracle, type OracleOptions } from './oracle.js';
export { readEventsAfter, type OracleEvent } from './oracle-event.js';
export {
  VaultReader,
  type VaultSnapshot,
  type VaultKey,
  type VaultVersion,
  type PlatformBackupAssets,
  type ReadVaultSnapshotOptions,
} from './vault-snapshot.js';
export { installVaultChangeFeed } from './vault-change-feed.js';
export { OracleCalendar, DELETION_WORKING_DAYS } from './working-days.js';
export { RETIRED_KEY_GRACE_DAYS } from './engine-settings.js';
export { RETIREMENT_SLACK_MS, IMMEDIATE_SLACK_MS, VAULT_RECOVERY_SLACK_MS, REPROTECT_WITHIN_MS, ROTATION_TOLERANCE_MS, MAX_STEP_MS } from './slack.js';
