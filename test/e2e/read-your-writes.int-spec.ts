// Reading one's own writes: every write answers Lethe-Position, and a read that sends it back as
// ?minPosition= (or the Lethe-Min-Position header) waits for the read models to get there, or
// answers 202 with Retry-After. An api-only engine runs no projections, so its reads lag every
// write until an engine with processors starts: the lag is certain, not a race.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient } from '../support/http-client.js';

const T = { op: `op-${randomBytes(10).toString('hex')}`, reader: `rd-${randomBytes(10).toString('hex')}`, cs: `cs-${randomBytes(10).toString('hex')}` };
const MASTER_KEY = randomBytes(32).toString('base64');

let db: TestDatabase;
const engines: RunningEngine[] = [];

function engineWith(roles: string): Promise<RunningEngine> {
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_ROLES: roles,
    LETHE_INSTANCE_ID: roles.replace(',', '-'),
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-ryw-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: '2027-01-04T09:00:00.000Z',
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_MASTER_KEY: MASTER_KEY,
    LETHE_TOKENS: `operator:${T.op},ops-reader:${T.reader},contract-system:${T.cs}`,
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  return startEngine(config, { logger: createLogger('warn', sink) }).then((e) => (engines.push(e), e));
}

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  for (const e of engines) await e.close();
  await db?.drop();
});

it('answers each write with its log position, and a read given that position waits for the read models (202 with Retry-After while they lag)', async () => {
  const api = apiClient((await engineWith('api')).url);
  const onboarded = await api('POST', '/v1/tenants', T.op, { tenantId: 'acme', jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] });
  expect(onboarded.status).toBe(201);
  const position = onboarded.headers.get('lethe-position');
  expect(position).toMatch(/^[1-9]\d*$/);

  // No projection runs yet: a plain read does not see the write; one given the position says so.
  expect((await api('GET', '/v1/tenants/acme/keys', T.reader)).status).toBe(404);
  const pending = await api('GET', `/v1/tenants/acme/keys?minPosition=${position}`, T.reader);
  expect(pending.status).toBe(202);
  expect(pending.headers.get('retry-after')).toBe('1');
  expect(pending.headers.get('content-type')).toContain('application/problem+json');
  expect(pending.body).toMatchObject({ type: 'urn:lethe:problem:read-model-behind', minPosition: position });

  // An instance with processors starts: the same reads now wait until the write is projected.
  await engineWith('processors,poller');
  const keys = await api('GET', `/v1/tenants/acme/keys?minPosition=${position}`, T.reader);
  expect(keys.status).toBe(200);
  expect(keys.body.tenantId).toBe('acme');

  const terminated = await api('POST', '/v1/tenants/acme/terminations', T.cs, { terminationId: 't-1', contractId: 'c-1', effectiveAt: '2027-01-05T17:00:00Z' });
  expect(terminated.status).toBe(202);
  const after = terminated.headers.get('lethe-position')!;
  expect(BigInt(after)).toBeGreaterThan(BigInt(position!));
  const tenant = await api('GET', '/v1/tenants/acme', T.reader, undefined, { 'Lethe-Min-Position': after });
  expect(tenant.status).toBe(200);
  expect(tenant.body.shred).toMatchObject({ shredId: 'termination:t-1' });
  // A route with its own strict query still takes minPosition.
  const shreds = await api('GET', `/v1/shreds?status=shred-scheduled&minPosition=${after}`, T.reader);
  expect(shreds.status).toBe(200);
  expect(JSON.stringify(shreds.body)).toContain('termination:t-1');
}, 60_000);

it('refuses a position that is not a whole number, naming the field', async () => {
  const api = apiClient(engines[0].url);
  const bad = await api('GET', '/v1/tenants/acme?minPosition=12abc', T.reader);
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([{ field: 'minPosition', rule: expect.stringContaining('whole number') }]);
  const badHeader = await api('GET', '/v1/tenants/acme', T.reader, undefined, { 'Lethe-Min-Position': '-1' });
  expect(badHeader.status).toBe(400);
  expect(badHeader.body.errors).toEqual([{ field: 'Lethe-Min-Position', rule: expect.stringContaining('whole number') }]);
});

it('refuses a position past the largest the log holds (2^63-1), stating that bound', async () => {
  const api = apiClient(engines[0].url);
  const rule = 'must be a whole number from 0 to 9223372036854775807 (a Lethe-Position answered by a write)';
  for (const position of ['99999999999999999999999', '9223372036854775808']) {
    const huge = await api('GET', `/v1/tenants/acme?minPosition=${position}`, T.reader);
    expect(huge.status).toBe(400);
    expect(huge.body.errors).toEqual([{ field: 'minPosition', rule }]);
    const hugeHeader = await api('GET', '/v1/tenants/acme', T.reader, undefined, { 'Lethe-Min-Position': position });
    expect(hugeHeader.status).toBe(400);
    expect(hugeHeader.body.errors).toEqual([{ field: 'Lethe-Min-Position', rule }]);
  }
  // The largest position itself is one: it is waited for (the read models are not there), not refused.
  const largest = await api('GET', '/v1/tenants/acme?minPosition=9223372036854775807', T.reader);
  expect(largest.status).toBe(202);
});

it('answers no position for a refused write', async () => {
  const api = apiClient(engines[0].url);
  const refused = await api('POST', '/v1/tenants', T.op, { tenantId: 'Bad Id' });
  expect(refused.status).toBe(400);
  expect(refused.headers.get('lethe-position')).toBeNull();
});
