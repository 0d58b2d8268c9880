// Autovacuum's work, done by the simulator when the server has autovacuum off (a CI server may: this
// machine's does). A long run updates a few small tables hundreds of thousands of times (timers claimed
// and rescheduled, checkpoints moved, read-model counters), and without vacuum every one of those
// versions stays: the poller's claim, a 0.1 ms index scan on a vacuumed table, took 2–30 ms within two
// simulated years, and the run slowed year by year for a reason no production server has.
import type pg from 'pg';

/** Wall time between two looks at the dead rows (a look is one catalogue query). */
export const VACUUM_CHECK_EVERY_MS = 15_000;

/**
 * Autovacuum's default trigger (autovacuum_vacuum_threshold 50 + autovacuum_vacuum_scale_factor 0.2 of
 * the live rows): a table is vacuumed once its dead rows pass it.
 */
const VACUUM_THRESHOLD_ROWS = 50;
const VACUUM_SCALE_FACTOR = 0.2;

export interface VacuumStandIn {
  /** Whether the server vacuums on its own (then `maybeVacuum` does nothing). */
  readonly autovacuum: boolean;
  /** Vacuums (and analyzes) the tables past autovacuum's trigger, at most once per VACUUM_CHECK_EVERY_MS. Resolves to the tables vacuumed. */
  maybeVacuum(): Promise<readonly string[]>;
}

/** Looks once whether the server's autovacuum is on; when it is off, `maybeVacuum` stands in for it. */
export async function vacuumStandIn(pool: pg.Pool): Promise<VacuumStandIn> {
  const setting = await pool.query<{ autovacuum: string }>('show autovacuum');
  const autovacuum = setting.rows[0].autovacuum === 'on';
  let lastLook = performance.now();
  return {
    autovacuum,
    async maybeVacuum() {
      if (autovacuum || performance.now() - lastLook < VACUUM_CHECK_EVERY_MS) return [];
      lastLook = performance.now();
      const vacuumed = await vacuumDeadTables(pool);
      lastLook = performance.now();
      return vacuumed;
    },
  };
}

/** Vacuums (and analyzes) every table of the database whose dead rows passed autovacuum's default trigger; resolves to their names. */
export async function vacuumDeadTables(pool: pg.Pool): Promise<readonly string[]> {
  const due = await pool.query<{ name: string }>(
    `select quote_ident(schemaname) || '.' || quote_ident(relname) as name from pg_stat_user_tables
      where n_dead_tup > $1::float8 + $2::float8 * n_live_tup order by n_dead_tup desc`,
    [VACUUM_THRESHOLD_ROWS, VACUUM_SCALE_FACTOR],
  );
  for (const { name } of due.rows) await pool.query(`vacuum (analyze) ${name}`);
  return due.rows.map((r) => r.name);
}
