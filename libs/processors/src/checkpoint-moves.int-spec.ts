// The processors of one instance move their checkpoints past the events they skipped in one
// statement between them, each still fenced on the position it last committed. Real PostgreSQL.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { streamCategory, type DomainEvent } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, watchStatements, type TestDatabase } from '@lethe/testing';
import { CheckpointMoves } from './checkpoint-moves.js';
import { processorMigrations } from './migrations.js';
import { ProcessorRunner } from './processor-runner.js';
import { on, type Processor } from './processor.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...processorMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 12 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const MOVES = /^update lethe_checkpoints c set position = m\.to_position/;

async function checkpointsOf(names: readonly string[]): Promise<Record<string, string>> {
  const r = await pool.query<{ processor: string; position: string }>('select processor, position from lethe_checkpoints where processor = any($1)', [names]);
  return Object.fromEntries(r.rows.map((row) => [row.processor, row.position]));
}

describe('CheckpointMoves', () => {
  it('sends the moves asked for together in one statement; a move whose checkpoint changed meanwhile is refused alone', async () => {
    // Given three checkpoints at 10
    const names = ['cm:a', 'cm:b', 'cm:c'];
    for (const name of names) await pool.query('insert into lethe_checkpoints (processor, position) values ($1, 10)', [name]);
    const statements = watchStatements(pool);
    const moves = new CheckpointMoves(pool);
    // When each asks to move to 20, one of them from a position it no longer holds
    const results = await Promise.all([moves.move('cm:a', 10n, 20n), moves.move('cm:b', 9n, 20n), moves.move('cm:c', 10n, 20n)]);
    // Then one statement moved the two that held their position
    expect(results).toEqual([true, false, true]);
    expect(statements.count(MOVES)).toBe(1);
    expect(await checkpointsOf(names)).toEqual({ 'cm:a': '20', 'cm:b': '10', 'cm:c': '20' });
    // And a second move of one processor asked before its first was sent goes in the next statement, after it
    statements.clear();
    const [first, second] = await Promise.all([moves.move('cm:a', 20n, 25n), moves.move('cm:a', 25n, 30n)]);
    expect([first, second]).toEqual([true, true]);
    expect(statements.count(MOVES)).toBe(2);
    expect((await checkpointsOf(['cm:a']))['cm:a']).toBe('30');
  });

  it('rejects every move of a statement that failed', async () => {
    const ended = new pg.Pool({ connectionString: db.url, max: 1 });
    await ended.end();
    const moves = new CheckpointMoves(ended);
    const results = await Promise.allSettled([moves.move('cm:x', 0n, 1n), moves.move('cm:y', 0n, 1n)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

type Noted = DomainEvent<'Noted', { readonly n: number }>;
type Ignored = DomainEvent<'Ignored', { readonly n: number }>;
const notes = streamCategory<Noted | Ignored, 'notes'>('notes', { Noted: true, Ignored: true });
const NOTED = [on(notes, ['Noted'])] as const;

describe('processors of one instance', () => {
  it('move their checkpoints past the events they all skipped in one statement', async () => {
    const store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
    const names = ['skipper:1', 'skipper:2', 'skipper:3', 'skipper:4'];
    const processor = (name: string): Processor<typeof NOTED> => ({ name, interests: NOTED, handle: async () => undefined });
    const statements = watchStatements(pool);
    // A window wide enough that a loaded machine's spread of the four skips still falls in it.
    const moves = new CheckpointMoves(pool, 100);
    const runners = names.map((name) => new ProcessorRunner(pool, store, processor(name), { owner: 'one', leaseRetryMs: 20, skipFlushMs: 5, checkpointMoves: moves }));
    try {
      // Given four processors following the log, none interested in Ignored
      for (const runner of runners) runner.start();
      await waitFor(async () => Object.keys(await checkpointsOf(names)).length === 4);
      await new Promise((r) => setTimeout(r, 100));
      statements.clear();
      // When an Ignored event is appended
      await store.append(notes.stream(randomUUID()), [{ id: randomUUID(), type: 'Ignored', data: { n: 1 } }], 'no-stream');
      const head = (await store.head()).toString();
      // Then every checkpoint passes it, moved by one statement
      await waitFor(async () => Object.values(await checkpointsOf(names)).every((p) => p === head));
      expect(statements.count(MOVES)).toBe(1);
      expect(statements.count(/update lethe_checkpoints set position/)).toBe(0);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
      await store.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
