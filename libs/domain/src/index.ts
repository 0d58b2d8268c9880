// @lethe/domain: events, commands, deciders and saga workflows. Pure: no framework, no I/O.
export { DomainError, fold, type Decider, type DomainEvent } from './shared/decider.js';
export type {
  CalendarInputs,
  CalendarOverrideInput,
  CalendarRequest,
  PartialHolidays,
  WeekendUsed,
  WorkingDays,
  WorkingDaysDeadline,
} from './shared/working-days.js';
export * from './tenant/tenant.events.js';
export type * from './tenant/tenant.commands.js';
export {
  evolveTenant,
  initialTenantState,
  tenantStatus,
  triggerKey,
  type ShredState,
  type ShredStatus,
  type TenantState,
  type TenantStatus,
} from './tenant/tenant.state.js';
export { DELETION_WORKING_DAYS, decideTenant, tenantDecider, type TenantContext } from './tenant/tenant.decider.js';
export { nextShredAction, shredRetryDelayMs, type ShredAction } from './tenant/shred.workflow.js';
export * from './contract/contract.events.js';
export { contractTerminatedSchema, contractEventMetadataSchema } from './contract/contract-terminated.schema.js';
export { externalIdSchema, instantSchema } from './validation/field-rules.js';
export { fieldErrors, formatPath, plainErrorMap, plainRule, validate, type FieldError } from './validation/field-errors.js';
export { sameJson } from './shared/same-json.js';
export * from './keys/key-ring.events.js';
export type * from './keys/key-ring.commands.js';
export {
  DEFAULT_ROTATION_PERIOD_DAYS,
  MAX_ROTATION_PERIOD_DAYS,
  currentVersionOf,
  databasesBehind,
  evolveKeyRing,
  findBackup,
  findStagingAsset,
  initialKeyRingState,
  newestVersion,
  rotationDueAt,
  versionProtectingAt,
  versionStatus,
  versionsProtecting,
  type BackupState,
  type DatabaseProtection,
  type KeyRingState,
  type KeyVersionState,
  type KeyVersionStatus,
  type ProtectionInterval,
  type StagingAssetState,
} from './keys/key-ring.state.js';
export { decideKeyRing, keyRingDecider, type KeyRingContext } from './keys/key-ring.decider.js';
export { backupsHolding, isLive, isRetirable, lastUse, retainUntil, retentionTimers, retiredAmong, unrestorableBackups } from './keys/retention.js';
export {
  DEFAULT_PITR_RETENTION_DAYS,
  MAX_PITR_RETENTION_DAYS,
  MIN_PITR_RETENTION_DAYS,
  PITR_RETENTION_RULE,
  isPitrRetentionDays,
  type BackupProtection,
  type Unrestorable,
} from './keys/backup-policy.js';
export * from './calendar/calendar.events.js';
export type * from './calendar/calendar.commands.js';
export { evolveCalendar, initialCalendarState, overridesOf, type CalendarOverrideState, type CalendarState } from './calendar/calendar.state.js';
export { calendarDecider, decideCalendar, type CalendarContext } from './calendar/calendar.decider.js';
