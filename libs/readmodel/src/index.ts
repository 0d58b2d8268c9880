import { CreateEventTypeCounts1764400000010, EventTypeCount, EventTypeCountsProjection } from './event-type-counts.js';

export { EventTypeCount, EventTypeCountsProjection };
export const readModelMigrations = [CreateEventTypeCounts1764400000010];
export const readModelEntities = [EventTypeCount];
