// The domain's stream categories, in one place: each aggregate's streams are `<category>-<id>`, and
// processors declare the categories and event types they follow with these (ARCHITECTURE: one
// owner stream per fact).
import type { BreakGlassEvent, BreakGlassUseRefused } from './break-glass/break-glass.events.js';
import type { CalendarEvent } from './calendar/calendar.events.js';
import type { ComplianceWatchEvent } from './compliance-watch/compliance-watch.events.js';
import type { ContractEvent } from './contract/contract.events.js';
import type { KeyRingEvent } from './keys/key-ring.events.js';
import { streamCategory } from './shared/stream-category.js';
import type { TenantEvent } from './tenant/tenant.events.js';

/** `tenant-<tenantId>`: the profile, triggers and shred. */
export const tenantCategory = streamCategory<TenantEvent, 'tenant'>('tenant', {
  TenantOnboarded: true,
  DeletionRequested: true,
  ShredScheduled: true,
  ShredTriggerRecorded: true,
  ShredAdvanced: true,
  ShredExecutionForced: true,
  ShredCancelled: true,
  ShredExecutionStarted: true,
  KeyDestroyed: true,
  KeyMaterialPurged: true,
  AssetsPurged: true,
  ShredStepFailed: true,
  ShredProbeRecorded: true,
  ShredVerified: true,
  ShredVerificationFailed: true,
  ShredDeadlineBreached: true,
  DeletionCertificateIssued: true,
});

/** `keys-<tenantId>`: the key ring (versions, databases, backups, retirement). */
export const keyRingCategory = streamCategory<KeyRingEvent, 'keys'>('keys', {
  KeyRingOpened: true,
  KeyVersionAdded: true,
  DatabaseReprotected: true,
  DatabaseAdded: true,
  DatabaseRotationOverdue: true,
  RotationPeriodChanged: true,
  BackupPolicyChanged: true,
  KeyRotationDue: true,
  BackupRecorded: true,
  BackupRetentionChanged: true,
  BackupDeleted: true,
  StagingAssetRegistered: true,
  KeyVersionRetired: true,
  KeyVersionDestroyed: true,
  KeyRingDestroyed: true,
  KeyVersionEnabled: true,
});

/**
 * `contract-<tenantId>`: what the contract system said. It may append here itself, so a reader must
 * expect any event type and any data in these streams, not only the ones listed.
 */
export const contractCategory = streamCategory<ContractEvent, 'contract'>('contract', {
  ContractTerminated: true,
  ContractEventRejected: true,
});

/** `calendar-<jurisdiction>`: operator overrides of a jurisdiction's working days. */
export const calendarCategory = streamCategory<CalendarEvent, 'calendar'>('calendar', {
  CalendarOverrideDeclared: true,
  CalendarOverrideWithdrawn: true,
});

/** `break-glass-<grantId>`: a break-glass grant, its approvals, uses and refusals. */
export const breakGlassCategory = streamCategory<BreakGlassEvent, 'break-glass'>('break-glass', {
  BreakGlassRequested: true,
  BreakGlassApproved: true,
  BreakGlassActivated: true,
  BreakGlassRevoked: true,
  BreakGlassExpired: true,
  BreakGlassUsed: true,
  BreakGlassUseRefused: true,
});

/**
 * `privileged-refusals-<tenantId>`: privileged calls on the tenant refused for naming no (existing)
 * grant. Written only for a tenant that exists; part of the tenant's audit trail (TENANT_CATEGORIES).
 */
export const privilegedRefusalsCategory = streamCategory<BreakGlassUseRefused, 'privileged-refusals'>('privileged-refusals', { BreakGlassUseRefused: true });

/** `compliance-<tenantId>`: when each broken promise (P1–P3) of the tenant's key ring opened and closed. */
export const complianceCategory = streamCategory<ComplianceWatchEvent, 'compliance'>('compliance', {
  ComplianceViolationOpened: true,
  ComplianceViolationClosed: true,
});

export const tenantStream = tenantCategory.stream;
export const keyRingStream = keyRingCategory.stream;
export const contractStream = contractCategory.stream;
export const calendarStream = calendarCategory.stream;
export const CONTRACT_STREAM_PREFIX = `${contractCategory.name}-`;

/**
 * The categories whose streams are a tenant's, named by its id: together they hold every fact about
 * the tenant (calendar streams belong to a jurisdiction, shared by its tenants). The audit trail
 * reads these; a new per-tenant category belongs here.
 */
export const TENANT_CATEGORIES = [tenantCategory, keyRingCategory, contractCategory, complianceCategory, privilegedRefusalsCategory] as const;

/**
 * Every category Lethe writes. An event store shared with other systems (EventStoreDB) is read
 * filtered to these; a new category belongs here.
 */
export const STREAM_CATEGORIES = [...TENANT_CATEGORIES, calendarCategory, breakGlassCategory] as const;

/** Every stream of one tenant, in the order of TENANT_CATEGORIES. */
export function streamsOfTenant(tenantId: string): string[] {
  return TENANT_CATEGORIES.map((category) => category.stream(tenantId));
}
