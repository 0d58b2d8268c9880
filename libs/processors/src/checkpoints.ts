// How far processors have followed the log, read from their checkpoints (lethe_checkpoints), so a
// reader can tell whether the read models already reflect a given write.
import type pg from 'pg';

/**
 * The lowest checkpoint (a global log position) among the named processors; a processor that never
 * ran counts as START (0). Every event at or below the answer has been handled by all of them.
 */
export async function lowestCheckpoint(db: Pick<pg.Pool, 'query'>, processors: readonly string[]): Promise<bigint> {
  if (processors.length === 0) throw new Error('lowestCheckpoint needs at least one processor name');
  const res = await db.query<{ lowest: string }>(
    `select coalesce(min(coalesce(c.position, 0)), 0) as lowest
       from unnest($1::text[]) as p(name) left join lethe_checkpoints c on c.processor = p.name`,
    [processors],
  );
  return BigInt(res.rows[0].lowest);
}
