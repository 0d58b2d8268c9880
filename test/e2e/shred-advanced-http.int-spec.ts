/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// P4 end to end over HTTP: a trigger owed an earlier deadline than the pending shred's moves that shred
// earlier (ShredAdvanced): the answer, the shred list and both durable timers show the new instants,
// and the shred runs and is verified by the earlier deadline. A later trigger changes nothing.
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';
import { waitUntil } from '../support/engine-process.js';

// Mon 4 Jan 2027, London.
const T0 = '2027-01-04T09:00:00.000Z';
let e: InProcessEngine;

beforeAll(async () => {
  e = await startInProcessEngine(T0);
}, 60_000);

afterAll(async () => {
  await e?.stop();
});

async function timers(tenantId: string): Promise<Record<string, string>> {
  const r = await e.pool.query<{ kind: string; due_at: Date }>(
    "select kind, due_at from lethe_deadlines where payload->>'tenantId' = $1 and kind in ('shred-step', 'shred-deadline') and status = 'pending'",
    [tenantId],
  );
  return Object.fromEntries(r.rows.map((row) => [row.kind, row.due_at.toISOString()]));
}

async function tenantEvents(tenantId: string): Promise<string[]> {
  const r = await e.pool.query('select event_type from lethe_events where stream_id = $1 order by stream_revision', [`tenant-${tenantId}`]);
  return r.rows.map((row) => row.event_type);
}

describe('a trigger arriving while a later shred is pending', () => {
  it('moves the shred to its own earlier deadline and execution time; the shred then runs and is verified by it', async () => {
    const onboarded = await e.api('POST', '/v1/tenants', e.tokens.operator, {
      tenantId: 'acme',
      jurisdiction: 'GB-ENG',
      keyCustody: 'managed',
      backupKeyMode: 'customer',
      databases: [{ databaseId: 'db-1' }],
    });
    expect(onboarded.status).toBe(201);

    // A termination effective Wed 3 Feb: executeAt end of Fri 5 Feb, deadline end of Wed 10 Feb.
    const terminated = await e.api('POST', '/v1/tenants/acme/terminations', e.tokens['contract-system'], {
      terminationId: 't-1',
      contractId: 'c-1',
      effectiveAt: '2027-02-03T10:00:00Z',
    });
    expect(terminated.body).toMatchObject({ outcome: 'scheduled', shredId: 'termination:t-1', executeAt: '2027-02-05T23:59:59.999Z', deadline: '2027-02-10T23:59:59.999Z' });

    // The tenant's own deletion request now: owed the end of Mon 11 Jan, executed at the end of Wed 6 Jan.
    const requested = await e.api('POST', '/v1/tenants/acme/deletion-requests', e.tokens['contract-system'], { requestId: 'r-1' });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({
      outcome: 'already-scheduled',
      shredId: 'termination:t-1',
      executeAt: '2027-01-06T23:59:59.999Z',
      deadline: '2027-01-11T23:59:59.999Z',
      lateNotification: false,
    });
    expect(await tenantEvents('acme')).toEqual(['TenantOnboarded', 'ShredScheduled', 'ShredAdvanced']);

    // A later request joins without moving it again.
    const later = await e.api('POST', '/v1/tenants/acme/deletion-requests', e.tokens['contract-system'], {
      requestId: 'r-2',
      requestedAt: '2027-01-04T09:00:00Z',
    });
    expect(later.body).toMatchObject({ outcome: 'already-scheduled', deadline: '2027-01-11T23:59:59.999Z' });
    expect((await tenantEvents('acme')).at(-1)).toBe('ShredTriggerRecorded');

    // Both timers moved (the saga follows the log) and the shred list shows the new deadline.
    await waitUntil(
      async () => {
        const t = await timers('acme');
        return t['shred-step'] === '2027-01-06T23:59:59.999Z' && t['shred-deadline'] === '2027-01-11T23:59:59.999Z';
      },
      10_000,
      'the shred timers moved to the advanced instants',
    );
    await waitUntil(
      async () => {
        const listed = await e.api('GET', '/v1/shreds', e.tokens['ops-reader']);
        const shred = listed.body?.items?.find((s: any) => s.tenantId === 'acme');
        return shred?.deadline === '2027-01-11T23:59:59.999Z' && shred?.executeAt === '2027-01-06T23:59:59.999Z';
      },
      10_000,
      'the shred list shows the advanced deadline',
    );

    // At the new execution time the shred runs and is verified, well before the termination's dates.
    const moved = await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: '2027-01-07T00:00:00.000Z' });
    expect(moved.status).toBe(200);
    await waitUntil(
      async () => {
        await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: '2027-01-07T00:00:00.000Z' });
        return (await tenantEvents('acme')).includes('ShredVerified');
      },
      15_000,
      'the advanced shred verified',
    );
    expect(await tenantEvents('acme')).not.toContain('ShredDeadlineBreached');
  }, 60_000);
});
