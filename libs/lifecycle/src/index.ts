// @lethe/lifecycle: the tenant lifecycle as a Nest module: one command or query handler per use case
// on @nestjs/cqrs's buses, the aggregates' repositories, the processors and the durable timers' handlers.
export { LifecycleModule } from './lifecycle.module.js';
export type { LifecycleDataPlane, LifecycleLogger, LifecyclePorts } from './lifecycle-ports.js';
export * from './lifecycle.tokens.js';
export { KeyDetection } from './keys/key-detection.js';
export { TenantRepository } from './tenants/tenant-repository.js';
export { KeyRingRepository } from './keys/key-ring-repository.js';
export { CalendarRepository } from './calendars/calendar-repository.js';
export { CalendarWorkingDays } from './tenants/working-days.adapter.js';

// Tenants
export { OnboardTenantCommand, type Onboarded } from './tenants/onboard-tenant/onboard-tenant.command.js';
export { TerminateContractCommand } from './tenants/terminate-contract/terminate-contract.command.js';
export { RequestDeletionCommand, type DeletionRequest } from './tenants/request-deletion/request-deletion.command.js';
export { CancelShredCommand } from './tenants/cancel-shred/cancel-shred.command.js';
export { GetTenantQuery, type TenantDetails } from './tenants/get-tenant/get-tenant.query.js';
export { ListTenantsQuery, TENANTS_LISTING, type TenantFilter } from './tenants/list-tenants/list-tenants.query.js';
export type { TenantRow } from './tenants/tenant-rows.js';
export { ListShredsQuery, SHREDS_LISTING } from './tenants/list-shreds/list-shreds.query.js';
export type { ShredAnswer } from './tenants/shred-answer.js';
export type { TerminationNotice } from './tenants/termination-shred.js';

// Key rings
export { RotateKeyCommand, type RotatedKey } from './keys/rotate-key/rotate-key.command.js';
export { EnableKeyVersionCommand, type EnabledKeyVersion } from './keys/enable-key-version/enable-key-version.command.js';
export { ChangeKeyRingPolicyCommand, type KeyRingPolicyChange } from './keys/change-key-ring-policy/change-key-ring-policy.command.js';
export { AddDatabaseCommand } from './keys/add-database/add-database.command.js';
export { RecordBackupCommand, type BackupInput } from './keys/record-backup/record-backup.command.js';
export { ChangeBackupRetentionCommand } from './keys/change-backup-retention/change-backup-retention.command.js';
export { DeleteBackupCommand } from './keys/delete-backup/delete-backup.command.js';
export { RestoreCheckQuery, type RestoreCheck } from './keys/restore-check/restore-check.query.js';
export { RegisterStagingAssetCommand, type StagingAssetInput } from './keys/register-staging-asset/register-staging-asset.command.js';
export { ListStagingAssetsQuery } from './keys/list-staging-assets/list-staging-assets.query.js';
export { GetKeysQuery, type KeyRingVersions } from './keys/get-keys/get-keys.query.js';
export { ListBackupsQuery } from './keys/list-backups/list-backups.query.js';
export { GetKeyTimelineQuery, RETAINING_BACKUPS_SHOWN, type KeyTimeline, type VersionLifetime } from './keys/key-timeline/key-timeline.query.js';
export {
  COMPLIANCE_LISTING,
  GetComplianceQuery,
  type ComplianceReport,
} from './compliance/get-compliance/get-compliance.query.js';
export { CountComplianceQuery, type ComplianceTally } from './compliance/count-compliance/count-compliance.query.js';
export { CountFleetQuery, type FleetCounts } from './fleet/count-fleet/count-fleet.query.js';
export { DOMAIN_EVENT_TYPES } from './fleet/count-fleet/count-fleet.handler.js';
export { ListRejectedEventsQuery, REJECTED_EVENTS_SHOWN, type RejectedEvents } from './rejected-events/list-rejected-events/list-rejected-events.query.js';

// Audit trail and schedule (issue 13)
export {
  DEFAULT_TENANT_EVENTS_LIMIT,
  GetTenantEventsQuery,
  MAX_TENANT_EVENTS_LIMIT,
  TENANT_EVENTS_LISTING,
  type EventCause,
  type TenantEventItem,
  type TenantEvents,
} from './audit/tenant-events/tenant-events.query.js';
export { CAUSE_KINDS, type CauseKind } from './audit/event-cause.js';
export { actAs, actingSubject, subjectMetadata, subjectOf, SUBJECT_METADATA } from './audit/acting-subject.js';
export {
  GetScheduleQuery,
  SCHEDULE_LISTING,
  SCHEDULE_STATES,
  type ScheduleFilter,
  type ScheduleItem,
  type ScheduleState,
} from './schedule/get-schedule/get-schedule.query.js';
export { SCHEDULE_KINDS, publicTimerKind, type ScheduleKind, type ScheduleSubject } from './schedule/timer-kinds.js';

// Calendars
export { DeclareOverrideCommand } from './calendars/declare-override/declare-override.command.js';
export { WithdrawOverrideCommand } from './calendars/withdraw-override/withdraw-override.command.js';
export { CalendarDaysQuery, type CalendarDays } from './calendars/calendar-days/calendar-days.query.js';
export { DeadlinePreviewQuery } from './calendars/deadline-preview/deadline-preview.query.js';
export type { CalendarPreviewOptions } from './calendars/calendar-preview-options.js';

// Certificates
export { GetCertificateQuery } from './certificate/get-certificate/get-certificate.query.js';
export { CurrentSigningKeyQuery, SigningKeysQuery } from './certificate/signing-keys/signing-keys.query.js';
export { CertificateIssuer, certificateIdOf } from './certificate/certificate-issuer.js';
export { PostgresCertificateStore, type StoredCertificate } from './certificate/certificate-store.js';
export { certificateMigrations } from './certificate/certificate.migrations.js';
export { snapshotMigrations } from './snapshots/snapshot.migrations.js';
export { PostgresSnapshotStore, type Snapshot, type SnapshotStore } from './snapshots/snapshot-store.js';
export { SNAPSHOT_EVERY } from './aggregate-repository.js';
export {
  buildCertificate,
  signCertificate,
  verifyCertificate,
  certificateSha256,
  certificateBytes,
  publicKeyId,
  CERTIFICATE_FORMAT,
  type CertificateIssuance,
  type DeletionCertificate,
  type SignedCertificate,
  type TrustedSigningKey,
  type VerificationResult,
} from './certificate/deletion-certificate.js';
export { canonicalJson } from './certificate/canonical-json.js';

export { causedEventId } from './event-ids.js';
export { SHRED_STEP, SHRED_DEADLINE } from './shred/shred-deadlines.js';
export { ConcurrentModificationError } from './concurrent-modification.js';
export { CRASH_POINTS, killAt, noCrash, type CrashHook, type CrashPoint } from './crash-points.js';
export { SABOTAGE_KINDS, type Sabotage } from './sabotage.js';

// Break-glass
export { BreakGlassRepository, DEFAULT_BREAK_GLASS_APPROVALS } from './break-glass/break-glass-repository.js';
export { RequestGrantCommand } from './break-glass/request-grant/request-grant.command.js';
export { ApproveGrantCommand } from './break-glass/approve-grant/approve-grant.command.js';
export { RevokeGrantCommand } from './break-glass/revoke-grant/revoke-grant.command.js';
export { GetGrantQuery } from './break-glass/get-grant/get-grant.query.js';
export { GetGrantUsesQuery, type GrantUseRecord } from './break-glass/grant-uses/grant-uses.query.js';
export { ListGrantsQuery } from './break-glass/list-grants/list-grants.query.js';
export { UseGrantCommand, type GrantUse } from './break-glass/use-grant/use-grant.command.js';
export { PrivilegedUse, type BreakGlassClaim } from './break-glass/privileged-use.js';
export { BreakGlassRequiredError } from './break-glass/break-glass-required.error.js';
export { ReadSentinelQuery, type SentinelRead } from './tenants/read-sentinel/read-sentinel.query.js';
export { ExecuteShredNowCommand, type ShredForced } from './tenants/execute-shred-now/execute-shred-now.command.js';
