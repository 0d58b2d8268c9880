import { CreateEventTypeCounts1764400000010, EventTypeCount, EventTypeCountsProjection } from './event-type-counts.js';
import { CreateTenantView1764400000011, DropTenantViewDatabases1764400000020, TenantView, TenantsProjection, shredView, type ShredView } from './tenant-view.js';
import { CreateRejectedEventsView1764400000024, RejectedEventView, RejectedEventsProjection } from './rejected-events-view.js';
import {
  AddBackupPolicyToKeyRingViews1764400000017,
  BackupView,
  CreateKeyRingViews1764400000012,
  KeyRingView,
  KeyRingsProjection,
  KeyVersionView,
} from './key-ring-view.js';

export { EventTypeCount, EventTypeCountsProjection, TenantView, TenantsProjection, shredView, type ShredView };
export { BackupView, KeyRingView, KeyRingsProjection, KeyVersionView };
export { RejectedEventView, RejectedEventsProjection };
export const readModelMigrations = [
  CreateEventTypeCounts1764400000010,
  CreateTenantView1764400000011,
  CreateKeyRingViews1764400000012,
  AddBackupPolicyToKeyRingViews1764400000017,
  DropTenantViewDatabases1764400000020,
  CreateRejectedEventsView1764400000024,
];
export const readModelEntities = [EventTypeCount, TenantView, KeyRingView, KeyVersionView, BackupView, RejectedEventView];
