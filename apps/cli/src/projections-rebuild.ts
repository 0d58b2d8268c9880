// `lethe projections rebuild [--projection <name>]`: rebuilds read models from the event log, with
// a progress bar (events read, events/s) on stderr. Safe beside running engines: it takes each
// projection's processor lease, or refuses while a live engine holds it (libs/processors,
// projection-rebuild.ts), and commits each read model together with its checkpoint.
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { PostgresEventStore } from '@lethe/eventstore';
import { pendingMigrations } from '@lethe/postgres';
import { ProjectionLeasedError, RebuildFailedError, rebuildProjections } from '@lethe/processors';
import { readModels, type ReadModel } from '@lethe/readmodel';
import type { EngineConfig } from '../../engine/src/config/engine-config.js';
import { ENGINE_MIGRATIONS } from '../../engine/src/infrastructure/database.js';
import { openCliDatabase } from './cli-database.js';

/**
 * The read models `name` selects (all when undefined); undefined for a name that is none of them.
 * A name is the projection's short name (`tenants`) or its processor name (`projection:tenants`).
 */
export function selectReadModels(name: string | undefined): ReadModel[] | undefined {
  const all = readModels();
  if (name === undefined) return all;
  const found = all.filter((m) => m.name === name || m.projection.name === name);
  return found.length === 0 ? undefined : found;
}

/** Exit code: 0 rebuilt, 1 refused or failed (nothing changed), 2 unknown projection or bad setting. */
export async function rebuildProjectionsCommand(config: EngineConfig, projection: string | undefined): Promise<number> {
  const models = selectReadModels(projection);
  if (models === undefined) {
    process.stderr.write(`unknown projection: ${projection}; valid: ${readModels().map((m) => m.name).join(', ')}\n`);
    return 2;
  }
  // The rebuild pages through the PostgreSQL log with its read horizon (projection-rebuild.ts).
  if (config.eventStore.kind !== 'postgres') {
    process.stderr.write(
      'lethe projections rebuild reads the PostgreSQL event log; with LETHE_EVENT_STORE=eventstoredb it is not available (see docs/adapters/eventstoredb.md)\n',
    );
    return 2;
  }
  const database = await openCliDatabase(config);
  const { pooled, direct } = database.connections;
  // One connection per rebuilt projection's transaction, one for reading the log, one spare.
  const pool = new pg.Pool({ ...pooled.client, max: models.length + 2 });
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool, { directConnection: direct.client });
  const bar = new cliProgress.SingleBar(
    { format: 'rebuilding [{bar}] {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  try {
    const pending = await pendingMigrations(pool, ENGINE_MIGRATIONS);
    if (pending.length > 0) {
      process.stderr.write(`the database schema is not up to date (${pending.length} migrations pending): run lethe migrate first\n`);
      return 1;
    }
    // Elapsed time for the rate shown, not an instant: a monotonic timer, not the Clock port.
    const started = performance.now();
    const result = await rebuildProjections(
      pool,
      store,
      models.map((m) => ({ projection: m.projection, tables: m.tables })),
      {
        owner: `lethe-cli:${config.instanceId}`,
        directConnection: direct.client,
        onStart: (total) => bar.start(total, 0, { speed: 0 }),
        onProgress: ({ events }) => {
          const seconds = (performance.now() - started) / 1000;
          // More events than counted at the start: the engines appended meanwhile.
          if (events > bar.getTotal()) bar.setTotal(events);
          bar.update(events, { speed: Math.round(events / Math.max(seconds, 0.001)) });
        },
      },
    );
    bar.stop();
    for (const p of result.projections) {
      process.stdout.write(`rebuilt ${p.name}: ${p.handled} events handled, checkpoint ${p.checkpoint}\n`);
    }
    process.stdout.write(`${result.events} events read in ${result.seconds.toFixed(1)} s (${Math.round(result.events / Math.max(result.seconds, 0.001))} events/s)\n`);
    return 0;
  } catch (error) {
    bar.stop();
    if (error instanceof ProjectionLeasedError || error instanceof RebuildFailedError) {
      process.stderr.write(`${error instanceof ProjectionLeasedError ? 'refused' : 'failed'}: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await store.close();
    await pool.end();
    await database.stop();
  }
}
