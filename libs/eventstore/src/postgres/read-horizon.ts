// Decides how far a reader of the global log may go without passing an in-flight append.
//
// Positions come from a sequence and transactions commit in any order, so a reader can see
// position 12 committed while 11 is still in flight. 11 may also never appear: a rolled-back
// append (every revision conflict burns a position) or a sequence jump after a crash leaves a
// hole for good. The reader must not skip 11 while it may still commit, and must not wait on it
// forever once it cannot. The rule here:
//
//  * A run of visible positions with no hole is safe: each position belongs to one committed row.
//  * A hole is final once every transaction that could hold it has ended. Only a transaction that
//    inserts into `lethe_events` draws a position, and PostgreSQL gives it a RowExclusiveLock on
//    the table before the insert draws one (the lock is taken when the statement opens the table;
//    the position is drawn per row, during execution), held to the end of the transaction. So a
//    reader stopped by a hole reads the sequence's last value L FIRST, and only then lists the
//    transactions holding that lock (their virtual transaction ids, unique while they live).
//    Every position <= L was drawn before L was read, by a transaction that held the lock from
//    before its draw: by the time of the listing it has either ended or is in the list. Once none
//    of the listed transactions is still running, every hole <= L is final. A transaction's end is
//    visible to new snapshots before its locks are released, so "not listed" means "ended and
//    visible". Reading the list before L would be wrong: a transaction could take the lock and
//    draw a position between the two reads, below L and in no list.
//
// Only transactions that can write positions are waited for: a long transaction elsewhere (another
// database on the server, a backup, an open console) does not hold readers back, as a rule based
// on the server-wide snapshot xmin would. The reader never waits on a timeout.
//
// This assumes positions are drawn only by inserts into `lethe_events`, one at a time (the identity
// sequence's cache of 1: with a larger cache a session could hold drawn positions between
// transactions).

/** What one look at the server saw, in this order: the sequence's last value, then the lock holders. */
export interface Observation {
  /** The sequence's last value (0 when none was drawn). */
  readonly lastValue: bigint;
  /**
   * The virtual transaction ids (pg_locks.virtualtransaction) of the other transactions that held
   * a RowExclusiveLock on `lethe_events`, listed after `lastValue` was read.
   */
  readonly inFlight: ReadonlySet<string>;
}

const MAX_PENDING = 256;

export class ReadHorizon {
  private watermark = 0n;
  /** Oldest first. A later observation's set holds every still-running member of an earlier one. */
  private pending: Observation[] = [];

  /**
   * Settles the observations whose transactions have all ended, given `running`: the virtual
   * transaction ids holding the lock now (a transaction keeps it until it ends, so one not in
   * `running` has ended). Then remembers `observation`, if given, until it settles too.
   */
  observe(running: ReadonlySet<string>, observation?: Observation): void {
    const still: Observation[] = [];
    const candidates = observation ? [...this.pending, observation] : this.pending;
    for (const o of candidates) {
      if (o.lastValue <= this.watermark) continue;
      const live = new Set([...o.inFlight].filter((id) => running.has(id)));
      if (live.size === 0) {
        this.watermark = o.lastValue;
        continue;
      }
      // An older observation waiting on the same transactions as a newer one settles with it, and
      // covers less: keep the newer only (under one long append this keeps the list at one entry).
      const previous = still[still.length - 1];
      if (previous && previous.lastValue <= o.lastValue && sameSet(previous.inFlight, live)) still.pop();
      still.push({ lastValue: o.lastValue, inFlight: live });
    }
    // Observations settle oldest first (a later one waits on everything an earlier one still
    // waits on), so when full keep the oldest and drop the newest: a later read observes again.
    this.pending = still.slice(0, MAX_PENDING);
  }

  /** Everything at or below this position that is not visible now will never be. */
  get finalUpTo(): bigint {
    return this.watermark;
  }

  /**
   * The prefix of `positions` (ascending, all > after) that can be delivered: contiguous from
   * `after`, jumping holes only at or below `watermark`. Pass the watermark as it stood before
   * the positions were read: a hole that became final later may have been filled meanwhile.
   */
  deliverable(after: bigint, positions: readonly bigint[], watermark: bigint = this.watermark): number {
    let previous = after;
    let count = 0;
    for (const p of positions) {
      if (p !== previous + 1n && p - 1n > watermark) break;
      previous = p;
      count++;
    }
    return count;
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
