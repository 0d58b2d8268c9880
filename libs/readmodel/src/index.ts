import { CreateEventTypeCounts1764400000010, EventTypeCount, EventTypeCountsProjection } from './event-type-counts.js';
import { CreateTenantView1764400000011, DropTenantViewDatabases1764400000020, TenantView, TenantsProjection, shredView, type ShredView } from './tenant-view.js';
import { ShredHistory1764400000060, ShredRow } from './shred-view.js';
import { CreateRejectedEventsView1764400000024, RejectedEventView, RejectedEventsProjection } from './rejected-events-view.js';
import {
  AddBackupPolicyToKeyRingViews1764400000017,
  BackupRetentionGrant1764400000245,
  BackupView,
  CreateKeyRingViews1764400000012,
  IncrementalKeyRingViews1764400000052,
  KeyRingView,
  KeyVersionEnabledUntil1764400000200,
  KeyVersionStatusIndex1764400000120,
  KeyVersionView,
  RetiredKeyVersionDestruction1764400000250,
} from './key-ring-view.js';
import { KeyRingsProjection } from './key-ring-projection.js';
import { BreakGlassProjection, CreateBreakGlassView1764400000180, GRANTS_LISTING, countActiveGrants, grantIdsPage, type GrantFilter } from './break-glass-view.js';
export { BreakGlassProjection, GRANTS_LISTING, countActiveGrants, grantIdsPage, type GrantFilter };

export { EventTypeCount, EventTypeCountsProjection, TenantView, TenantsProjection, shredView, type ShredView };
export { BackupView, KeyRingView, KeyRingsProjection, KeyVersionView };
export { RejectedEventView, RejectedEventsProjection, ShredRow };
// Paged read queries over the key-ring views (see key-ring-queries.ts and page-cursor.ts).
export {
  BACKUP_STATUSES,
  KeyRingQueries,
  isBackupsCursor,
  isKeyVersionsCursor,
  type BackupItem,
  type BackupStatus,
  type BackupsQuery,
  type DatabaseStanding,
  type KeyRingSummary,
  type KeyVersionItem,
  type KeyVersionsQuery,
  type NeedingBackup,
  type RetirementEvidence,
  type SqlQueryable,
} from './key-ring-queries.js';
export {
  CURSOR_RULE,
  DEFAULT_PAGE_LIMIT,
  InvalidPageRequestError,
  LIMIT_RULE,
  MAX_PAGE_LIMIT,
  decodeCursor,
  encodeCursor,
  isCursorOf,
  pageOf,
  type KeyPart,
  type Listing,
  type Page,
  type PageRequest,
} from './page-cursor.js';
export const readModelMigrations = [
  CreateEventTypeCounts1764400000010,
  CreateTenantView1764400000011,
  CreateKeyRingViews1764400000012,
  AddBackupPolicyToKeyRingViews1764400000017,
  DropTenantViewDatabases1764400000020,
  CreateRejectedEventsView1764400000024,
  IncrementalKeyRingViews1764400000052,
  ShredHistory1764400000060,
  KeyVersionStatusIndex1764400000120,
  CreateBreakGlassView1764400000180,
  KeyVersionEnabledUntil1764400000200,
  BackupRetentionGrant1764400000245,
  RetiredKeyVersionDestruction1764400000250,
];
export const readModelEntities = [EventTypeCount, TenantView, ShredRow, KeyRingView, KeyVersionView, BackupView, RejectedEventView];
export { readModels, type ReadModel } from './read-models.js';
