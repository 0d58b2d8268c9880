import { CreateEventTypeCounts1764400000010, EventTypeCount, EventTypeCountsProjection } from './event-type-counts.js';
import { CreateTenantView1764400000011, TenantView, TenantsProjection, shredView, type ShredView } from './tenant-view.js';

export { EventTypeCount, EventTypeCountsProjection, TenantView, TenantsProjection, shredView, type ShredView };
export const readModelMigrations = [CreateEventTypeCounts1764400000010, CreateTenantView1764400000011];
export const readModelEntities = [EventTypeCount, TenantView];
