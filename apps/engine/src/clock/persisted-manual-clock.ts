// LETHE_CLOCK=manual across restarts. The manual clock's time is stored in PostgreSQL each time it
// moves, and a restart resumes from it, so time never runs backwards over a restart and new events
// are never stamped before old ones.
import type pg from 'pg';
import { ManualClock, SystemClock } from '@lethe/clock';

/** The manual clock would start before an event already recorded: exit code 2, naming the setting. */
export class ManualClockBehindEventsError extends Error {
  constructor(readonly start: Date, readonly newestEvent: Date, readonly configured: boolean) {
    super(
      `LETHE_CLOCK_START: the manual clock would start at ${start.toISOString()}${configured ? '' : ' (real time, LETHE_CLOCK_START unset)'}, ` +
        `before the newest recorded event or signing key (at ${newestEvent.toISOString()}); set LETHE_CLOCK_START to that instant or later`,
    );
    this.name = 'ManualClockBehindEventsError';
  }
}

/** A ManualClock whose every move is stored (`moveTo`); `set`/`advance` stay in memory (in-process tests). */
export class PersistedManualClock extends ManualClock {
  private constructor(
    start: Date,
    private readonly pool: pg.Pool,
  ) {
    super(start);
  }

  /**
   * Where the clock starts: the stored time, or `configured` (LETHE_CLOCK_START) when that is later,
   * or real time when neither exists. Refuses (ManualClockBehindEventsError) to start before the
   * newest event's `occurredAt`. Stores the start.
   */
  static async resume(pool: pg.Pool, configured: Date | undefined): Promise<{ clock: PersistedManualClock; resumedFrom: Date | undefined }> {
    const stored = await pool.query<{ now: Date }>('select now from lethe_manual_clock where id = 1');
    const resumedFrom = stored.rows[0]?.now;
    const candidates = [resumedFrom, configured].filter((d): d is Date => d !== undefined);
    const start = candidates.length > 0 ? new Date(Math.max(...candidates.map((d) => d.getTime()))) : new SystemClock().now();
    // Events, and the certificate signing keys (a key valid from a later instant could not have
    // signed a certificate issued at this clock's time).
    const newest = await pool.query<{ at: Date | null }>(
      `select greatest(
         (select max((metadata->>'occurredAt')::timestamptz) from lethe_events where metadata ? 'occurredAt'),
         (select max(valid_from) from lethe_signing_keys)) as at`,
    );
    const newestEvent = newest.rows[0]?.at;
    if (newestEvent && start.getTime() < newestEvent.getTime()) throw new ManualClockBehindEventsError(start, newestEvent, configured !== undefined);
    const clock = new PersistedManualClock(start, pool);
    await clock.store(start);
    return { clock, resumedFrom };
  }

  /** Moves forward (ClockMovedBackwardsError otherwise) and stores the new time before answering. */
  async moveTo(instant: Date): Promise<void> {
    this.set(instant);
    await this.store(instant);
  }

  private async store(instant: Date): Promise<void> {
    // Several instances may share the database: the stored time only moves forward.
    await this.pool.query(
      `insert into lethe_manual_clock (id, now) values (1, $1)
       on conflict (id) do update set now = greatest(lethe_manual_clock.now, excluded.now)`,
      [instant],
    );
  }
}
