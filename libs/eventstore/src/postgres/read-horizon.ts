// Decides how far a reader of the global log may go without passing an in-flight append.
//
// Positions come from a sequence and transactions commit in any order, so a reader can see
// position 12 committed while 11 is still in flight. Filtering on `transaction_id < xmin` alone
// is not enough: a snapshot's xmin ignores transactions whose xid is above the last completed
// one, and a transaction may take its xid before an older one takes its position. The contract
// test "8 writers" loses events under that rule. The rule here:
//
//  * A run of visible positions with no hole is safe: each position belongs to one committed row.
//  * A hole at p is final (a rolled-back append, a sequence jump after a crash) once every
//    transaction that could hold p has ended. When a reader is stopped by a hole it notes the
//    sequence's last value L and then takes an xid X of its own: every position <= L was drawn
//    by a transaction whose xid is < X (appends take their xid before drawing positions). Once a
//    later snapshot has xmin >= X, all of them have ended, so every hole <= L is final.
//
// So the reader stops at the first hole above the watermark, and never waits on a timeout.

export interface Observation {
  /** The sequence's last value, read before `xid` was assigned. */
  readonly lastValue: bigint;
  readonly xid: bigint;
}

const MAX_PENDING = 256;

export class ReadHorizon {
  private watermark = 0n;
  private pending: Observation[] = [];

  /** Settle what a snapshot's `xmin` allows, then remember a new observation if there is one. */
  observe(xmin: bigint, observation?: Observation): void {
    const still: Observation[] = [];
    for (const o of this.pending) {
      if (o.xid < xmin) {
        if (o.lastValue > this.watermark) this.watermark = o.lastValue;
      } else if (o.lastValue > this.watermark) {
        still.push(o);
      }
    }
    // Under a long-running transaction the list could grow; the oldest entries settle first, so
    // when full we keep them and drop the newest (a later read will observe again).
    if (observation && observation.lastValue > this.watermark) still.push(observation);
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
