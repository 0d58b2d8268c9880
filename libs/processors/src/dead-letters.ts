// How many events each processor has parked in lethe_dead_letters (after its retries ran out): for
// metrics and alerts, counts only. Rows stay until ops remove them (or a projection rebuild does).
import type pg from 'pg';

/** Parked events per processor name; processors with none are absent. */
export async function countDeadLetters(db: Pick<pg.Pool, 'query'>): Promise<Map<string, number>> {
  const res = await db.query<{ processor: string; n: string }>('select processor, count(*) as n from lethe_dead_letters group by processor');
  return new Map(res.rows.map((r) => [r.processor, Number(r.n)]));
}
