// The paging contract of list routes over HTTP, on real PostgreSQL: GET /v1/tenants, /v1/shreds and
// /v1/compliance take ?limit= (1..1000, default 100) and an opaque ?cursor=, and answer
// {items, nextCursor}; following nextCursor visits every item once, in a stable order.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient } from '../support/http-client.js';

const TOKENS = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  contract: `cs-${randomBytes(12).toString('hex')}`,
  reader: `rd-${randomBytes(12).toString('hex')}`,
};
const TENANTS = [
  ['alpha', 'DE'],
  ['bravo', 'FR'],
  ['charlie', 'DE'],
  ['delta', 'FR'],
  ['echo', 'DE'],
] as const;

let db: TestDatabase;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-paging-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: '2026-03-02T09:00:00Z',
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_INSTANCE_ID: 'e2e-paging',
    LETHE_TOKENS: `operator:${TOKENS.operator},contract-system:${TOKENS.contract},ops-reader:${TOKENS.reader}`,
  });
  engine = await startEngine(config, { logger: createLogger('warn') });
  api = apiClient(engine.url);
  for (const [tenantId, jurisdiction] of TENANTS) {
    const res = await api('POST', '/v1/tenants', TOKENS.operator, { tenantId, jurisdiction, keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] });
    expect(res.status).toBe(201);
  }
  for (const tenantId of ['bravo', 'charlie', 'echo']) {
    const res = await api('POST', `/v1/tenants/${tenantId}/terminations`, TOKENS.contract, { terminationId: `t-${tenantId}`, contractId: 'c-1', effectiveAt: '2026-04-01T00:00:00Z' });
    expect(res.status).toBe(202);
  }
  // The lists read the projections: wait until they caught up with every write above.
  await until(async () => (await api('GET', '/v1/shreds', TOKENS.reader)).body.items?.length === 3);
  await until(async () => (await ringCount()) === TENANTS.length);
}, 90_000);

afterAll(async () => {
  await engine?.close();
  await db?.drop();
});

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('the read model did not catch up');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ringCount(): Promise<number> {
  let n = 0;
  for (const [tenantId] of TENANTS) if ((await api('GET', `/v1/tenants/${tenantId}/keys`, TOKENS.reader)).status === 200) n++;
  return n;
}

type Item = Record<string, unknown>;

/** Every page of a list, following nextCursor. */
async function allPages(path: string): Promise<{ pages: { items: Item[]; nextCursor: string | null }[]; items: Item[] }> {
  const pages = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api('GET', cursor ? `${path}${sep}cursor=${cursor}` : path, TOKENS.reader);
    expect(res.status).toBe(200);
    pages.push(res.body);
    cursor = res.body.nextCursor;
  } while (cursor !== null && pages.length < 20);
  return { pages, items: pages.flatMap((p) => p.items) };
}

describe('GET /v1/tenants', () => {
  it('pages every tenant once in tenantId order, the last page saying nextCursor null', async () => {
    const { pages, items } = await allPages('/v1/tenants?limit=2');
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages[0].nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(items.map((t) => t.tenantId)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(items[0]).toEqual(expect.objectContaining({ tenantId: 'alpha', status: 'active', jurisdiction: 'DE', databases: [{ databaseId: 'db-1' }] }));
  });

  it('filters by jurisdiction and status, paging within the filter', async () => {
    expect((await allPages('/v1/tenants?jurisdiction=FR&limit=1')).items.map((t) => t.tenantId)).toEqual(['bravo', 'delta']);
    expect((await allPages('/v1/tenants?status=active')).items.map((t) => t.tenantId)).toEqual(['alpha', 'delta']);
    expect((await allPages('/v1/tenants?status=shred-scheduled&jurisdiction=DE')).items.map((t) => t.tenantId)).toEqual(['charlie', 'echo']);
  });

  it('answers the default page of 100 with nextCursor null when everything fits', async () => {
    const res = await api('GET', '/v1/tenants', TOKENS.reader);
    expect(res.body.items).toHaveLength(5);
    expect(res.body.nextCursor).toBeNull();
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=two', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor'],
    ['status=asleep', 'status'],
    ['jurisdiction=XX', 'jurisdiction'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const res = await api('GET', `/v1/tenants?${query}`, TOKENS.reader);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
  });
});

describe('GET /v1/shreds', () => {
  it('pages the shreds in tenantId order', async () => {
    const { pages, items } = await allPages('/v1/shreds?status=shred-scheduled&limit=2');
    expect(pages.map((p) => p.items.length)).toEqual([2, 1]);
    expect(items.map((s) => s.tenantId)).toEqual(['bravo', 'charlie', 'echo']);
    expect(items[0]).toEqual(expect.objectContaining({ status: 'shred-scheduled', shredId: 'termination:t-bravo' }));
  });

  it('answers 400 naming cursor for a malformed cursor', async () => {
    const res = await api('GET', '/v1/shreds?cursor=%25%25', TOKENS.reader);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });
});

describe('GET /v1/compliance', () => {
  it('pages over the live key rings, keeping each promise with its rule', async () => {
    const { pages } = await allPages('/v1/compliance?limit=2');
    expect(pages.map((p) => p.nextCursor === null)).toEqual([false, false, true]);
    for (const page of pages) {
      expect(page).toEqual(expect.objectContaining({ items: [], P1: expect.objectContaining({ violations: [] }), P2: expect.any(Object), P3: expect.any(Object) }));
    }
  });

  it('answers 400 naming limit for a limit out of range', async () => {
    const res = await api('GET', '/v1/compliance?limit=5000', TOKENS.reader);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
  });
});
