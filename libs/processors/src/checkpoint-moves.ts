// Checkpoint moves past skipped events, for all the processors of an instance together. They follow
// the same log, are woken by the same appends and mostly skip the same events, so their quiet-log
// moves fall due at the same moment: one statement moves them all, not one statement each (in a
// fleet simulation these moves were a tenth of the engine's statements). DataLoader gathers them.
import DataLoader from 'dataloader';
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
}

export class CheckpointMoves {
  private readonly loader: DataLoader<Move, boolean>;

  /**
   * @param gatherMs real time (ms) a first move waits for others before the statement is sent. The
   *   moves of one wake-up come within a millisecond or two of each other.
   */
  constructor(
    private readonly pool: Pick<pg.Pool, 'query'>,
    gatherMs = 2,
  ) {
    this.loader = new DataLoader((moves) => this.send(moves), { cache: false, batchScheduleFn: (send) => setTimeout(send, gatherMs) });
  }

  /**
   * Moves `processor`'s checkpoint from `from` to `to` (global log positions), in one statement with
   * the other moves asked for meanwhile. Resolves true when it moved, false when the checkpoint no
   * longer held `from` (another instance moved it: this one is fenced off); rejects on a database error.
   */
  move(processor: string, from: bigint, to: bigint): Promise<boolean> {
    return this.loader.load({ processor, from, to });
  }

  /** One statement per round; a processor asked twice (never by one runner) has its later move in a later round. */
  private async send(moves: readonly Move[]): Promise<boolean[]> {
    const moved = new Array<boolean>(moves.length);
    for (let rest = moves.map((move, i) => ({ move, i })); rest.length > 0; ) {
      const seen = new Set<string>();
      const round = rest.filter(({ move }) => !seen.has(move.processor) && seen.add(move.processor));
      rest = rest.filter((entry) => !round.includes(entry));
      const res = await this.pool.query<{ processor: string }>(MOVE_SQL, [
        round.map(({ move }) => move.processor),
        round.map(({ move }) => move.from.toString()),
        round.map(({ move }) => move.to.toString()),
      ]);
      const done = new Set(res.rows.map((r) => r.processor));
      for (const { move, i } of round) moved[i] = done.has(move.processor);
    }
    return moved;
  }
}
