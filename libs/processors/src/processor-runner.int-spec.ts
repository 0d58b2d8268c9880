import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { streamCategory, tenantCategory, type DomainEvent } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { countDeadLetters } from './dead-letters.js';
import { processorMigrations } from './migrations.js';
import { ProcessorRunner } from './processor-runner.js';
import { on, type Delivered, type Processor } from './processor.js';

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...processorMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 12 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
  await pool.query('create table projected (processor text, event_id uuid, n int)');
});

afterAll(async () => {
  await store.close();
  await pool.end();
  await db.drop();
});

type Numbered = DomainEvent<'Numbered', { readonly n: number }>;
type Other = DomainEvent<'Other', { readonly n: number }>;
/** A category of test streams `numbered-<uuid>`. */
const numbered = streamCategory<Numbered | Other, 'numbered'>('numbered', { Numbered: true, Other: true });
const NUMBERED = [on(numbered, ['Numbered'])] as const;
type NumberedEvent = Delivered<typeof NUMBERED>;

/** A projection that records each Numbered event of one stream into `projected`, in the processor's transaction. */
function projection(name: string, stream: string, fail?: (event: NumberedEvent, attempt: number) => boolean): Processor<typeof NUMBERED> {
  const attempts = new Map<string, number>();
  return {
    name,
    interests: NUMBERED,
    async handle(event, tx) {
      if (event.streamId !== stream) return;
      const attempt = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, attempt);
      await tx.query('insert into projected (processor, event_id, n) values ($1, $2, $3)', [name, event.id, event.data.n]);
      if (fail?.(event, attempt)) throw new Error(`cannot project event ${event.data.n}`);
    },
  };
}

const newStream = () => numbered.stream(randomUUID());

async function appendNumbered(stream: string, from: number, count: number, type: 'Numbered' | 'Other' = 'Numbered'): Promise<void> {
  const events = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type, data: { n: from + i } }));
  await store.append(stream, events, 'any');
}

async function projectedCounts(name: string): Promise<Map<number, number>> {
  const res = await pool.query<{ n: number; c: string }>('select n, count(*) as c from projected where processor = $1 group by n', [name]);
  return new Map(res.rows.map((r) => [r.n, Number(r.c)]));
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fast = { retryBaseMs: 5, retryMaxMs: 20, leaseRetryMs: 50, heartbeatMs: 100 };

it('projects every event once, and resumes from its checkpoint after a restart', async () => {
  const name = `p-${randomUUID()}`;
  const stream = newStream();
  await appendNumbered(stream, 0, 50);
  const first = new ProcessorRunner(pool, store, projection(name, stream), { owner: 'one', ...fast });
  first.start();
  await waitFor(async () => (await projectedCounts(name)).size === 50);
  await first.stop();
  await appendNumbered(stream, 50, 25);
  const second = new ProcessorRunner(pool, store, projection(name, stream), { owner: 'two', ...fast });
  second.start();
  await waitFor(async () => (await projectedCounts(name)).size === 75);
  await second.stop();
  const counts = await projectedCounts(name);
  expect([...counts.values()].every((c) => c === 1)).toBe(true);
  const cp = await pool.query('select position from lethe_checkpoints where processor = $1', [name]);
  const last = (await store.readStream(stream)).at(-1)!;
  expect(BigInt(cp.rows[0].position)).toBe(last.position);
});

it('retries a failing event with backoff; its failed attempts leave nothing behind', async () => {
  const name = `p-${randomUUID()}`;
  const stream = newStream();
  await appendNumbered(stream, 0, 5);
  const runner = new ProcessorRunner(pool, store, projection(name, stream, (e, attempt) => e.data.n === 2 && attempt < 3), {
    owner: 'one',
    ...fast,
  });
  runner.start();
  await waitFor(async () => (await projectedCounts(name)).size === 5);
  await runner.stop();
  expect([...(await projectedCounts(name)).values()]).toEqual([1, 1, 1, 1, 1]);
  const dead = await pool.query('select * from lethe_dead_letters where processor = $1', [name]);
  expect(dead.rowCount).toBe(0);
});

it('parks an event that keeps failing as a dead letter, reports it, and goes on', async () => {
  const name = `p-${randomUUID()}`;
  const stream = newStream();
  await appendNumbered(stream, 0, 4);
  const parked: string[] = [];
  const errors: object[] = [];
  const runner = new ProcessorRunner(pool, store, projection(name, stream, (e) => e.data.n === 1), {
    owner: 'one',
    ...fast,
    maxAttempts: 3,
    onDeadLetter: (_p, e) => parked.push(e.id),
    logger: { info: () => undefined, warn: () => undefined, error: (o) => errors.push(o) },
  });
  runner.start();
  await waitFor(async () => (await projectedCounts(name)).size === 3);
  await runner.stop();
  const counts = await projectedCounts(name);
  expect([...counts.keys()].sort()).toEqual([0, 2, 3]);
  const dead = await pool.query('select event_id, attempts, last_error from lethe_dead_letters where processor = $1', [name]);
  expect(dead.rows).toEqual([{ event_id: parked[0], attempts: 3, last_error: 'Error: cannot project event 1' }]);
  expect(errors).toContainEqual(expect.objectContaining({ processor: name, eventId: parked[0], attempts: 3 }));
  expect((await countDeadLetters(pool)).get(name)).toBe(1);
});

it('lets one of two instances own a processor, and the other take over when it stops', async () => {
  const name = `p-${randomUUID()}`;
  const stream = newStream();
  const a = new ProcessorRunner(pool, store, projection(name, stream), { owner: 'a', ...fast });
  const b = new ProcessorRunner(pool, store, projection(name, stream), { owner: 'b', ...fast });
  a.start();
  await waitFor(async () => a.status.state === 'running');
  b.start();
  await appendNumbered(stream, 0, 30);
  await waitFor(async () => (await projectedCounts(name)).size === 30);
  expect(b.status.state).toBe('standby');
  const lease = await pool.query('select owner from lethe_processor_leases where processor = $1', [name]);
  expect(lease.rows[0].owner).toBe('a');
  await a.stop();
  await waitFor(async () => b.status.state === 'running');
  await appendNumbered(stream, 30, 30);
  await waitFor(async () => (await projectedCounts(name)).size === 60);
  await b.stop();
  expect([...(await projectedCounts(name)).values()].every((c) => c === 1)).toBe(true);
});

it('skips events outside its interests without calling it, and still moves the checkpoint past them', async () => {
  const name = `p-${randomUUID()}`;
  const stream = newStream();
  const seen: string[] = [];
  const processor: Processor<typeof NUMBERED> = {
    name,
    interests: NUMBERED,
    async handle(event) {
      seen.push(`${event.streamId}|${event.type}:${event.data.n}`);
    },
  };
  await appendNumbered(stream, 0, 2);
  await appendNumbered(stream, 2, 3, 'Other'); // its category, not its type
  await store.append(`elsewhere-${randomUUID()}`, [{ id: randomUUID(), type: 'Numbered', data: { n: 99 } }], 'any'); // another category
  const head = (await store.readAll(0n, 100_000)).at(-1)!.position;
  const runner = new ProcessorRunner(pool, store, processor, { owner: 'one', ...fast, skipFlushMs: 20 });
  runner.start();
  await waitFor(async () => {
    const cp = await pool.query('select position from lethe_checkpoints where processor = $1', [name]);
    return cp.rowCount === 1 && BigInt(cp.rows[0].position) === head;
  });
  await runner.stop();
  expect(seen.filter((s) => s.startsWith(`${stream}|`))).toEqual([`${stream}|Numbered:0`, `${stream}|Numbered:1`]);
  expect(seen.every((s) => s.startsWith('numbered-') && s.includes('|Numbered:'))).toBe(true);
});

it('delivers an event typed, with its category id parsed and its data upcast to the current shape', async () => {
  const tenantId = `t-${randomUUID()}`;
  const interests = [on(tenantCategory, ['TenantOnboarded'])] as const;
  const delivered: Delivered<typeof interests>[] = [];
  const name = `p-${randomUUID()}`;
  // Stored before calendar v2 and the key ring policies: no partialHolidays, rotationPeriodDays, pitrRetentionDays.
  const old = {
    tenantId,
    jurisdiction: 'GB',
    timeZone: 'Europe/London',
    excludedHolidayTypes: ['public', 'bank'],
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: 'db-1' }],
    shredGraceWorkingDays: 2,
    at: '2025-01-01T00:00:00.000Z',
  };
  await store.append(tenantCategory.stream(tenantId), [{ id: randomUUID(), type: 'TenantOnboarded', data: old, metadata: { schemaVersion: 1 } }], 'no-stream');
  const processor: Processor<typeof interests> = { name, interests, handle: async (e) => void delivered.push(e) };
  const runner = new ProcessorRunner(pool, store, processor, { owner: 'one', ...fast });
  runner.start();
  await waitFor(async () => delivered.some((e) => e.categoryId === tenantId));
  await runner.stop();
  const event = delivered.find((e) => e.categoryId === tenantId)!;
  expect(event).toMatchObject({ category: 'tenant', categoryId: tenantId, streamId: `tenant-${tenantId}`, revision: 0n, type: 'TenantOnboarded' });
  expect(event.data).toEqual({ ...old, partialHolidays: 'working', rotationPeriodDays: 365, pitrRetentionDays: 35 });
});

/** A projection with handleBatch: records each batch's size, and each event of its stream into `projected`. */
function batchingProjection(name: string, stream: string, poisoned?: number): Processor<typeof NUMBERED> & { batches: number[] } {
  const batches: number[] = [];
  const one = async (event: NumberedEvent, tx: pg.PoolClient) => {
    if (event.streamId !== stream) return;
    await tx.query('insert into projected (processor, event_id, n) values ($1, $2, $3)', [name, event.id, event.data.n]);
    if (event.data.n === poisoned) throw new Error(`cannot project event ${event.data.n}`);
  };
  return {
    name,
    interests: NUMBERED,
    batches,
    handle: one,
    async handleBatch(events, tx) {
      batches.push(events.length);
      for (const event of events) await one(event, tx);
    },
  };
}

const checkpointOf = async (name: string) =>
  BigInt((await pool.query<{ position: string }>('select position from lethe_checkpoints where processor = $1', [name])).rows[0]?.position ?? -1);

it('commits a batching projection a batch at a time: every event once, skipped ones passed, fewer transactions than events', async () => {
  const name = `p-${randomUUID()}`;
  const stream = newStream();
  await appendNumbered(stream, 0, 150);
  await appendNumbered(stream, 1000, 20, 'Other');
  await appendNumbered(stream, 150, 150);
  const processor = batchingProjection(name, stream);
  const runner = new ProcessorRunner(pool, store, processor, { owner: 'one', ...fast });
  runner.start();
  await waitFor(async () => (await projectedCounts(name)).size === 300);
  // Live: appends while it runs are batched too.
  for (let i = 0; i < 5; i++) await appendNumbered(stream, 300 + i * 10, 10);
  const head = (await store.readAll(0n, 1_000_000)).at(-1)!.position;
  await waitFor(async () => (await checkpointOf(name)) === head);
  await runner.stop();
  const counts = await projectedCounts(name);
  expect(counts.size).toBe(350);
  expect([...counts.values()].every((c) => c === 1)).toBe(true);
  expect(processor.batches.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(350);
  expect(processor.batches.length).toBeLessThan(350 / 10);
  expect(Math.max(...processor.batches)).toBeLessThanOrEqual(200);
});

it('takes a failing batch again one event at a time: the failing event is parked alone, the others are projected once', async () => {
  const name = `p-${randomUUID()}`;
  const stream = newStream();
  await appendNumbered(stream, 0, 40);
  const parked: string[] = [];
  const processor = batchingProjection(name, stream, 13);
  const runner = new ProcessorRunner(pool, store, processor, { owner: 'one', ...fast, maxAttempts: 2, onDeadLetter: (_p, e) => parked.push(e.id) });
  runner.start();
  await waitFor(async () => (await projectedCounts(name)).size === 39);
  const head = (await store.readStream(stream)).at(-1)!.position;
  await waitFor(async () => (await checkpointOf(name)) >= head);
  await runner.stop();
  const counts = await projectedCounts(name);
  expect(counts.has(13)).toBe(false);
  expect([...counts.values()].every((c) => c === 1)).toBe(true);
  expect(parked).toHaveLength(1);
  const dead = await pool.query('select attempts, last_error from lethe_dead_letters where processor = $1', [name]);
  expect(dead.rows).toEqual([{ attempts: 2, last_error: 'Error: cannot project event 13' }]);
});
