/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Key vault outages of hours, end to end over HTTP with the manual clock (LETHE_SIMULATED_VAULT_OUTAGES):
// - timers whose work needs the vault keep retrying (capped backoff, 1 h) for as long as the outage
//   lasts, and do that work within an hour of its end (P1 here: a rotation due mid-outage);
// - onboarding during an outage records the tenant and says its key ring is still opening (202, never
//   a 500); a key command meanwhile is a 503 that stores nothing (never a 404), and once the vault is
//   back the ring opens by its timer and the tenant's backups are accepted.
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

const T0 = new Date('2027-01-04T09:00:00.000Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(T0.getTime() + ms);
/** Outage during which the rotation of `rot` falls due (T0 + 24 h). */
const ROTATION_OUTAGE = { from: at(23 * HOUR), until: at(29 * HOUR), mode: 'fail' } as const;
/** Outage during which `late-ring` is onboarded (T0 + 49 h). */
const ONBOARDING_OUTAGE = { from: at(48 * HOUR), until: at(54 * HOUR), mode: 'timeout' } as const;

let e: InProcessEngine;
let now = T0;

beforeAll(async () => {
  e = await startInProcessEngine(T0.toISOString(), {
    LETHE_SIMULATED_VAULT_OUTAGES: JSON.stringify([ROTATION_OUTAGE, ONBOARDING_OUTAGE]),
    LETHE_KEY_DETECTION_MS: String(6 * HOUR),
  });
}, 60_000);

afterAll(async () => {
  await e?.stop();
});

const onboard = (tenantId: string, extra: Record<string, unknown> = {}) =>
  e.api('POST', '/v1/tenants', e.tokens.operator, {
    tenantId,
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: 'db-1' }],
    ...extra,
  });

const backup = (backupId: string) => ({
  backupId,
  databaseId: 'db-1',
  kind: 'full',
  coveredFrom: new Date(now.getTime() - HOUR).toISOString(),
  takenAt: now.toISOString(),
  expiresAt: new Date(now.getTime() + 30 * 24 * HOUR).toISOString(),
});

/** Moves the clock to `until` in steps of `stepMs`, firing what falls due at each step. */
async function advanceTo(until: Date, stepMs = 10 * 60_000): Promise<void> {
  while (now < until) {
    now = new Date(Math.min(until.getTime(), now.getTime() + stepMs));
    const res = await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: now.toISOString() });
    expect(res.status).toBe(200);
  }
  await e.settledEventCount();
  // Timers set by processors after the last move fire on a tick at the same instant.
  await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: now.toISOString() });
}

async function events(streamId: string): Promise<{ type: string; data: any }[]> {
  const r = await e.pool.query('select event_type as type, data from lethe_events where stream_id = $1 order by stream_revision', [streamId]);
  return r.rows;
}

async function timer(id: string): Promise<{ status: string; last_error: string | null } | undefined> {
  return (await e.pool.query('select status, last_error from lethe_deadlines where id = $1', [id])).rows[0];
}

describe('a key vault outage of hours', () => {
  it('a rotation due during the outage keeps being retried and happens within 1 h after the vault is back (P1)', async () => {
    const onboarded = await onboard('rot', { rotationPeriodDays: 1 });
    expect(onboarded.status).toBe(201);

    await advanceTo(ROTATION_OUTAGE.until);
    // Six hours in, the timer is still trying: pending, its last failure the outage, never parked.
    expect(await timer('key-rotation:rot')).toEqual({ status: 'pending', last_error: expect.stringMatching(/^SimulatedVaultUnavailableError: /) });
    expect((await events('keys-rot')).filter((ev) => ev.type === 'KeyVersionAdded')).toEqual([]);

    await advanceTo(new Date(ROTATION_OUTAGE.until.getTime() + HOUR));
    const added = (await events('keys-rot')).filter((ev) => ev.type === 'KeyVersionAdded');
    expect(added).toHaveLength(1);
    expect(added[0].data.source).toBe('policy');
    const createdAt = Date.parse(added[0].data.createdAt);
    expect(createdAt).toBeGreaterThanOrEqual(ROTATION_OUTAGE.until.getTime());
    expect(createdAt).toBeLessThanOrEqual(ROTATION_OUTAGE.until.getTime() + HOUR);
    expect((await e.pool.query(`select count(*)::int as n from lethe_deadlines where status = 'failed'`)).rows[0].n).toBe(0);
  }, 120_000);

  it('onboarding during the outage answers 202 with the tenant stored; a backup meanwhile is a 503 storing nothing; after the outage both work', async () => {
    await advanceTo(at(49 * HOUR), HOUR);
    const onboarded = await onboard('late-ring');
    expect(onboarded.status).toBe(202);
    expect(onboarded.body).toMatchObject({ tenantId: 'late-ring', status: 'active', databases: [{ databaseId: 'db-1' }] });
    // The same body again gets the same answer while the vault is still down.
    expect((await onboard('late-ring')).status).toBe(202);
    expect((await e.api('GET', '/v1/tenants/late-ring', e.tokens['ops-reader'])).status).toBe(200);

    const refused = await e.api('POST', '/v1/tenants/late-ring/backups', e.tokens.operator, backup('b-during'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body).toMatchObject({ status: 503, code: 'vault-unavailable' });
    expect(refused.text).not.toMatch(/simulated/i);
    expect(await events('keys-late-ring')).toEqual([]);

    // A second tenant onboarded in the outage, whose timer will not come round for years: the first
    // key command after the outage opens its ring itself.
    expect((await onboard('late-cmd')).status).toBe(202);
    await e.settledEventCount();
    await e.pool.query(
      "update lethe_deadlines set due_at = due_at + interval '10 years', next_attempt_at = next_attempt_at + interval '10 years' where id = 'key-ring-open:late-cmd'",
    );

    // The vault is back: the ring opens by its timer within the backoff cap, and backups are accepted.
    await advanceTo(new Date(ONBOARDING_OUTAGE.until.getTime() + HOUR));
    expect((await events('keys-late-ring')).map((ev) => ev.type)).toContain('KeyRingOpened');
    const accepted = await e.api('POST', '/v1/tenants/late-ring/backups', e.tokens.operator, backup('b-after'));
    expect(accepted.status).toBe(201);
    expect((await onboard('late-ring')).status).toBe(201);

    expect(await events('keys-late-cmd')).toEqual([]);
    const opened = await e.api('POST', '/v1/tenants/late-cmd/backups', e.tokens.operator, backup('b-first'));
    expect(opened.status).toBe(201);
    expect((await events('keys-late-cmd')).map((ev) => ev.type)).toEqual(['KeyRingOpened', 'BackupRecorded']);
    expect((await e.api('POST', '/v1/tenants/no-such-tenant/backups', e.tokens.operator, backup('b-none'))).status).toBe(404);
  }, 120_000);
});
