// A newcomer's first start: `npm start` with nothing set, on embedded PostgreSQL in a fresh data
// folder. It prints its URL and where the API tokens are; a token from that file works; the log
// holds no token, no database password and no token sent in a query string; a restart reuses the
// tokens and the database password, and a cluster initialised with the old fixed password still starts.
import pg from 'pg';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

let dataDir: string;
const engines: EngineProcess[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'lethe-first-'));
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ engine: EngineProcess; url: string }> {
  const engine = spawnEngine({ LETHE_DATA_DIR: dataDir, PORT: '0', LETHE_INSTANCE_ID: `first-${engines.length}` });
  engines.push(engine);
  let url: string | undefined;
  await waitUntil(() => (url = /listening on (http:\/\/\S+)/.exec(engine.output())?.[1]) !== undefined || engine.child.exitCode !== null, 150_000, 'the engine to listen');
  if (!url) throw new Error(`the engine did not start:\n${engine.output()}`);
  return { engine, url };
}

async function stop(engine: EngineProcess): Promise<void> {
  engine.kill('SIGTERM');
  expect((await engine.exited).code).toBe(0);
}

function tokensFrom(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(':'))
      // role:subject:token, the subject named after the role.
      .map(([role, subject, token]) => [role, subject === role ? token : 'the subject is not the role']),
  );
}

it('prints its URL and the tokens file; a token from it works; logs hold no secret; a restart reuses both', async () => {
  const { engine, url } = await start();
  const tokensFile = join(dataDir, 'tokens');
  expect(engine.output()).toContain(`API tokens (one role:subject:token a line): ${tokensFile}`);
  expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
  const tokens = tokensFrom(tokensFile);
  expect(Object.keys(tokens).sort()).toEqual(['admin', 'approver', 'contract-system', 'operator', 'ops-reader']);

  const ok = await fetch(`${url}/v1/compliance`, { headers: { authorization: `Bearer ${tokens['ops-reader']}` } });
  expect(ok.status).toBe(200);
  const inQuery = await fetch(`${url}/v1/compliance?access_token=${tokens.admin}&limit=1`);
  expect(inQuery.status).toBe(401);

  // One compact line per request, its query values redacted.
  await waitUntil(() => engine.output().includes('"status":401'), 5_000, 'the request line');
  const requestLines = engine
    .output()
    .split('\n')
    .filter((l) => l.includes('"msg":"request"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(requestLines).toHaveLength(2);
  expect(requestLines[1]).toMatchObject({ method: 'GET', path: '/v1/compliance?access_token=[redacted]&limit=1', status: 401, requestId: expect.anything() });
  expect(typeof requestLines[1].durationMs).toBe('number');
  for (const line of requestLines) expect(JSON.stringify(line).length).toBeLessThan(400);
  // Route mapping is at debug, not in the info log.
  expect(engine.output()).not.toContain('Mapped {');

  const password = readFileSync(join(dataDir, 'postgres', 'pg.password'), 'utf8').trim();
  expect(statSync(join(dataDir, 'postgres', 'pg.password')).mode & 0o777).toBe(0o600);
  expect(password).toMatch(/^[0-9a-f]{64}$/);
  for (const secret of [password, ...Object.values(tokens)]) expect(engine.output()).not.toContain(secret);
  await stop(engine);

  const again = await start();
  expect(tokensFrom(tokensFile)).toEqual(tokens);
  expect((await fetch(`${again.url}/v1/compliance`, { headers: { authorization: `Bearer ${tokens.admin}` } })).status).toBe(200);
  // The cluster refuses the old fixed password: the generated one is in force.
  const port = Number(readFileSync(join(dataDir, 'postgres', 'pg.port'), 'utf8'));
  const legacy = new pg.Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/lethe` });
  await expect(legacy.connect()).rejects.toThrow(/password authentication failed/);
  await legacy.end().catch(() => undefined);

  // A cluster initialised before passwords were generated: password `postgres`, no password file.
  const admin = new pg.Client({ connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/lethe` });
  await admin.connect();
  await admin.query(`alter user postgres password 'postgres'`);
  await admin.end();
  await stop(again.engine);
  unlinkSync(join(dataDir, 'postgres', 'pg.password'));
  const legacyStart = await start();
  expect((await fetch(`${legacyStart.url}/v1/compliance`, { headers: { authorization: `Bearer ${tokens.admin}` } })).status).toBe(200);
  await stop(legacyStart.engine);
}, 400_000);
