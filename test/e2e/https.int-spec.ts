// HTTPS as promised: with LETHE_TLS_CERT_FILE/LETHE_TLS_KEY_FILE the engine speaks TLS 1.2 and 1.3
// only, every answer (success or problem) carries HSTS, and plain HTTP on that port gets no API
// answer. Behind a TLS-terminating proxy (LETHE_TRUST_PROXY) HSTS is still sent and the request log
// names the client the proxy forwarded for, and only a trusted proxy is believed.
// The certificate is made here, self-signed for 127.0.0.1 and localhost, with the system's openssl.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';
import { apiClient } from '../support/http-client.js';

const OPENSSL = '/usr/bin/openssl';
const HAVE_OPENSSL = existsSync(OPENSSL);
if (!HAVE_OPENSSL) {
  console.warn(`test/e2e/https.int-spec.ts: ${OPENSSL} not found, the HTTPS end-to-end tests are SKIPPED: install openssl`);
}
// Without openssl the tests show as skipped in the summary, never as passed.
const describeWithOpenssl = HAVE_OPENSSL ? describe : describe.skip;

const TOKENS = { op: `op-${randomBytes(12).toString('hex')}`, reader: `rd-${randomBytes(12).toString('hex')}` };
// One database for all engines here, so one master key.
const MASTER_KEY = randomBytes(32).toString('base64');
const ONE_YEAR_S = 365 * 24 * 3600;
const FORWARDED_CLIENT = '203.0.113.7';

let db: TestDatabase;
const engines: RunningEngine[] = [];
const processes: EngineProcess[] = [];
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-https-'));
  tempDirs.push(dir);
  return dir;
}

/** An api-only engine in this process, on the shared test database. */
async function engineWith(env: Record<string, string>): Promise<RunningEngine> {
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_ROLES: 'api',
    LETHE_INSTANCE_ID: `https-${engines.length}`,
    LETHE_DATA_DIR: tempDir(),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: '2027-01-04T09:00:00.000Z',
    LETHE_MASTER_KEY: MASTER_KEY,
    LETHE_TOKENS: `operator:${TOKENS.op},ops-reader:${TOKENS.reader}`,
    ...env,
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const engine = await startEngine(config, { logger: createLogger('warn', sink) });
  engines.push(engine);
  return engine;
}

function assertHsts(value: string | string[] | null | undefined): void {
  expect(typeof value).toBe('string');
  const directives = String(value)
    .split(';')
    .map((d) => d.trim().toLowerCase());
  const maxAge = directives.find((d) => d.startsWith('max-age='));
  expect(Number(maxAge?.slice('max-age='.length))).toBeGreaterThanOrEqual(ONE_YEAR_S);
  expect(directives).toContain('includesubdomains');
}

beforeAll(async () => {
  if (HAVE_OPENSSL) db = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  for (const e of processes) e.kill('SIGKILL');
  await Promise.all(processes.map((e) => e.exited));
  for (const e of engines) await e.close();
  await db?.drop();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describeWithOpenssl('the engine with a certificate (LETHE_TLS_CERT_FILE, LETHE_TLS_KEY_FILE)', () => {
  let cert: Buffer;
  let port: number;
  let nodeDefaultMin: tls.SecureVersion;

  beforeAll(async () => {
    const dir = tempDir();
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    // argv, no shell: nothing here is interpreted twice.
    execFileSync(
      OPENSSL,
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', keyFile, '-out', certFile,
      ],
      { stdio: 'pipe' },
    );
    chmodSync(keyFile, 0o600);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    cert = readFileSync(certFile);
    // Node's own floor is TLS 1.2 too, but `--tls-min-v1.0` or this setting lowers it for every server
    // that does not set its own: lowered here, the engine must still refuse TLS 1.0 and 1.1.
    nodeDefaultMin = tls.DEFAULT_MIN_VERSION;
    tls.DEFAULT_MIN_VERSION = 'TLSv1';
    const engine = await engineWith({ LETHE_TLS_CERT_FILE: certFile, LETHE_TLS_KEY_FILE: keyFile });
    expect(engine.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    port = Number(new URL(engine.url).port);
  }, 60_000);

  afterAll(() => {
    if (nodeDefaultMin) tls.DEFAULT_MIN_VERSION = nodeDefaultMin;
  });

  /** A TLS handshake to the engine, trusting the generated certificate: the protocol agreed, or the error code. */
  function handshake(options: tls.ConnectionOptions): Promise<{ protocol: string | null } | { error: string }> {
    return new Promise((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost', ...options }, () => {
        resolve({ protocol: socket.getProtocol() });
        socket.end();
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
  }

  function request(
    method: string,
    path: string,
    options: { token?: string; body?: string; contentType?: string } = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          ca: cert,
          servername: 'localhost',
          agent: false,
          headers: {
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(options.contentType ? { 'content-type': options.contentType } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  it('completes TLS 1.2 and TLS 1.3 handshakes with a client that trusts the certificate', async () => {
    await expect(handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).resolves.toEqual({ protocol: 'TLSv1.2' });
    await expect(handshake({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })).resolves.toEqual({ protocol: 'TLSv1.3' });
  });

  it('refuses TLS 1.1 and TLS 1.0 with a protocol_version alert', async () => {
    // A client offering TLS 1.0-1.1 only. OpenSSL 3 will not even offer them at its default security
    // level (they sign with SHA-1), so the client lowers it: the offer then reaches the engine, and the
    // engine's answer is the alert protocol_version (70), not a negotiated session.
    const legacy = { ciphers: 'DEFAULT@SECLEVEL=0', minVersion: 'TLSv1', rejectUnauthorized: true } as const;
    await expect(handshake({ ...legacy, maxVersion: 'TLSv1.1' })).resolves.toEqual({ error: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    await expect(handshake({ ...legacy, maxVersion: 'TLSv1' })).resolves.toEqual({ error: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    // A client merely capped at TLS 1.1 fails before sending anything: its own OpenSSL has no
    // protocol left to offer. Either way no TLS 1.1 session is ever made.
    await expect(handshake({ maxVersion: 'TLSv1.1' })).resolves.toHaveProperty('error');
  });

  it('sends HSTS (max-age of a year or more, includeSubDomains) on every answer: 200, 401, 404, 400 and 415', async () => {
    const ok = await request('GET', '/healthz');
    expect(ok.status).toBe(200);
    assertHsts(ok.headers['strict-transport-security']);

    const unauthenticated = await request('GET', '/v1/tenants');
    expect(unauthenticated.status).toBe(401);
    assertHsts(unauthenticated.headers['strict-transport-security']);

    const unknown = await request('GET', '/no-such-route', { token: TOKENS.reader });
    expect(unknown.status).toBe(404);
    assertHsts(unknown.headers['strict-transport-security']);

    const badBody = await request('POST', '/v1/tenants', { token: TOKENS.op, contentType: 'application/json', body: JSON.stringify({ tenantId: 'acme' }) });
    expect(badBody.status).toBe(400);
    expect(badBody.headers['content-type']).toContain('application/problem+json');
    assertHsts(badBody.headers['strict-transport-security']);

    const form = await request('POST', '/v1/tenants', { token: TOKENS.op, contentType: 'application/x-www-form-urlencoded', body: 'tenantId=acme' });
    expect(form.status).toBe(415);
    assertHsts(form.headers['strict-transport-security']);
  });

  it('gives plain HTTP on the TLS port no API answer: the connection is closed without an HTTP response', async () => {
    // What a client library sees: an error, never a status.
    const outcome = await new Promise<{ status: number } | { error: string }>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0 });
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      req.end();
    });
    expect(outcome).toEqual({ error: 'ECONNRESET' });

    // What travels back on the wire: no byte of HTTP, let alone JSON.
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.write(`GET /v1/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKENS.reader}\r\n\r\n`);
      });
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    });
    expect(received.toString('latin1')).not.toMatch(/HTTP\/|problem|json|tenant/i);
    expect(received.length).toBe(0);
  });
});

describeWithOpenssl('the engine behind a TLS-terminating proxy (LETHE_TRUST_PROXY)', () => {
  // Separate processes: the HTTP request logger of nestjs-pino is one per process (the first engine
  // started in it), so an in-process engine's request lines may land in another engine's log.
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': FORWARDED_CLIENT };

  /** A plain-HTTP api engine process on the shared test database, and its URL once it listens. */
  async function spawnApiEngine(env: Record<string, string>): Promise<{ engine: EngineProcess; url: string }> {
    const engine = spawnEngine({
      DATABASE_URL: db.url,
      PORT: '0',
      LETHE_ROLES: 'api',
      LETHE_INSTANCE_ID: `https-proxy-${processes.length}`,
      LETHE_DATA_DIR: tempDir(),
      LETHE_CLOCK: 'manual',
      LETHE_MASTER_KEY: MASTER_KEY,
      LETHE_TOKENS: `operator:${TOKENS.op},ops-reader:${TOKENS.reader}`,
      ...env,
    });
    processes.push(engine);
    let url: string | undefined;
    await waitUntil(() => (url = /listening on (http:\/\/\S+)/.exec(engine.output())?.[1]) !== undefined || engine.child.exitCode !== null, 90_000, 'the engine to listen');
    if (!url) throw new Error(`the engine did not start:\n${engine.output()}`);
    return { engine, url };
  }

  /** The engine's request log line for `GET path`, once written (as the response ends). */
  async function requestLogLine(engine: EngineProcess, path: string): Promise<Record<string, unknown>> {
    const find = () =>
      engine
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.msg === 'request' && l.method === 'GET' && l.path === path);
    await waitUntil(() => find() !== undefined, 5_000, `the request log line for ${path}`);
    return find()!;
  }

  it('with LETHE_TRUST_PROXY=loopback, sends HSTS and logs the client the proxy forwarded for', async () => {
    const { engine, url } = await spawnApiEngine({ LETHE_TRUST_PROXY: 'loopback' });
    const res = await apiClient(url)('GET', '/v1/tenants', TOKENS.reader, undefined, forwarded);
    expect(res.status).toBe(200);
    assertHsts(res.headers.get('strict-transport-security'));
    expect(await requestLogLine(engine, '/v1/tenants')).toMatchObject({ status: 200, ip: FORWARDED_CLIENT });
  }, 120_000);

  it('without LETHE_TRUST_PROXY, believes no X-Forwarded-For: the logged address is the socket peer', async () => {
    const { engine, url } = await spawnApiEngine({});
    const res = await apiClient(url)('GET', '/v1/tenants', TOKENS.reader, undefined, forwarded);
    expect(res.status).toBe(200);
    assertHsts(res.headers.get('strict-transport-security'));
    expect(await requestLogLine(engine, '/v1/tenants')).toMatchObject({ status: 200, ip: '127.0.0.1' });
    expect(engine.output()).not.toContain(FORWARDED_CLIENT);
  }, 120_000);
});
