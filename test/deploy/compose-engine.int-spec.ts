// The compose stack's engine as compose starts it, without a container engine: the secrets made by
// deploy/compose/init-secrets.mjs, the environment compose.yaml gives each instance, the image's
// health check. What a container adds (the network, the user) is checked from the files in
// deploy-files.spec.ts.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, posix } from 'node:path';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { waitUntil } from '../support/engine-process.js';
import { ROOT, bindSource, compose, dockerStages, mountOf, mounts, read, readYaml, serviceEnv, type Yaml } from './manifests.js';

const SECRETS_MOUNT = '/run/secrets';
const PROMTOOL = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin']
  .map((d) => join(d, 'promtool'))
  .find((p) => existsSync(p));
const PROMTOOL_HINT = 'install the Debian package prometheus (apt-get install prometheus), which brings promtool';
if (!PROMTOOL) console.warn(`test/deploy/compose-engine.int-spec.ts: promtool not found, its check is SKIPPED: ${PROMTOOL_HINT}`);
// Without promtool the check shows as skipped in the summary, never as passed.
const itWithPromtool = PROMTOOL ? it : it.skip;
const { services } = compose();
const dir = mkdtempSync(join(tmpdir(), 'lethe-compose-secrets-'));
const engines: RunningEngine[] = [];
let db: TestDatabase;

function initSecrets() {
  const run = spawnSync(process.execPath, [join(ROOT, 'deploy/compose/init-secrets.mjs'), dir], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  return run.stdout;
}

/** The image's health check run beside the engine (asynchronously: the engine answers from this process). */
function healthcheck(env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [join(ROOT, 'deploy/healthcheck.mjs')], { env }, () => resolve(child.exitCode ?? -1));
  });
}

/** Where a container path on the `secrets` volume is in this test's copy of it. */
function onVolume(service: Yaml, path: string): string {
  const found = mountOf(service, path);
  expect(found?.mount.source).toBe('secrets');
  return join(dir, found!.rest);
}

interface Entry {
  readonly mode: number;
  readonly uid: number;
  /** Files only: the content's hash and the last write. */
  readonly sha256?: string;
  readonly mtimeMs?: number;
}

/** Every folder and file of the volume: to see what was made, and that nothing changed. */
function snapshot(): Record<string, Entry> {
  const walk = (sub: string): [string, Entry][] =>
    readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) => {
      const path = posix.join(sub, e.name);
      const st = statSync(join(dir, path));
      const entry: Entry = { mode: st.mode & 0o777, uid: st.uid };
      if (e.isDirectory()) return [[path, entry] as [string, Entry], ...walk(path)];
      return [[path, { ...entry, sha256: createHash('sha256').update(readFileSync(join(dir, path))).digest('hex'), mtimeMs: st.mtimeMs }] as [string, Entry]];
    });
  return Object.fromEntries(walk(''));
}

/** An engine started with a compose service's environment, on this test's database and volume. */
async function startAs(name: string): Promise<{ engine: RunningEngine; logs: string[] }> {
  const service = services[name];
  const env = serviceEnv(service);
  const logs: string[] = [];
  const sink = new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) });
  const config = loadConfig({
    ...env,
    LETHE_DATA_DIR: onVolume(service, env.LETHE_DATA_DIR),
    // The entrypoint reads it from the volume; here it is this test's database instead.
    DATABASE_URL: db.url,
    PORT: '0',
  });
  const engine = await startEngine(config, { logger: createLogger('info', sink) });
  engines.push(engine);
  return { engine, logs };
}

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const engine of engines) await engine.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('deploy/compose/init-secrets.mjs', () => {
  it('makes each secret once, owner-only, and keeps them on the next start', () => {
    expect(initSecrets()).toContain('generated lethe/master.key');
    const first = snapshot();
    expect(Object.keys(first).length).toBeGreaterThanOrEqual(11);
    for (const [path, entry] of Object.entries(first)) expect([path, entry.mode]).toEqual([path, entry.sha256 ? 0o600 : 0o700]);
    expect(initSecrets()).not.toContain('generated');
    const second = snapshot();
    const kept = ['lethe/master.key', 'lethe/signing.key', 'lethe/tokens', 'postgres/password', 'grafana/admin-password'];
    for (const path of kept) expect([path, second[path]]).toEqual([path, first[path]]);
  });

  it("gives the engine's folder to the image's user", () => {
    if (process.getuid?.() !== 0) return; // owners are given only by root (as in compose)
    const uid = Number(dockerStages().at(-1)!.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args.split(':')[0]);
    expect(statSync(join(dir, 'lethe')).uid).toBe(uid);
    expect(statSync(join(dir, 'lethe', 'master.key')).uid).toBe(uid);
  });

  it('writes every secret file compose and Prometheus read', () => {
    const paths: [Yaml, string][] = [];
    for (const service of Object.values(services) as Yaml[]) {
      for (const value of [...Object.values(serviceEnv(service)), ...(service.entrypoint ?? [])]) {
        for (const m of String(value).matchAll(/\/run\/secrets\/[A-Za-z0-9._/-]+/g)) paths.push([service, m[0]]);
      }
    }
    const prometheus = readYaml('deploy/prometheus/prometheus.yml');
    for (const job of prometheus.scrape_configs) if (job.authorization) paths.push([services.prometheus, job.authorization.credentials_file]);
    expect(paths.length).toBeGreaterThanOrEqual(5);
    for (const [service, path] of paths) {
      expect(path.startsWith(`${SECRETS_MOUNT}/`)).toBe(true);
      expect(() => statSync(onVolume(service, path))).not.toThrow();
    }
  });

  it("writes a DATABASE_URL for compose's PostgreSQL: its service, user, database and password", () => {
    const url = new URL(readFileSync(join(dir, 'lethe/database-url'), 'utf8').trim());
    const postgres = serviceEnv(services.postgres);
    expect(url.hostname in services).toBe(true);
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(postgres.POSTGRES_USER);
    expect(url.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    expect(decodeURIComponent(url.password)).toBe(readFileSync(onVolume(services.postgres, postgres.POSTGRES_PASSWORD_FILE), 'utf8').trim());
    expect(() => loadConfig({ DATABASE_URL: url.href })).not.toThrow();
  });

  it("gives Prometheus the ops-reader's token from the engine's tokens file", () => {
    const tokens = readFileSync(join(dir, 'lethe/tokens'), 'utf8');
    expect(tokens).toContain(`ops-reader:${readFileSync(join(dir, 'prometheus/ops-reader.token'), 'utf8')}\n`);
  });
});

itWithPromtool("Prometheus's configuration passes `promtool check config` with the files compose mounts (the alert rules included)", () => {
  initSecrets();
  // Each path the container sees, replaced by where compose takes it from: the repository or the volume.
  let config = read('deploy/prometheus/prometheus.yml');
  for (const m of mounts(services.prometheus)) {
    const host = m.bind ? join(ROOT, bindSource(m.source)) : m.source === 'secrets' ? dir : undefined;
    if (host) config = config.split(m.target).join(host);
  }
  // The rules are another part of the deploy work: until they are in the tree, the rest is checked.
  const rules = join(ROOT, 'deploy/prometheus/alerts.yml');
  if (!existsSync(rules)) config = config.split('\n').filter((line) => !line.includes(rules)).join('\n');
  const file = join(dir, 'prometheus-check.yml');
  writeFileSync(file, config);
  const check = spawnSync(PROMTOOL!, ['check', 'config', file], { encoding: 'utf8' });
  expect(`${check.stdout}${check.stderr}`).toContain('SUCCESS');
  expect(check.status).toBe(0);
  // The rules were read from the file compose mounts, when it is in the tree.
  if (existsSync(join(ROOT, 'deploy/prometheus/alerts.yml'))) expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
});

describe('the engine as compose starts it, from the secrets volume', () => {
  it('lethe-api boots on the generated keys and tokens without writing to the volume (mounted read-only), and passes the image health check', async () => {
    initSecrets();
    const before = snapshot();
    const { engine, logs } = await startAs('lethe-api');
    const port = new URL(engine.url).port;
    expect(logs.join('')).toMatch(/"source":"file".*certificate signing key/);
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200);
    await waitUntil(async () => (await fetch(`${engine.url}/readyz`)).status === 200, 30_000, '/readyz to answer 200');
    const env = { PATH: process.env.PATH ?? '', ...serviceEnv(services['lethe-api']), PORT: port };
    expect(await healthcheck(env)).toBe(0);
    const reader = /^ops-reader:(\S+)$/m.exec(readFileSync(join(dir, 'lethe/tokens'), 'utf8'))![1];
    expect((await fetch(`${engine.url}/v1/tenants`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(200);
    expect((await fetch(`${engine.url}/v1/tenants`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
    expect(snapshot()).toEqual(before);
    // The health check fails when nothing answers.
    expect(await healthcheck({ ...env, PORT: '1' })).toBe(1);
  });

  it('lethe-worker boots the same way, passes the image health check, and serves Prometheus its /metrics but not the API', async () => {
    const before = snapshot();
    const { engine } = await startAs('lethe-worker');
    const port = new URL(engine.url).port;
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200);
    const env = { PATH: process.env.PATH ?? '', ...serviceEnv(services['lethe-worker']), PORT: port };
    expect(await healthcheck(env)).toBe(0);
    // The token Prometheus is given (deploy/prometheus/prometheus.yml).
    const scraper = readFileSync(join(dir, 'prometheus/ops-reader.token'), 'utf8').trim();
    const metrics = await fetch(`${engine.url}/metrics`, { headers: { authorization: `Bearer ${scraper}` } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE lethe_vault_request_duration_seconds histogram');
    expect((await fetch(`${engine.url}/v1/tenants`, { headers: { authorization: `Bearer ${scraper}` } })).status).toBe(404);
    expect(snapshot()).toEqual(before);
    expect(await healthcheck({ ...env, PORT: '1' })).toBe(1);
  });
});
