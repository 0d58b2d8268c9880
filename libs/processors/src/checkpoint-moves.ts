// Checkpoint moves past skipped events, for all the processors of an instance together. They follow
// the same log, are woken by the same appends and mostly skip the same events, so their quiet-log
// moves fall due at the same moment: one statement moves them all, not one statement each (in a
// fleet simulation these moves were a tenth of the engine's statements).
import type pg from 'pg';

// Each row moves only if it still holds the position its processor last committed (the fence).
const MOVE_SQL = `update lethe_checkpoints c set position = m.to_position, updated_at = now()
    from unnest($1::text[], $2::bigint[], $3::bigint[]) as m(processor, from_position, to_position)
   where c.processor = m.processor and c.position = m.from_position
  returning c.processor`;

interface Move {
  readonly processor: string;
  readonly from: bigint;
  readonly to: bigint;
  readonly settle: (moved: boolean) => void;
  readonly fail: (error: unknown) => void;
}

export class CheckpointMoves {
  private queued = new Map<string, Move>();
  /** Moves asked for while their processor's earlier move was still queued: the batch after. */
  private waiting: Move[] = [];
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param gatherMs real time (ms) a first move waits for others before the statement is sent. The
   *   moves of one wake-up come within a millisecond or two of each other.
   */
  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    private readonly gatherMs = 2,
  ) {}

  /**
   * Moves `processor`'s checkpoint from `from` to `to` (global log positions), in one statement with
   * the other moves asked for meanwhile. Resolves true when it moved, false when the checkpoint no
   * longer held `from` (another instance moved it: this one is fenced off); rejects on a database error.
   */
  move(processor: string, from: bigint, to: bigint): Promise<boolean> {
    return new Promise<boolean>((settle, fail) => {
      const move: Move = { processor, from, to, settle, fail };
      if (this.queued.has(processor)) this.waiting.push(move);
      else this.queued.set(processor, move);
      this.timer ??= setTimeout(() => void this.flush(), this.gatherMs);
    });
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.queued.values()];
    this.queued = new Map();
    for (const move of this.waiting.splice(0)) {
      if (this.queued.has(move.processor)) this.waiting.push(move);
      else this.queued.set(move.processor, move);
    }
    if (this.queued.size > 0) this.timer = setTimeout(() => void this.flush(), this.gatherMs);
    try {
      const res = await this.pool.query<{ processor: string }>(MOVE_SQL, [
        batch.map((m) => m.processor),
        batch.map((m) => m.from.toString()),
        batch.map((m) => m.to.toString()),
      ]);
      const moved = new Set(res.rows.map((r) => r.processor));
      for (const m of batch) m.settle(moved.has(m.processor));
    } catch (error) {
      for (const m of batch) m.fail(error);
    }
  }
}
