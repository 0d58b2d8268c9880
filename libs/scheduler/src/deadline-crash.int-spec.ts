// Durability across kill -9: two real processes poll one table; one is SIGKILLed while it is inside
// a handler. While it lives, its renewals keep the claim; once killed, its claim expires and the
// survivor takes the deadline over after the lease, and every deadline's effect exists exactly once.
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SystemClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { PostgresDeadlineStore, schedulerMigrations } from './index.js';

const FIXTURE = fileURLToPath(new URL('../test-support/poller-child.fixture.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VICTIM = 'crash-victim';
const LEASE_MS = 1500;

interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly output: string[];
  readonly exited: Promise<NodeJS.Signals | number | null>;
}

let db: TestDatabase;
let pool: pg.Pool;
const children: Child[] = [];

function startChild(hangOnVictim: boolean): Child {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', FIXTURE], {
    cwd: REPO_ROOT,
    env: {
      ...env,
      LETHE_FIXTURE_DB_URL: db.url,
      LETHE_FIXTURE_VICTIM_ID: VICTIM,
      LETHE_FIXTURE_HANG_ON_VICTIM: hangOnVictim ? '1' : '0',
      LETHE_FIXTURE_HANDLER_DELAY_MS: '15',
      LETHE_FIXTURE_LEASE_MS: String(LEASE_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  if (child.pid === undefined) throw new Error('could not spawn the poller child');
  const handle = { process: child, pid: child.pid, output, exited };
  children.push(handle);
  return handle;
}

/** Polls until check() is truthy; fails with a description (and the children's output) after timeoutMs. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) {
      const logs = children.map((c) => `--- child ${c.pid}:\n${c.output.join('')}`).join('\n');
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function count(sql: string, values: unknown[] = []): Promise<number> {
  const r = await pool.query<{ n: number }>(sql, values);
  return r.rows[0]!.n;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...schedulerMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  pool.on('error', reportIdleError);
  await pool.query(
    `create table handler_started (seq bigserial primary key, deadline_id text not null, pid int not null, started_at timestamptz not null default clock_timestamp())`,
  );
  await pool.query(`create table fired_log (seq bigserial primary key, deadline_id text not null, pid int not null)`);
});

afterAll(async () => {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  }
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise((resolve) => (timer = setTimeout(resolve, 5000)));
  await Promise.race([Promise.all(children.map((c) => c.exited)), bound]);
  clearTimeout(timer);
  await pool?.end();
  await db?.drop();
});

it('a deadline whose instance is killed -9 mid-handler is taken over by the survivor after the lease, every effect exactly once', async () => {
  const clock = new SystemClock();
  const store = new PostgresDeadlineStore(pool, clock);
  const base = new Date(clock.now().getTime() - 3_600_000); // all due already
  const at = (offsetMs: number) => new Date(base.getTime() + offsetMs);
  // Due order: early-00..09, then the victim, then late-00..29. The first instance fires the early
  // ones, then claims the victim and hangs in its handler.
  const early = Array.from({ length: 10 }, (_, i) => `early-${String(i).padStart(2, '0')}`);
  const late = Array.from({ length: 30 }, (_, i) => `late-${String(i).padStart(2, '0')}`);
  for (const [i, id] of early.entries()) await store.schedule(id, at(i), 'crash', { i });
  await store.schedule(VICTIM, at(100), 'crash', { victim: true });
  for (const [i, id] of late.entries()) await store.schedule(id, at(200 + i), 'crash', { i });
  const all = [...early, VICTIM, ...late];

  const doomed = startChild(true);
  await waitFor('the first instance to be inside the victim handler', async () =>
    (await count('select count(*)::int as n from handler_started where deadline_id = $1 and pid = $2', [VICTIM, doomed.pid])) > 0,
  );
  expect((await store.get(VICTIM))!.status).toBe('pending'); // claimed, not fired

  const survivor = startChild(false);
  // The survivor works around the claimed victim while the first instance still holds it.
  await waitFor('the survivor to fire deadlines while the victim is held', async () =>
    (await count('select count(*)::int as n from fired_log where pid = $1', [survivor.pid])) >= 3,
  );
  // For more than two leases the living owner's renewals keep its claim: nobody else runs the victim.
  await new Promise((resolve) => setTimeout(resolve, 2 * LEASE_MS + 500));
  const held = await pool.query<{ claimed_by: string; live: boolean }>(
    'select claimed_by, claimed_until > now() as live from lethe_deadlines where id = $1',
    [VICTIM],
  );
  expect(held.rows[0]).toEqual({ claimed_by: `child-${doomed.pid}`, live: true });
  expect(await count('select count(*)::int as n from handler_started where deadline_id = $1', [VICTIM])).toBe(1);

  // The lease as the doomed instance last renewed it: nobody may take the victim over before it ends.
  const leaseEnd = (await pool.query<{ claimed_until: Date }>('select claimed_until from lethe_deadlines where id = $1', [VICTIM])).rows[0]!.claimed_until;
  doomed.process.kill('SIGKILL');
  expect(await doomed.exited).toBe('SIGKILL');
  const killedAt = (await pool.query<{ now: Date }>('select now()')).rows[0]!.now;

  await waitFor('every deadline to be fired', async () => (await store.countByStatus()).pending === 0);
  const counts = await store.countByStatus();
  expect(counts).toEqual({ pending: 0, fired: all.length, cancelled: 0, failed: 0 });

  // The victim: started by the killed instance, then by the survivor once the lease ran out; the
  // lost run counts as a failed attempt.
  const victim = await store.get(VICTIM);
  expect(victim).toMatchObject({ status: 'fired', attempts: 1, lastError: expect.stringMatching(/^DeadlineClaimExpiredError: /) });
  const victimStarts = await pool.query<{ pid: number; started_at: Date }>(
    'select pid, started_at from handler_started where deadline_id = $1 order by seq',
    [VICTIM],
  );
  expect(victimStarts.rows.map((r) => r.pid)).toEqual([doomed.pid, survivor.pid]);
  // The takeover came after the kill, and not before the lease the doomed instance last renewed ran
  // out. (How long before the kill that renewal was depends on the machine's load: renewals are due
  // every third of a lease, but a loaded machine delays them.)
  expect(victimStarts.rows[1]!.started_at.getTime()).toBeGreaterThan(killedAt.getTime());
  expect(victimStarts.rows[1]!.started_at.getTime()).toBeGreaterThanOrEqual(leaseEnd.getTime());

  // Effects: exactly one per deadline; the killed instance never wrote the victim's.
  const log = await pool.query<{ deadline_id: string; pid: number }>('select deadline_id, pid from fired_log order by deadline_id');
  expect(log.rows.map((r) => r.deadline_id)).toEqual([...all].sort());
  expect(log.rows.find((r) => r.deadline_id === VICTIM)!.pid).toBe(survivor.pid);
  const byPid = new Set(log.rows.map((r) => r.pid));
  expect(byPid).toEqual(new Set([doomed.pid, survivor.pid])); // both instances really fired deadlines
  for (const id of early) expect(log.rows.find((r) => r.deadline_id === id)!.pid).toBe(doomed.pid);

  // Without a crash, a claim is exclusive: every other handler ran exactly once.
  const starts = await pool.query<{ deadline_id: string; n: number }>(
    'select deadline_id, count(*)::int as n from handler_started where deadline_id <> $1 group by deadline_id',
    [VICTIM],
  );
  expect(starts.rows).toHaveLength(all.length - 1);
  expect(starts.rows.every((r) => r.n === 1)).toBe(true);
  const claims = await count('select count(*)::int as n from lethe_deadlines where claim_token is not null');
  expect(claims).toBe(0);
});
