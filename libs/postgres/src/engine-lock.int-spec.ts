// The engine lock on real PostgreSQL: engines share it, an operator command gets it only when no
// engine holds it, an engine booting meanwhile waits for the command, and an engine whose session
// dropped takes it again (and is told) once the command let go.
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { ENGINE_LOCK_CLASS, EnginesRunningError, excludeEngines, holdEngineLock, type HeldEngineLock } from './engine-lock.js';

let db: TestDatabase;
let pool: pg.Pool;
const held: HeldEngineLock[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await Promise.all(held.map((h) => h.release()));
  await pool?.end();
  await db?.drop();
});

const connection = () => ({ connectionString: db.url });

async function holders(): Promise<number[]> {
  const res = await pool.query<{ pid: number }>(
    `select pid from pg_locks where locktype = 'advisory' and granted and classid = $1
        and database = (select oid from pg_database where datname = current_database()) order by pid`,
    [ENGINE_LOCK_CLASS],
  );
  return res.rows.map((r) => r.pid);
}

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('given two engines holding the engine lock', () => {
  it('when an operator command asks for it, then it is refused naming how many hold it; once they stop, it is granted', async () => {
    const a = await holdEngineLock(connection());
    const b = await holdEngineLock(connection());
    held.push(a, b);
    expect(await holders()).toHaveLength(2);

    const refused = await excludeEngines(connection()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(refused).toBeInstanceOf(EnginesRunningError);
    expect((refused as EnginesRunningError).engines).toBe(2);
    expect(refused?.message).toContain('stop every engine instance');
    // The refused command holds nothing.
    expect(await holders()).toHaveLength(2);

    await a.release();
    await b.release();
    const command = await excludeEngines(connection());
    expect(await holders()).toHaveLength(1);
    await command.release();
    expect(await holders()).toHaveLength(0);
  });
});

describe('given an operator command holding the engine lock', () => {
  it('when an engine boots, then it waits until the command lets go, and can be stopped while waiting', async () => {
    const command = await excludeEngines(connection());
    let booted = false;
    const booting = holdEngineLock(connection()).then((lock) => {
      booted = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 600));
    expect(booted).toBe(false);

    // A stop requested during the wait ends it (the checkpoint throws), holding nothing.
    const stopped = await holdEngineLock(connection(), {
      checkpoint: () => {
        throw new Error('stop requested');
      },
    }).then(
      () => 'booted',
      (e: Error) => e.message,
    );
    expect(stopped).toBe('stop requested');

    await command.release();
    const lock = await booting;
    held.push(lock);
    expect(booted).toBe(true);
    expect(await holders()).toHaveLength(1);
    await lock.release();
  });
});

describe('given an engine whose lock session drops', () => {
  it('when the session is ended, then it is told, takes the lock again after any command let go, and is told again', async () => {
    const events: string[] = [];
    let grabbed: Promise<HeldEngineLock> | undefined;
    const lock = await holdEngineLock(connection(), {
      onLost: () => {
        events.push('lost');
        // A command grabs the lock in the gap (the engine tries again a second later): the engine
        // must not get it back before the command is done.
        grabbed = excludeEngines(connection());
      },
      onRestored: () => void events.push('restored'),
    });
    held.push(lock);
    const [pid] = await holders();
    await pool.query('select pg_terminate_backend($1)', [pid]);
    await until(() => grabbed !== undefined, 'the lost session');
    const command = await grabbed!;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(events).toEqual(['lost']);
    await command.release();
    await until(() => events.includes('restored'), 'the lock restored');
    expect(events).toEqual(['lost', 'restored']);
    expect(await holders()).toHaveLength(1);
    expect((await holders())[0]).not.toBe(pid);
    await lock.release();
    expect(await holders()).toHaveLength(0);
  });
});
