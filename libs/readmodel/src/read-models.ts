// Every read model the engine keeps, with the tables its projection writes: what
// `lethe projections rebuild` empties and replays. A projection added to the engine belongs here too.
import type { Processor } from '@lethe/processors';
import { EventTypeCountsProjection } from './event-type-counts.js';
import { KeyRingsProjection } from './key-ring-projection.js';
import { RejectedEventsProjection } from './rejected-events-view.js';
import { BreakGlassProjection } from './break-glass-view.js';
import { TenantsProjection } from './tenant-view.js';

export interface ReadModel {
  /** The projection's processor name without its `projection:` prefix (`tenants`). */
  readonly name: string;
  readonly projection: Processor;
  /** Every table the projection writes, and nothing else writes. */
  readonly tables: readonly string[];
}

/** Fresh projection instances for every read model, in the engine's order. */
export function readModels(): ReadModel[] {
  const models: Omit<ReadModel, 'name'>[] = [
    { projection: new EventTypeCountsProjection() as Processor, tables: ['rm_event_type_counts'] },
    { projection: new TenantsProjection() as Processor, tables: ['rm_tenants', 'rm_shreds'] },
    { projection: new KeyRingsProjection() as Processor, tables: ['rm_key_rings', 'rm_key_versions', 'rm_backups', 'rm_backup_key_versions'] },
    { projection: new RejectedEventsProjection() as Processor, tables: ['rm_rejected_events'] },
    { projection: new BreakGlassProjection() as Processor, tables: ['rm_break_glass_grants'] },
  ];
  return models.map((m) => ({ ...m, name: m.projection.name.replace(/^projection:/, '') }));
}
