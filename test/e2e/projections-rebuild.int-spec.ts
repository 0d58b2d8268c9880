// `lethe projections rebuild` against real PostgreSQL: the read models the live engine projected
// (tenants onboarded, one shredded and certified, a backup, a rejected contract event) are damaged,
// rebuilt by the CLI from the log, and must come back row for row as the engine left them, each
// with its checkpoint at the log's head. While the engine holds the leases, the CLI refuses and
// changes nothing; an unknown --projection is exit 2 naming the valid ones.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresEventStore } from '@lethe/eventstore';
import { rebuildProjections } from '@lethe/processors';
import { readModels, TenantsProjection } from '@lethe/readmodel';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';
import { waitUntil } from '../support/engine-process.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI compiles its TypeScript on the fly: tens of seconds on a loaded 2-core machine. */
const CLI_TIMEOUT_MS = 150_000;

let e: InProcessEngine;
let engineRunning = false;

/**
 * Runs the CLI without blocking this process: the engine under test runs in it, and a blocked event
 * loop would stop its lease heartbeats, so a slow CLI boot would find the leases stale and rightly take
 * them over.
 */
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/lethe.js', 'projections', 'rebuild', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: e.db.url, LETHE_DIRECT_DATABASE_URL: e.db.url, LETHE_LOG_LEVEL: 'warn' },
      timeout: CLI_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Every row of every read model table, in a stable order, as text. */
async function readModelRows(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const model of readModels()) {
    for (const table of model.tables) {
      const res = await e.pool.query<{ row: string }>(`select t::text as row from ${table} t order by 1`);
      out[table] = res.rows.map((r) => r.row);
    }
  }
  return out;
}

async function checkpoints(): Promise<Record<string, string>> {
  const res = await e.pool.query<{ processor: string; position: string }>(`select processor, position from lethe_checkpoints where processor like 'projection:%'`);
  return Object.fromEntries(res.rows.map((r) => [r.processor, r.position]));
}

async function head(): Promise<string> {
  return (await e.pool.query<{ head: string }>('select max(global_position)::text as head from lethe_events')).rows[0].head;
}

let projected: Record<string, string[]>;

beforeAll(async () => {
  e = await startInProcessEngine('2026-12-21T09:00:00Z');
  engineRunning = true;
  const { api, tokens } = e;
  for (const tenantId of ['acme', 'globex', 'initech']) {
    const res = await api('POST', '/v1/tenants', tokens.operator, {
      tenantId,
      jurisdiction: 'GB-ENG',
      keyCustody: 'managed',
      backupKeyMode: 'customer',
      databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }],
    });
    expect(res.status).toBe(201);
  }
  const backup = await api('POST', '/v1/tenants/globex/backups', tokens.operator, {
    backupId: 'nightly-1',
    databaseId: 'db-1',
    kind: 'full',
    coveredFrom: '2026-12-20T00:00:00Z',
    takenAt: '2026-12-21T00:00:00Z',
    expiresAt: '2027-01-21T00:00:00Z',
  });
  expect(backup.status).toBe(201);
  const termination = await api('POST', '/v1/tenants/acme/terminations', tokens['contract-system'], {
    terminationId: 'term-1',
    contractId: 'contract-1',
    effectiveAt: '2026-12-21T10:00:00Z',
    reason: 'contract ended',
  });
  expect(termination.status).toBe(202);
  // An event Lethe refuses (an effective instant out of range), for the rejected-events view.
  await new PostgresEventStore(e.pool).append(
    'contract-initech',
    [{ id: randomUUID(), type: 'ContractTerminated', data: { terminationId: 't-x', contractId: 'c-x', effectiveAt: '9999-12-31T23:59:59Z', reason: 'r' } }],
    'any',
  );
  // A break-glass grant, approved by two approvers, for the grants view.
  const grant = await api('POST', '/v1/break-glass', tokens.operator, { taskRef: 'INC-1', reason: 'a check', scope: { tenantIds: ['globex'], operations: ['probe.read'] }, durationMinutes: 30 });
  expect(grant.status).toBe(201);
  for (const approver of [tokens.approver, tokens['approver-2']]) expect((await api('POST', `/v1/break-glass/${grant.body.grantId}/approvals`, approver)).status).toBe(200);
  await waitUntil(async () => (await api('GET', '/v1/tenants/acme', tokens['ops-reader'])).body?.status === 'shred-scheduled', 10_000, 'the shred scheduled');
  expect((await api('POST', '/v1/admin/clock', tokens.admin, { now: '2027-01-05T12:00:00Z' })).status).toBe(200);
  await waitUntil(async () => (await api('GET', '/v1/tenants/acme', tokens['ops-reader'])).body?.status === 'verified', 20_000, 'the shred verified');
  await waitUntil(async () => (await api('GET', '/v1/tenants/acme/deletion-certificate', tokens['ops-reader'])).status === 200, 20_000, 'the certificate');
  await e.settledEventCount(500);
  const last = await head();
  await waitUntil(async () => Object.values(await checkpoints()).filter((p) => p === last).length === readModels().length, 20_000, 'the projections at the head');
  projected = await readModelRows();
  // The fixture covers every read model table.
  for (const [table, rows] of Object.entries(projected)) expect([table, rows.length > 0]).toEqual([table, true]);
}, 120_000);

afterAll(async () => {
  if (engineRunning) await e.engine.close();
  await e.pool.end();
  await e.db.drop();
});

describe('lethe projections rebuild', () => {
  it('refuses while a running engine holds the projections, and changes nothing', async () => {
    const before = await checkpoints();
    const run = await cli();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/refused: projection:[a-z-]+ is owned by a running engine \(it holds the processor lease\)/);
    expect(await readModelRows()).toEqual(projected);
    expect(await checkpoints()).toEqual(before);
  }, CLI_TIMEOUT_MS);

  it('names the valid projections for an unknown one (exit 2)', async () => {
    const run = await cli('--projection', 'tenant');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown projection: tenant; valid: event-type-counts, tenants, key-rings, rejected-events');
  }, CLI_TIMEOUT_MS);

  it('rebuilds every read model from the log, row for row as the live projections left them', async () => {
    await e.engine.close();
    engineRunning = false;
    await e.pool.query('delete from rm_tenants where tenant_id = $1', ['globex']);
    await e.pool.query(`update rm_shreds set status = 'cancelled'`);
    await e.pool.query('delete from rm_key_versions');
    await e.pool.query('update rm_backups set expires_at = now()');
    await e.pool.query('update rm_event_type_counts set count = count + 7');
    await e.pool.query('delete from rm_rejected_events');
    await e.pool.query(`insert into rm_tenants select 'ghost', status, jurisdiction, time_zone, key_custody, backup_key_mode, shred_grace_working_days, shred, onboarded_at, last_position, state from rm_tenants limit 1`);
    expect(await readModelRows()).not.toEqual(projected);
    const run = await cli();
    expect(run.stderr).not.toContain('failed');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('rebuilt projection:tenants');
    expect(await readModelRows()).toEqual(projected);
    const last = await head();
    expect(await checkpoints()).toEqual(Object.fromEntries(readModels().map((m) => [m.projection.name, last])));
    // The leases were released.
    expect((await e.pool.query(`select 1 from lethe_processor_leases where processor like 'projection:%'`)).rowCount).toBe(0);
  }, CLI_TIMEOUT_MS);

  it('rebuilds only the named projection', async () => {
    await e.pool.query('delete from rm_tenants');
    await e.pool.query('update rm_event_type_counts set count = 0');
    const damagedCounts = (await readModelRows()).rm_event_type_counts;
    const run = await cli('--projection', 'tenants');
    expect(run.status).toBe(0);
    const rows = await readModelRows();
    expect(rows.rm_tenants).toEqual(projected.rm_tenants);
    expect(rows.rm_shreds).toEqual(projected.rm_shreds);
    expect(rows.rm_event_type_counts).toEqual(damagedCounts);
  }, CLI_TIMEOUT_MS);

  it('leaves the same rows when the log is read a few events at a time (batches carry state across pages)', async () => {
    await e.pool.query('delete from rm_tenants');
    await e.pool.query('delete from rm_shreds');
    await e.pool.query('update rm_event_type_counts set count = 0');
    // A transaction per projection is held to the end: a pool of its own, larger than the engine's.
    const pool = new pg.Pool({ connectionString: e.db.url, max: readModels().length + 2 });
    try {
      const result = await rebuildProjections(
        pool,
        new PostgresEventStore(pool),
        readModels().map((m) => ({ projection: m.projection, tables: m.tables })),
        { owner: 'spec', pageSize: 3 },
      );
      expect(result.events).toBe(await e.eventCount());
    } finally {
      await pool.end();
    }
    expect(await readModelRows()).toEqual(projected);
  });

  it('leaves the same rows when the tenants rebuild holds fewer tenants than the log has (it writes and forgets them, and reads them back)', async () => {
    await e.pool.query('delete from rm_tenants');
    await e.pool.query('delete from rm_shreds');
    const pool = new pg.Pool({ connectionString: e.db.url, max: 4 });
    try {
      const result = await rebuildProjections(pool, new PostgresEventStore(pool), [{ projection: new TenantsProjection({ rebuildHeldTenants: 1 }), tables: ['rm_tenants', 'rm_shreds'] }], {
        owner: 'spec',
        pageSize: 2,
      });
      expect(result.projections[0].handled).toBeGreaterThan(3);
    } finally {
      await pool.end();
    }
    const rows = await readModelRows();
    expect(rows.rm_tenants).toEqual(projected.rm_tenants);
    expect(rows.rm_shreds).toEqual(projected.rm_shreds);
  });
});
