// @lethe/domain: events, commands, deciders and saga workflows. Pure: no framework, no I/O.
export { DomainError, fold, type Decider, type DomainEvent } from './shared/decider.js';
export { streamCategory, type StreamCategory } from './shared/stream-category.js';
export {
  CONTRACT_STREAM_PREFIX,
  breakGlassCategory,
  privilegedRefusalsCategory,
  calendarCategory,
  calendarStream,
  complianceCategory,
  contractCategory,
  contractStream,
  keyRingCategory,
  keyRingStream,
  streamsOfTenant,
  TENANT_CATEGORIES,
  STREAM_CATEGORIES,
  tenantCategory,
  tenantStream,
} from './streams.js';
export { describeEvent, describeForeignEvent, isLetheEventType, type EventDescription, type LetheEvent } from './audit/event-summary.js';
export { FIRST_SCHEMA_VERSION, Upcasters, type EventVersions, type StoredEventShape, type UpcastStep } from './shared/upcasting.js';
export { domainUpcasters, schemaVersionOf, upcastEvent } from './event-upcasters.js';
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
  TENANT_STATE_VERSION,
  evolveTenant,
  initialTenantState,
  tenantStatus,
  shredProgress,
  SHRED_PROGRESS,
  TENANT_STATUSES,
  type ShredProgress,
  triggerKey,
  keyMaterialPurgeExpectedAt,
  type ShredState,
  type ShredStatus,
  type TenantState,
  type TenantStatus,
} from './tenant/tenant.state.js';
export { decideTenant, tenantDecider, type TenantContext } from './tenant/tenant.decider.js';
export { nextShredAction, shredRetryDelayMs, type ShredAction } from './tenant/shred.workflow.js';
export { nextPurgeCheck, purgeRecheckAt, PURGE_OVERDUE_AFTER_MS, type PurgeCheckAction } from './tenant/key-purge.workflow.js';
export { deletionWindowRefusal, leastDaysAfterExecution, type VaultDeletionWindow } from './tenant/deletion-window.js';
export * from './contract/contract.events.js';
export { contractTerminatedSchema, contractEventMetadataSchema } from './contract/contract-terminated.schema.js';
export {
  CLOCK_SKEW_MS,
  EARLIEST_INSTANT,
  externalIdSchema,
  INSTANT_RANGES,
  instantInRange,
  instantRangeRule,
  instantSchema,
  isStorableText,
  localDateInRange,
  localDateRangeRule,
  MAX_TEXT_LENGTH,
  NO_NUL_RULE,
  stringRule,
  stringSchema,
  textRuleBroken,
  textSchema,
  WELL_FORMED_RULE,
  type InstantRange,
} from './validation/field-rules.js';
export { fieldErrors, formatPath, plainErrorMap, plainRule, validate, type FieldError } from './validation/field-errors.js';
export { sameJson } from './shared/same-json.js';
export { canonicalInstant } from './shared/canonical-instant.js';
export * from './keys/key-ring.events.js';
export type * from './keys/key-ring.commands.js';
export {
  KEY_RING_STATE_VERSION,
  currentVersionOf,
  databasesBehind,
  evolveKeyRing,
  findBackup,
  findStagingAsset,
  findVersion,
  initialKeyRingState,
  newestVersion,
  rotationDueAt,
  versionProtectingAt,
  versionStatus,
  KEY_VERSION_STATUSES,
  versionsProtecting,
  type BackupState,
  type DatabaseProtection,
  type KeyRingState,
  type KeyVersionState,
  type KeyVersionStatus,
  type ProtectionInterval,
  type StagingAssetState,
} from './keys/key-ring.state.js';
export { BREAK_GLASS_REQUIRED, EXTEND_BACKUP_RETENTION, decideKeyRing, keyRingDecider, type KeyRingContext } from './keys/key-ring.decider.js';
export type { ArchivedBackup } from './keys/archived-backups.js';
export { backupsHolding, isLive, isRetirable, retainUntil, retentionTimers, retiredAmong, unrestorableBackups, versionsExtendedBy } from './keys/retention.js';
export type { BackupProtection, Unrestorable } from './keys/backup-policy.js';
export * from './promises.js';
export { complianceOf, type Compliance, type KeyRingFacts, type P1Violation, type P2Violation, type P3Violation } from './compliance.js';
export { keyRingFactsOf } from './keys/key-ring-facts.js';
export * from './compliance-watch/compliance-watch.events.js';
export type * from './compliance-watch/compliance-watch.commands.js';
export {
  COMPLIANCE_WATCH_STATE_VERSION,
  evolveComplianceWatch,
  initialComplianceWatchState,
  type ComplianceWatchState,
  type OpenViolation,
} from './compliance-watch/compliance-watch.state.js';
export { complianceWatchDecider, decideComplianceWatch, violationIdOf, violationsOf, type JudgedViolation } from './compliance-watch/compliance-watch.decider.js';
export { nextComplianceCheckAt } from './compliance-watch/next-compliance-check.js';
export {
  nextRotation,
  overdueCheck,
  reprotectionPlan,
  retirementDecision,
  destructionDecision,
  REPROTECT_RETRY_MS,
  CLIENT_DUE_RECHECK_MS,
  type OverdueCheck,
  type Reprotection,
  type RetirementAction,
  type DestructionAction,
  type RotationAction,
} from './keys/key-lifecycle.workflow.js';
export * from './calendar/calendar.events.js';
export type * from './calendar/calendar.commands.js';
export { CALENDAR_STATE_VERSION, evolveCalendar, initialCalendarState, overridesOf, type CalendarOverrideState, type CalendarState } from './calendar/calendar.state.js';
export { calendarDecider, decideCalendar, type CalendarContext } from './calendar/calendar.decider.js';
export * from './break-glass/break-glass.events.js';
export type * from './break-glass/break-glass.commands.js';
export {
  BREAK_GLASS_STATE_VERSION,
  GRANT_STATUSES,
  REQUEST_LAPSE_HOURS,
  evolveBreakGlass,
  hasLapsedAt,
  initialBreakGlassState,
  isActiveAt,
  requestLapsesAt,
  type BreakGlassState, type GrantState, type GrantStatus } from './break-glass/break-glass.state.js';
export {
  breakGlassDecider,
  decideBreakGlass,
  refusalOf,
  GRANT_DURATION_RULE,
  GRANT_SCOPE_UNIQUE_RULE,
  MAX_GRANT_MINUTES,
  MAX_GRANT_REASON,
  MAX_GRANT_TENANTS,
  MAX_TASK_REF,
  type BreakGlassContext,
} from './break-glass/break-glass.decider.js';
