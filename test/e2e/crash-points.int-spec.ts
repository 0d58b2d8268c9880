/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Kill -9 between two steps of onboarding, termination, cancel and retirement; after a restart the
// outcome equals an uninterrupted run. Each crash point (LETHE_CRASH_AT, libs/lifecycle/src/crash-points.ts)
// kills the engine process with SIGKILL at that step; a reference tenant goes through the same
// requests on an engine that is not killed, and the two are compared.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { listeningUrl, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';
import { apiClient } from '../support/http-client.js';

const tokens = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  contract: `cs-${randomBytes(12).toString('hex')}`,
  admin: `ad-${randomBytes(12).toString('hex')}`,
  reader: `or-${randomBytes(12).toString('hex')}`,
};
const START = '2027-03-01T09:00:00.000Z';

let db: TestDatabase;
let pool: pg.Pool;
let dataDir: string;
const engines: EngineProcess[] = [];
let now = START;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  dataDir = mkdtempSync(join(tmpdir(), 'lethe-crash-points-'));
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  await pool?.end();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Starts an engine (optionally set to die at `crashAt`) at the test's current manual time. */
async function boot(crashAt?: string) {
  const engine = spawnEngine({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_INSTANCE_ID: crashAt ? `crash-${crashAt.replace(/:/g, '-')}` : 'survivor',
    LETHE_DATA_DIR: dataDir,
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: now,
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_TOKENS: `operator:${tokens.operator},contract-system:${tokens.contract},admin:${tokens.admin},ops-reader:${tokens.reader}`,
    ...(crashAt ? { LETHE_CRASH_AT: crashAt } : {}),
  });
  engines.push(engine);
  const api = apiClient(await listeningUrl(engine));
  return {
    engine,
    api,
    setClock: async (to: string) => {
      now = to;
      return api('POST', '/v1/admin/clock', tokens.admin, { now: to });
    },
  };
}

/** The request the engine dies in: it never answers, and the process ends by SIGKILL. */
async function diesIn(engine: EngineProcess, request: () => Promise<unknown>): Promise<void> {
  await expect(request()).rejects.toThrow();
  const { signal } = await engine.exited;
  expect(signal).toBe('SIGKILL');
}

const onboardBody = (tenantId: string) => ({
  tenantId,
  jurisdiction: 'DE-BY',
  keyCustody: 'managed',
  backupKeyMode: 'customer',
  databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }],
  rotationPeriodDays: 365,
});
const termination = { terminationId: 'term-1', contractId: 'c-1', effectiveAt: START };

async function streamTypes(stream: string): Promise<string[]> {
  const r = await pool.query('select event_type from lethe_events where stream_id = $1 order by stream_revision', [stream]);
  return r.rows.map((x) => x.event_type);
}

/** What a tenant's run comes to, without ids and instants that differ between two tenants. */
async function outcomeOf(api: ReturnType<typeof apiClient>, tenantId: string) {
  const tenant = await api('GET', `/v1/tenants/${tenantId}`, tokens.reader);
  const keys = await api('GET', `/v1/tenants/${tenantId}/keys`, tokens.reader);
  const vault = await pool.query(
    `select v.state from vault_key_versions v join vault_keys k using (key_id) where k.tenant_id = $1 order by v.created_at`,
    [tenantId],
  );
  const timers = await pool.query(`select kind, status from lethe_deadlines where payload->>'tenantId' = $1 order by kind, status`, [tenantId]);
  return {
    status: tenant.body.status,
    shredStatus: tenant.body.shred?.status ?? null,
    databases: tenant.body.databases,
    shred: tenant.body.shred && { deadline: tenant.body.shred.deadline, executeAt: tenant.body.shred.executeAt, cancelledAt: tenant.body.shred.cancelledAt !== null },
    versions: keys.status === 200 ? keys.body.versions.map((v: any) => `${v.source}:${v.status}`) : keys.status,
    vault: vault.rows.map((r) => r.state),
    tenantEvents: await streamTypes(`tenant-${tenantId}`),
    keyRingEvents: (await streamTypes(`keys-${tenantId}`)).filter((t) => t !== 'KeyRotationDue'),
    // A clock move past both executeAt and the deadline makes the shred's step and its deadline due
    // together: the deadline either fires (finding the shred done: no event) or is cancelled by the
    // verification first, by claim order. The tenant's events tell a breach apart; the timer cannot.
    timers: timers.rows.map((r) => (r.kind === 'shred-deadline' && ['fired', 'cancelled'].includes(r.status) ? 'shred-deadline:fired or cancelled' : `${r.kind}:${r.status}`)).sort(),
  };
}

async function settled(api: ReturnType<typeof apiClient>): Promise<void> {
  await waitUntil(
    async () => {
      const head = await pool.query<{ p: string | null }>('select max(global_position)::text as p from lethe_events');
      const behind = await pool.query('select 1 from lethe_checkpoints where position < $1', [head.rows[0].p ?? '0']);
      const due = await pool.query(`select 1 from lethe_deadlines where status = 'pending' and coalesce(next_attempt_at, due_at) <= $1`, [now]);
      return behind.rowCount === 0 && due.rowCount === 0;
    },
    30_000,
    'processors and due timers to settle',
  );
  void api;
}

const DAY_MS = 86_400_000;
const plusDays = (iso: string, days: number) => new Date(new Date(iso).getTime() + days * DAY_MS).toISOString();

describe('kill -9 between two steps, then a restart: the outcome equals an uninterrupted run', () => {
  it('onboarding (tenant recorded; key created), termination (contract recorded), cancel (recorded)', async () => {
    // Onboarding cut after the tenant is recorded, and after the key is created.
    let e = await boot('onboard:tenant-recorded');
    await diesIn(e.engine, () => e.api('POST', '/v1/tenants', tokens.operator, onboardBody('crash-a')));
    e = await boot('onboard:key-created');
    await diesIn(e.engine, () => e.api('POST', '/v1/tenants', tokens.operator, onboardBody('crash-b')));

    // A termination cut after it is in the contract stream, before the tenant decided on it.
    e = await boot('terminate:contract-recorded');
    expect((await e.api('POST', '/v1/tenants', tokens.operator, onboardBody('crash-c'))).status).toBe(201);
    await diesIn(e.engine, () => e.api('POST', '/v1/tenants/crash-c/terminations', tokens.contract, termination));

    // A cancel cut after it is recorded, before the shred's timers are cancelled.
    e = await boot('cancel:recorded');
    expect((await e.api('POST', '/v1/tenants', tokens.operator, onboardBody('crash-d'))).status).toBe(201);
    expect((await e.api('POST', '/v1/tenants/crash-d/terminations', tokens.contract, termination)).status).toBe(202);
    await diesIn(e.engine, () => e.api('POST', '/v1/tenants/crash-d/shred/cancel', tokens.operator, { reason: 'renewed' }));

    // The survivor resumes what was cut short; the reference tenants make the same requests, uncut, at the same time.
    const s = await boot();
    await settled(s.api);
    expect((await s.api('POST', '/v1/tenants', tokens.operator, onboardBody('ref-onboard'))).status).toBe(201);
    expect((await s.api('POST', '/v1/tenants', tokens.operator, onboardBody('ref-terminate'))).status).toBe(201);
    expect((await s.api('POST', '/v1/tenants/ref-terminate/terminations', tokens.contract, termination)).status).toBe(202);
    expect((await s.api('POST', '/v1/tenants', tokens.operator, onboardBody('ref-cancel'))).status).toBe(201);
    expect((await s.api('POST', '/v1/tenants/ref-cancel/terminations', tokens.contract, termination)).status).toBe(202);
    expect((await s.api('POST', '/v1/tenants/ref-cancel/shred/cancel', tokens.operator, { reason: 'renewed' })).status).toBe(200);
    await settled(s.api);
    // Past every executeAt and deadline.
    await s.setClock(plusDays(START, 12));
    await settled(s.api);

    const ref = {
      onboard: await outcomeOf(s.api, 'ref-onboard'),
      terminate: await outcomeOf(s.api, 'ref-terminate'),
      cancel: await outcomeOf(s.api, 'ref-cancel'),
    };
    expect(ref.onboard.keyRingEvents[0]).toBe('KeyRingOpened');
    expect(ref.terminate.status).toBe('verified');
    expect(ref.cancel.status).toBe('active');
    expect(ref.cancel.shredStatus).toBe('cancelled');
    expect(ref.cancel.vault).toEqual(['enabled']);

    expect(await outcomeOf(s.api, 'crash-a')).toEqual(ref.onboard);
    expect(await outcomeOf(s.api, 'crash-b')).toEqual(ref.onboard);
    expect(await outcomeOf(s.api, 'crash-c')).toEqual(ref.terminate);
    expect(await outcomeOf(s.api, 'crash-d')).toEqual(ref.cancel);
    s.engine.kill('SIGTERM');
    await s.engine.exited;
  }, 240_000);

  it('retirement and destruction after the grace (each recorded, the vault not yet called): the superseded version ends disabled, then destroyed, once', async () => {
    let e = await boot();
    expect((await e.api('POST', '/v1/tenants', tokens.operator, onboardBody('crash-e'))).status).toBe(201);
    expect((await e.api('POST', '/v1/tenants/crash-e/keys/rotate', tokens.operator)).status).toBe(202);
    await settled(e.api);
    e.engine.kill('SIGTERM');
    await e.engine.exited;
    // Past the superseded version's retention: its retirement timer fires, and the engine dies in it.
    const rotatedAt = now;
    e = await boot('retire:recorded');
    void e.setClock(plusDays(rotatedAt, 40)).catch(() => undefined);
    expect((await e.engine.exited).signal).toBe('SIGKILL');
    let s = await boot();
    await s.setClock(plusDays(rotatedAt, 40));
    await settled(s.api);
    // What an uninterrupted retirement comes to: retired in the ring, disabled in the vault, recorded once.
    let outcome = await outcomeOf(s.api, 'crash-e');
    expect(outcome.versions).toEqual(['onboarding:retired', 'manual:active']);
    expect(outcome.vault).toEqual(['disabled', 'enabled']);
    s.engine.kill('SIGTERM');
    await s.engine.exited;
    // Past its grace (7 days): its destruction timer fires, and the engine dies in it.
    e = await boot('destroy:recorded');
    void e.setClock(plusDays(rotatedAt, 48)).catch(() => undefined);
    expect((await e.engine.exited).signal).toBe('SIGKILL');
    s = await boot();
    await s.setClock(plusDays(rotatedAt, 48));
    await settled(s.api);
    outcome = await outcomeOf(s.api, 'crash-e');
    // What an uninterrupted destruction comes to: destroyed in the ring and the vault, each recorded once.
    expect(outcome.versions).toEqual(['onboarding:destroyed', 'manual:active']);
    expect(outcome.vault).toEqual(['destroyed', 'enabled']);
    expect(outcome.keyRingEvents.filter((t) => t === 'KeyVersionRetired')).toHaveLength(1);
    expect(outcome.keyRingEvents.filter((t) => t === 'KeyVersionDestroyed')).toHaveLength(1);
    s.engine.kill('SIGTERM');
    await s.engine.exited;
  }, 240_000);
});
