// Specs that promise a number of round trips (one claim, one page read) count the statements a real
// pool sends: its query() is wrapped to note each text before passing it on unchanged.
import type pg from 'pg';

/** The texts of the statements sent through a pool since it was watched (or last cleared), in order. */
export interface StatementLog {
  readonly texts: readonly string[];
  /** How many of them `test` matches (a regular expression on the text). */
  count(test: RegExp): number;
  clear(): void;
}

/**
 * Notes every statement `pool.query` sends from now on (statements of clients checked out with
 * pool.connect() are not seen). Returns the log; the pool works as before.
 */
export function watchStatements(pool: pg.Pool): StatementLog {
  const texts: string[] = [];
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const first = args[0];
    texts.push(typeof first === 'string' ? first : typeof (first as { text?: unknown })?.text === 'string' ? (first as { text: string }).text : '');
    return query(...args);
  };
  return {
    texts,
    count: (test) => texts.filter((t) => test.test(t)).length,
    clear: () => void texts.splice(0),
  };
}
