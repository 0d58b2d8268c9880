// The engine under an ordinary role, as docs/postgresql.md says it needs: no superuser, no CREATEDB,
// no CREATEROLE, owner of its database (or CREATE on its schema). Boot, migrations, HTTP writes and
// reads, processors, deadlines, and the takeover of a stale lease (ending the hung holder's session,
// which is the same role's) all work; without CREATE on the schema it refuses to start, saying what
// the role lacks.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';
import { apiClient } from '../support/http-client.js';

const SUFFIX = randomBytes(4).toString('hex');
const ROLE = `lethe_app_${SUFFIX}`;
const ROLE_PASSWORD = randomBytes(16).toString('hex');
/** Owned by ROLE; owned by the admin with CREATE on public granted to ROLE; owned by the admin, no CREATE. */
const OWNED_DB = `lethe_priv_owned_${SUFFIX}`;
const GRANTED_DB = `lethe_priv_granted_${SUFFIX}`;
const NO_CREATE_DB = `lethe_priv_nocreate_${SUFFIX}`;
const TOKENS = {
  op: randomBytes(16).toString('hex'),
  reader: randomBytes(16).toString('hex'),
  cs: randomBytes(16).toString('hex'),
};
const PROCESSOR_ROLES = 'processors,poller';

let admin: pg.Client;
const engines: EngineProcess[] = [];
const tempDirs: string[] = [];

function adminUrl(database?: string): string {
  const url = new URL(process.env.LETHE_TEST_ADMIN_URL!);
  if (database) url.pathname = `/${database}`;
  return url.toString();
}

/** The URL of `database` as the engine's role. */
function roleUrl(database: string): string {
  const url = new URL(adminUrl(database));
  url.username = ROLE;
  url.password = ROLE_PASSWORD;
  return url.toString();
}

async function asAdminOn<T>(database: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl(database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function spawn(instance: string, database: string, env: Record<string, string> = {}): EngineProcess & { stderr(): string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'lethe-priv-'));
  tempDirs.push(dataDir);
  const engine = spawnEngine({
    DATABASE_URL: roleUrl(database),
    PORT: '0',
    LETHE_INSTANCE_ID: instance,
    LETHE_DATA_DIR: dataDir,
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: '2027-01-04T09:00:00.000Z',
    LETHE_MASTER_KEY: MASTER_KEY,
    LETHE_TOKENS: `operator:${TOKENS.op},ops-reader:${TOKENS.reader},contract-system:${TOKENS.cs}`,
    ...env,
  });
  engines.push(engine);
  let stderr = '';
  engine.child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  return Object.assign(engine, { stderr: () => stderr });
}

// One master key for every engine here: the two instances on OWNED_DB share it.
const MASTER_KEY = randomBytes(32).toString('base64');

/** Waits until the engine listens and /readyz answers 200; its URL. */
async function ready(engine: EngineProcess): Promise<string> {
  let url: string | undefined;
  await waitUntil(() => (url = /listening on (http:\/\/\S+)/.exec(engine.output())?.[1]) !== undefined || engine.child.exitCode !== null, 90_000, 'the engine to listen');
  if (!url) throw new Error(`the engine did not start:\n${engine.output()}`);
  await waitUntil(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 30_000, '/readyz to answer 200');
  return url;
}

async function stop(engine: EngineProcess): Promise<void> {
  engine.kill('SIGTERM');
  expect((await engine.exited).code).toBe(0);
}

async function leaseOwners(): Promise<Map<string, string>> {
  const rows = await asAdminOn(OWNED_DB, (c) => c.query<{ processor: string; owner: string }>('select processor, owner from lethe_processor_leases'));
  return new Map(rows.rows.map((r) => [r.processor, r.owner]));
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`create role ${ROLE} login password '${ROLE_PASSWORD}' nosuperuser nocreatedb nocreaterole`);
  await admin.query(`create database ${OWNED_DB} owner ${ROLE}`);
  await admin.query(`create database ${GRANTED_DB}`);
  await admin.query(`create database ${NO_CREATE_DB}`);
  await asAdminOn(GRANTED_DB, (c) => c.query(`grant create on schema public to ${ROLE}`));
  // PostgreSQL before 15 lets everyone create in public: take that away, as 15 does.
  await asAdminOn(NO_CREATE_DB, (c) => c.query('revoke create on schema public from public'));
}, 60_000);

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  for (const db of [OWNED_DB, GRANTED_DB, NO_CREATE_DB]) await admin.query(`drop database if exists ${db} with (force)`);
  await admin.query(`drop role if exists ${ROLE}`);
  await admin.end();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('given a role that owns its database and nothing more, when the engine runs as it, then boot, migrations, HTTP, processors, deadlines and a stale-lease takeover work', async () => {
  const role = new pg.Client({ connectionString: roleUrl(OWNED_DB) });
  await role.connect();
  const attributes = await role.query('select rolsuper, rolcreatedb, rolcreaterole, rolbypassrls from pg_roles where rolname = current_user');
  expect(attributes.rows[0]).toEqual({ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolbypassrls: false });
  await role.end();

  const a = spawn('priv-a', OWNED_DB);
  const api = apiClient(await ready(a));
  const onboarded = await api('POST', '/v1/tenants', TOKENS.op, { tenantId: 'acme', jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] });
  expect(onboarded.status).toBe(201);
  // The read waits for the projections: processors run.
  const keys = await api('GET', `/v1/tenants/acme/keys?minPosition=${onboarded.headers.get('lethe-position')}`, TOKENS.reader);
  expect(keys.status).toBe(200);
  expect(keys.body.tenantId).toBe('acme');
  // A termination schedules the shred: a deadline row, written by a process manager.
  const terminated = await api('POST', '/v1/tenants/acme/terminations', TOKENS.cs, { terminationId: 't-1', contractId: 'c-1', effectiveAt: '2027-01-05T17:00:00Z' });
  expect(terminated.status).toBe(202);
  const tenant = await api('GET', '/v1/tenants/acme', TOKENS.reader, undefined, { 'Lethe-Min-Position': terminated.headers.get('lethe-position')! });
  expect(tenant.status).toBe(200);
  expect(tenant.body.shred).toMatchObject({ shredId: 'termination:t-1' });
  await waitUntil(
    async () => Number((await asAdminOn(OWNED_DB, (c) => c.query<{ n: string }>(`select count(*) as n from lethe_deadlines where status = 'pending'`))).rows[0].n) > 0,
    30_000,
    'the shred deadline to be scheduled',
  );

  const owners = await leaseOwners();
  expect(owners.size).toBeGreaterThan(0);
  expect(new Set(owners.values())).toEqual(new Set(['priv-a']));
  // Every session of the engine is the role's.
  const users = await asAdminOn(OWNED_DB, (c) =>
    c.query<{ usename: string }>(`select distinct usename from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`),
  );
  expect(users.rows.map((r) => r.usename)).toEqual([ROLE]);

  // A hangs with its sessions open: its heartbeats stop, its advisory locks stay. B, the same role,
  // ends A's lease sessions once they are stale, and takes the processors over.
  a.kill('SIGSTOP');
  const b = spawn('priv-b', OWNED_DB, { LETHE_ROLES: PROCESSOR_ROLES });
  await waitUntil(async () => [...(await leaseOwners()).values()].some((o) => o === 'priv-b'), 90_000, 'priv-b to take over a lease');
  expect(b.output()).toContain('taking over a processor lease whose heartbeat is stale');
  expect(b.output()).not.toContain('could not end the stale lease holder');
  a.kill('SIGKILL');
  await a.exited;
  await stop(b);
}, 240_000);

it('given a role with CREATE on the schema of a database it does not own, when the engine runs as it, then it boots and migrates', async () => {
  const engine = spawn('priv-granted', GRANTED_DB, { LETHE_ROLES: 'api' });
  await ready(engine);
  const owners = await asAdminOn(GRANTED_DB, (c) =>
    c.query<{ tableowner: string }>(`select distinct tableowner from pg_tables where schemaname = 'public' and tablename like 'lethe%'`),
  );
  expect(owners.rows.map((r) => r.tableowner)).toEqual([ROLE]);
  await stop(engine);
}, 150_000);

it('given a role without CREATE on the schema, when the engine starts, then it exits 2 naming the setting and the privilege, not the password', async () => {
  const engine = spawn('priv-nocreate', NO_CREATE_DB, { LETHE_ROLES: 'api' });
  const { code } = await engine.exited;
  expect(code).toBe(2);
  expect(engine.stderr()).toContain(
    "Lethe refuses to start: DATABASE_URL (used as LETHE_DIRECT_DATABASE_URL, which is unset): the URL's role lacks a privilege Lethe needs (permission denied for schema public); the role must own the database, or have CREATE on its schema",
  );
  expect(engine.output()).not.toContain(ROLE_PASSWORD);
}, 60_000);
