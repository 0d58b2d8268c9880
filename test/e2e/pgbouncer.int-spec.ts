// The engine behind a real PgBouncer in transaction mode (4 server connections), as managed
// PostgreSQL offerings put it: DATABASE_URL on the pooler, LETHE_DIRECT_DATABASE_URL straight to
// PostgreSQL for what needs a session (processor leases, LISTEN, the migration lock). A shred runs
// from termination to verified with no 5xx; a normal restart brings every processor back; a kill -9
// hands every processor to the standby; and with no direct connection the engine refuses to start.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  createTestDatabase,
  PGBOUNCER_INSTALL_HINT,
  pgbouncerPath,
  reportIdleError,
  startPgBouncer,
  type PgBouncer,
  type TestDatabase,
} from '@lethe/testing';
import { ENGINE_BOOT_TIMEOUT_MS, listeningUrl, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';
import { apiClient, type ApiResponse } from '../support/http-client.js';

const HAVE_PGBOUNCER = pgbouncerPath() !== undefined;
if (!HAVE_PGBOUNCER) console.warn(`test/e2e/pgbouncer.int-spec.ts: pgbouncer not found, SKIPPED: ${PGBOUNCER_INSTALL_HINT}`);
// Without pgbouncer these tests show as skipped in the summary, never as passed.
const describeWithPgBouncer = HAVE_PGBOUNCER ? describe : describe.skip;

const TOKENS = {
  operator: `op-${randomBytes(16).toString('hex')}`,
  contract: `cs-${randomBytes(16).toString('hex')}`,
  admin: `ad-${randomBytes(16).toString('hex')}`,
  reader: `rd-${randomBytes(16).toString('hex')}`,
};
// One database for every engine here, so one master key.
const MASTER_KEY = randomBytes(32).toString('base64');
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What a transaction-mode pooler breaks first: a named statement meeting another client's on a shared server session. */
const SESSION_STATE_FAILURE = /prepared statement/i;

describeWithPgBouncer('behind PgBouncer in transaction mode', () => {
  let db: TestDatabase;
  let bouncer: PgBouncer;
  /** Straight to PostgreSQL: the test's own look at leases and deadlines. */
  let pool: pg.Pool;
  let dataDir: string;
  const engines: EngineProcess[] = [];
  const responses: ApiResponse[] = [];
  /** How long each engine here took from spawn to listening (compiling included): the measure of "quickly". */
  const bootMs: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    bouncer = await startPgBouncer({ poolMode: 'transaction', poolSize: 4 });
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', reportIdleError);
    dataDir = mkdtempSync(join(tmpdir(), 'lethe-pgbouncer-e2e-'));
  });

  afterAll(async () => {
    for (const e of engines) e.kill('SIGKILL');
    await Promise.all(engines.map((e) => e.exited));
    await bouncer?.stop();
    await pool?.end();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** The settings of every engine here: only the database URLs and the instance id vary. */
  function spawn(instance: string, urls: { DATABASE_URL: string; LETHE_DIRECT_DATABASE_URL?: string }): EngineProcess {
    const engine = spawnEngine({
      ...urls,
      PORT: '0',
      LETHE_INSTANCE_ID: instance,
      LETHE_DATA_DIR: dataDir,
      LETHE_CLOCK: 'manual',
      LETHE_CLOCK_START: '2026-12-21T09:00:00Z',
      LETHE_DEADLINE_POLL_MS: '100',
      LETHE_MASTER_KEY: MASTER_KEY,
      LETHE_TOKENS: `operator:${TOKENS.operator},contract-system:${TOKENS.contract},admin:${TOKENS.admin},ops-reader:${TOKENS.reader}`,
    });
    engines.push(engine);
    return engine;
  }

  interface Running {
    readonly engine: EngineProcess;
    readonly instance: string;
    readonly api: ReturnType<typeof apiClient>;
  }

  function stderrOf(engine: EngineProcess): () => string {
    let text = '';
    engine.child.stderr?.on('data', (d) => (text += String(d)));
    return () => text;
  }

  /** An engine on the pooler, with its sessions on the direct connection; resolves once it listens. */
  async function start(instance: string): Promise<Running> {
    const startedAt = Date.now();
    const engine = spawn(instance, { DATABASE_URL: bouncer.urlOf(db.url), LETHE_DIRECT_DATABASE_URL: db.url });
    const url = await listeningUrl(engine, instance);
    bootMs.push(Date.now() - startedAt);
    const client = apiClient(url);
    // Every answer is kept for the no-5xx check but /readyz's: its 503 while an instance starts or
    // stands by is the readiness it reports, not a failure.
    const api: typeof client = async (method, path, ...rest) => {
      const response = await client(method, path, ...rest);
      if (path !== '/readyz') responses.push(response);
      return response;
    };
    return { engine, instance, api };
  }

  /** The processors an engine runs, and the state of each (from /readyz). */
  async function processorStates(running: Running): Promise<Record<string, string>> {
    const ready = await running.api('GET', '/readyz');
    const entries = Object.entries((ready.body?.details?.processors ?? {}) as Record<string, unknown>);
    // Besides one entry per processor, the check carries its status and the lag bound.
    return Object.fromEntries(
      entries.flatMap(([name, p]) => (typeof p === 'object' && p !== null && 'state' in p ? [[name, String(p.state)]] : [])),
    );
  }

  async function leaseOwners(): Promise<Record<string, string>> {
    const res = await pool.query<{ processor: string; owner: string }>('select processor, owner from lethe_processor_leases');
    return Object.fromEntries(res.rows.map((r) => [r.processor, r.owner]));
  }

  /** Advisory locks held in this database, by anyone (PgBouncer's server sessions included). */
  async function advisoryLocks(): Promise<number> {
    const res = await pool.query<{ n: string }>(
      `select count(*) as n from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`,
    );
    return Number(res.rows[0].n);
  }

  /** Every processor runs on `running` and its lease row names it. */
  async function ownsEveryProcessor(running: Running): Promise<boolean> {
    const states = await processorStates(running).catch(() => ({}) as Record<string, string>);
    const names = Object.keys(states);
    if (names.length === 0 || names.some((n) => states[n] !== 'running-here')) return false;
    const owners = await leaseOwners();
    return names.every((n) => owners[n] === running.instance);
  }

  /** Onboards a tenant, reports its termination, moves the clock past executeAt: verified and listed. */
  async function shredEndToEnd(running: Running, tenantId: string, effectiveAt: string): Promise<void> {
    const { api } = running;
    const onboarded = await api('POST', '/v1/tenants', TOKENS.operator, {
      tenantId,
      jurisdiction: 'GB-ENG',
      keyCustody: 'managed',
      backupKeyMode: 'platform',
      databases: [{ databaseId: 'db-1' }],
    });
    expect(onboarded.status).toBe(201);
    const terminated = await api('POST', `/v1/tenants/${tenantId}/terminations`, TOKENS.contract, {
      terminationId: `term-${tenantId}`,
      contractId: `contract-${tenantId}`,
      effectiveAt,
    });
    expect(terminated.status).toBe(202);
    expect(terminated.body).toMatchObject({ outcome: 'scheduled', shredId: `termination:term-${tenantId}` });
    // The shred's timer exists once its processor has handled ShredScheduled.
    await waitUntil(
      async () =>
        (await pool.query(`select 1 from lethe_deadlines where kind = 'shred-step' and status = 'pending' and payload->>'tenantId' = $1`, [tenantId]))
          .rowCount === 1,
      15_000,
      `the shred timer of ${tenantId}`,
    );
    const after = new Date(Date.parse(terminated.body.executeAt) + 60_000).toISOString();
    expect((await api('POST', '/v1/admin/clock', TOKENS.admin, { now: after })).status).toBe(200);
    let view: ApiResponse | undefined;
    await waitUntil(
      async () => (view = await api('GET', `/v1/tenants/${tenantId}`, TOKENS.reader)).body?.status === 'verified',
      20_000,
      `${tenantId} to become verified (is ${view?.body?.status})`,
    );
    expect(view!.body.shred).toMatchObject({ shredId: `termination:term-${tenantId}`, status: 'verified', breaches: [] });
    let listed: { tenantId: string; status: string }[] = [];
    await waitUntil(
      async () => (listed = (await api('GET', '/v1/shreds?status=verified', TOKENS.reader)).body?.items ?? []).some((shred: { tenantId: string }) => shred.tenantId === tenantId),
      10_000,
      `${tenantId} in /v1/shreds?status=verified`,
    );
    expect(listed.find((s) => s.tenantId === tenantId)).toMatchObject({ status: 'verified' });
  }

  /** No answer was a 5xx, and no engine logged one or a failure of session state. */
  function expectNoServerErrors(): void {
    expect(responses.filter((r) => r.status >= 500).map((r) => `${r.status} ${r.text}`)).toEqual([]);
    for (const engine of engines) {
      const output = engine.output();
      expect(output).not.toMatch(/"status":5\d\d/);
      expect(output).not.toMatch(SESSION_STATE_FAILURE);
    }
  }

  let first: Running;

  it('runs a shred from termination to verified, with no 5xx and no session state on the pooler', async () => {
    first = await start('bouncer-a');
    await waitUntil(() => ownsEveryProcessor(first), 30_000, 'bouncer-a to run every processor');
    // The pooler was told apart from a direct connection: no statement is prepared through it.
    expect(first.engine.output()).toMatch(/"preparedStatements":false/);
    // Effective Wed 23 Dec 2026 (London): executeAt is the end of Tue 29 Dec, two working days on.
    await shredEndToEnd(first, 'bounce-one', '2026-12-23T17:00:00Z');
    const events = await pool.query<{ event_type: string }>(`select event_type from lethe_events where stream_id = 'tenant-bounce-one' order by stream_revision`);
    expect(events.rows.map((r) => r.event_type)).toEqual(expect.arrayContaining(['ShredScheduled', 'KeyDestroyed', 'ShredVerified']));
    expectNoServerErrors();
  }, 3 * ENGINE_BOOT_TIMEOUT_MS);

  it('after a normal restart runs every processor again, and handles a new termination', async () => {
    first.engine.kill('SIGTERM');
    expect((await first.engine.exited).code).toBe(0);
    // A stop releases every lease, and with no engine left no lock is held: none stayed behind on
    // a server session PgBouncer keeps open (where the next instance could not take it).
    expect(await leaseOwners()).toEqual({});
    expect(await advisoryLocks()).toBe(0);
    first = await start('bouncer-a');
    await waitUntil(() => ownsEveryProcessor(first), 20_000, 'the restarted bouncer-a to run every processor');
    await shredEndToEnd(first, 'bounce-two', '2027-01-04T09:00:00Z');
    expectNoServerErrors();
  }, 3 * ENGINE_BOOT_TIMEOUT_MS);

  it('hands every processor to the standby within the lease bound when the owner is killed -9, and work goes on', async () => {
    const standby = await start('bouncer-b');
    await waitUntil(async () => Object.values(await processorStates(standby)).every((s) => s === 'owned-elsewhere'), 20_000, 'bouncer-b to stand by');
    expect(Object.keys(await processorStates(standby)).length).toBeGreaterThan(0);
    expect(await ownsEveryProcessor(first)).toBe(true);
    const killedAt = Date.now();
    first.engine.kill('SIGKILL');
    expect((await first.engine.exited).signal).toBe('SIGKILL');
    await waitUntil(() => ownsEveryProcessor(standby), 20_000, 'bouncer-b to own every processor');
    const takeoverMs = Date.now() - killedAt;
    console.log(`[pgbouncer] standby owned every processor ${takeoverMs} ms after the owner's kill -9`);
    // The kill closed the owner's direct connections, and its locks went with them: the standby took
    // over on its next try, well before a heartbeat would have counted as stale (15 s).
    expect(takeoverMs).toBeLessThan(10_000);
    await shredEndToEnd(standby, 'bounce-three', '2027-01-11T09:00:00Z');
    expectNoServerErrors();
  }, 3 * ENGINE_BOOT_TIMEOUT_MS);

  it('refuses to start with DATABASE_URL on the pooler and no LETHE_DIRECT_DATABASE_URL, naming both', async () => {
    const startedAt = Date.now();
    const engine = spawn('bouncer-no-direct', { DATABASE_URL: bouncer.urlOf(db.url) });
    const stderr = stderrOf(engine);
    const { code } = await engine.exited;
    const refusalMs = Date.now() - startedAt;
    expect(code).toBe(2);
    // Not stuck on the pooler: no slower than twice the slowest whole boot here (both are mostly
    // compiling the engine, which varies a lot on a loaded machine).
    console.log(`[pgbouncer] refused after ${refusalMs} ms; boots to listening took ${bootMs.join(', ')} ms`);
    expect(refusalMs).toBeLessThan(2 * Math.max(10_000, ...bootMs));
    const refusal = stderr();
    expect(refusal).toMatch(/Lethe refuses to start: .*transaction-mode pooler/);
    expect(refusal).toContain('DATABASE_URL reaches PostgreSQL through a transaction-mode pooler');
    expect(refusal).toContain('set LETHE_DIRECT_DATABASE_URL to a direct connection');
  }, ENGINE_BOOT_TIMEOUT_MS);

  it('`lethe migrate` refuses the pooler as the engine does, and leaves no migration lock behind', async () => {
    const cli = spawnSync(process.execPath, ['bin/lethe.js', 'migrate'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: bouncer.urlOf(db.url), LETHE_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: ENGINE_BOOT_TIMEOUT_MS,
    });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain('DATABASE_URL reaches PostgreSQL through a transaction-mode pooler');
    expect(cli.stderr).toContain('LETHE_DIRECT_DATABASE_URL');
    // The migration lock (key 4242001) is on no session, pooled or not (engines of the tests above may hold their leases).
    // pg_locks spans the server and other suites migrate their own databases meanwhile: this database only.
    const lock = await pool.query(
      `select 1 from pg_locks where locktype = 'advisory' and classid = 0 and objid = 4242001
          and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(lock.rowCount).toBe(0);
  }, ENGINE_BOOT_TIMEOUT_MS);

  it('refuses to start with LETHE_DIRECT_DATABASE_URL on the pooler, naming it', async () => {
    const engine = spawn('bouncer-direct-pooled', { DATABASE_URL: db.url, LETHE_DIRECT_DATABASE_URL: bouncer.urlOf(db.url) });
    const stderr = stderrOf(engine);
    const { code } = await engine.exited;
    expect(code).toBe(2);
    expect(stderr()).toContain('Lethe refuses to start: LETHE_DIRECT_DATABASE_URL reaches PostgreSQL through a transaction-mode pooler');
  }, ENGINE_BOOT_TIMEOUT_MS);
});
