// A tenant's history over a long log: pages in global order across its three streams, each page one
// bounded read per stream from where the cursor left it (never from the start), only as far as the
// read models have settled, and events a contract system appended summarised without echoing them.
import { randomUUID } from 'node:crypto';
import { TENANT_CATEGORIES } from '@lethe/domain';
import { readModels } from '@lethe/readmodel';
import type { EventStore, ReadStreamOptions } from '@lethe/eventstore';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { GetTenantEventsHandler } from './tenant-events.handler.js';
import { GetTenantEventsQuery, TENANT_EVENTS_LISTING, type TenantEventItem } from './tenant-events.query.js';
import { decodeCursor } from '@lethe/readmodel';

const ASSETS = 1_500;
const PERSONAL = 'Jane Doe, 12 Acacia Avenue';

let f: LifecycleFixture;
/** Every readStream the handler makes: where it started, how many it asked for and got. */
const reads: { streamId: string; from: bigint; limit: number; got: number }[] = [];
let handler: GetTenantEventsHandler;

async function settleAt(position: bigint | string): Promise<void> {
  for (const m of readModels()) {
    await f.pool.query(
      `insert into lethe_checkpoints (processor, position) values ($1, $2) on conflict (processor) do update set position = excluded.position`,
      [m.projection.name, position.toString()],
    );
  }
}
const head = async () => (await f.pool.query<{ p: string }>('select max(global_position)::text as p from lethe_events')).rows[0].p;

async function walk(tenantId: string, limit: number): Promise<TenantEventItem[]> {
  const items: TenantEventItem[] = [];
  let after: number[] | null = null;
  for (;;) {
    const page = await handler.execute(new GetTenantEventsQuery(tenantId, limit, after));
    if (!page) throw new Error('no such tenant');
    items.push(...page.items);
    if (!page.nextCursor) return items;
    after = decodeCursor(TENANT_EVENTS_LISTING.name, page.nextCursor, TENANT_EVENTS_LISTING.key).slice(1) as number[];
  }
}

beforeAll(async () => {
  f = await createLifecycleFixture();
  const recording: EventStore = new Proxy(f.store, {
    get(target, property) {
      if (property === 'readStream') {
        return async (streamId: string, options: ReadStreamOptions = {}) => {
          const got = await target.readStream(streamId, options);
          reads.push({ streamId, from: options.fromRevision ?? 0n, limit: options.limit ?? Infinity, got: got.length });
          return got;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  handler = new GetTenantEventsHandler(recording, f.pool);
  await f.onboard('long');
  await f.onboard('neighbour');
  // A long key ring interleaved with another tenant's and with the contract stream.
  for (let i = 0; i < ASSETS; i += 100) {
    const batch = Array.from({ length: 100 }, (_, j) => ({
      id: randomUUID(),
      type: 'StagingAssetRegistered',
      data: { assetId: `a-${i + j}`, expiresAt: null, at: '2026-03-02T09:00:00.000Z' },
      metadata: { schemaVersion: 1, causationId: `staging-asset:a-${i + j}` },
    }));
    await f.store.append('keys-long', batch, 'any');
    await f.store.append('keys-neighbour', batch.map((e) => ({ ...e, id: randomUUID() })), 'any');
    if (i % 500 === 0) {
      await f.store.append('contract-long', [{ id: randomUUID(), type: 'CustomerNotified', data: { customer: PERSONAL }, metadata: {} }], 'any');
      await f.store.append('contract-long', [{ id: randomUUID(), type: 'ContractTerminated', data: { terminationId: PERSONAL, contractId: 'c-1', effectiveAt: 'soon' }, metadata: {} }], 'any');
    }
  }
}, 120_000);

afterAll(async () => {
  await f?.close();
});

describe('tenant events', () => {
  it('pages through a long history in global order, each page one bounded read per stream from its cursor', async () => {
    await settleAt(await head());
    const stored = await f.pool.query<{ p: string }>(
      `select global_position::text as p from lethe_events where stream_id in ('tenant-long', 'keys-long', 'contract-long') order by global_position`,
    );
    reads.length = 0;
    const all = await walk('long', 500);
    expect(all.map((i) => i.position)).toEqual(stored.rows.map((r) => r.p));
    expect(all.length).toBeGreaterThan(ASSETS);
    expect(all.some((i) => i.stream === 'keys-neighbour')).toBe(false);
    // Every stream read asks for one page (plus one), and the deep ones start where the last page ended.
    const streamReads = reads.filter((r) => r.limit !== 1);
    expect(streamReads.every((r) => r.limit === 501 && r.got <= 501)).toBe(true);
    expect(Math.max(...streamReads.filter((r) => r.streamId === 'keys-long').map((r) => Number(r.from)))).toBeGreaterThan(1000);
    // Per page: the onboarding check, then one read per stream of the tenant.
    expect(reads.length).toBe((1 + TENANT_CATEGORIES.length) * Math.ceil(all.length / 500));
  });

  it('shows only what the read models have settled, and the rest once they have', async () => {
    const stored = await f.pool.query<{ p: string }>(
      `select global_position::text as p from lethe_events where stream_id in ('tenant-long', 'keys-long', 'contract-long') order by global_position`,
    );
    const cut = stored.rows[200].p;
    await settleAt(cut);
    const settled = await walk('long', 64);
    expect(settled.map((i) => i.position)).toEqual(stored.rows.slice(0, 201).map((r) => r.p));
    await settleAt(await head());
    expect((await walk('long', 64)).length).toBe(stored.rows.length);
  });

  it('summarises what a contract system appended without echoing it, and says what caused each event', async () => {
    const all = await walk('long', 500);
    const foreign = all.find((i) => i.type === 'CustomerNotified')!;
    expect(foreign).toMatchObject({ stream: 'contract-long', cause: { kind: 'contract-system', name: 'contract-stream', position: null } });
    expect(foreign.summary).toBe('An event of a type Lethe does not know: recorded, never acted on');
    expect(all.find((i) => i.type === 'ContractTerminated')!.summary).toBe('Contract termination with invalid data: never acted on');
    expect(JSON.stringify(all)).not.toContain('Jane');
    expect(all.find((i) => i.type === 'StagingAssetRegistered')).toMatchObject({ cause: { kind: 'request', name: 'register-staging-asset' }, summary: 'Staging asset a-0 registered (no expiry)' });
    expect(all[0]).toMatchObject({ type: 'TenantOnboarded', cause: { kind: 'request', name: 'onboard-tenant' } });
  });

  it('answers null for a tenant never onboarded, even with a contract stream', async () => {
    await f.store.append('contract-ghost', [{ id: randomUUID(), type: 'ContractTerminated', data: {}, metadata: {} }], 'any');
    expect(await handler.execute(new GetTenantEventsQuery('ghost', 10, null))).toBeNull();
  });
});
