// The oracle against the real engine (in process, real PostgreSQL, manual clock): a small fleet run
// through rotations, a retirement held by a backup, client rotations, terminations across Christmas
// (DE-BY, Friday–Saturday weekends in IL), a cancel and a duplicated request must give no violation;
// the engine with each LETHE_SABOTAGE defect must give exactly the matching one. The run here is a
// minimal driver of its own: it steps the clock onto every due timer (at most 12 h apart), lets
// processors and timers settle, applies the facts of the instant, then asks the oracle.
import { ManualClock } from '@lethe/clock';
import { LocalKeyVault, MasterKey } from '@lethe/vault';
import { waitUntil } from '../../../../test/support/engine-process.js';
import { startInProcessEngine, type InProcessEngine } from '../../../../test/support/in-process-engine.js';
import type { FleetFact, FleetPlan, TenantSpec, Violation } from '../fleet/fleet-facts.js';
import { Oracle, readEventsAfter, readVaultSnapshot } from './index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_STEP = 12 * HOUR;
const ms = Date.parse;
const iso = (t: number) => new Date(t).toISOString();

const START = '2026-12-18T09:00:00.000Z';
const day = (n: number, plus = 0) => iso(ms(START) + n * DAY + plus);

const tenantSpec = (over: Partial<TenantSpec> & Pick<TenantSpec, 'tenantId' | 'jurisdiction'>): TenantSpec => ({
  keyCustody: 'managed',
  backupKeyMode: 'customer',
  rotationPeriodDays: 365,
  pitrRetentionDays: 35,
  databases: ['db-1'],
  ...over,
});

/** GB-ENG, managed: rotated every 5 days; a backup holds its first version until day 8. */
const GB = tenantSpec({ tenantId: 'gb-managed', jurisdiction: 'GB-ENG', rotationPeriodDays: 5, pitrRetentionDays: 1, databases: ['a-1', 'a-2'] });
/** IL, client-held, platform-key backups: the client rotates on day 3; a deletion request on Christmas Eve. */
const IL = tenantSpec({ tenantId: 'il-client', jurisdiction: 'IL', keyCustody: 'client', backupKeyMode: 'platform', rotationPeriodDays: 4 });
/** DE-BY, managed, two databases: terminated on 22 December (Christmas Eve a partial day, 25/26 holidays). */
const BY = tenantSpec({ tenantId: 'by-managed', jurisdiction: 'DE-BY', databases: ['c-1', 'c-2'] });
/** US-NY: terminated, cancelled an hour later, then a deletion request delivered twice. */
const NY = tenantSpec({ tenantId: 'ny-cancel', jurisdiction: 'US-NY' });

const onboard = (tenant: TenantSpec): FleetFact => ({ at: START, kind: 'onboard', tenant });
const backupOf = (tenantId: string, backupId: string, databaseId: string, takenAt: string, expiresAt: string): FleetFact => ({
  at: takenAt,
  kind: 'backup',
  tenantId,
  backupId,
  databaseId,
  schedule: 'weekly-full',
  coveredFrom: iso(ms(takenAt) - 12 * HOUR),
  takenAt,
  expiresAt,
});
const terminationOf = (tenantId: string, when: string, deliveries = 1): FleetFact => ({
  at: when,
  kind: 'termination',
  tenantId,
  terminationId: `t-${tenantId}`,
  contractId: `c-${tenantId}`,
  effectiveAt: when,
  deliveries,
});

function planOf(facts: FleetFact[], end: string): FleetPlan {
  const sorted = [...facts].sort((a, b) => ms(a.at) - ms(b.at));
  return { seed: 1, start: START, end, tenants: sorted.flatMap((f) => (f.kind === 'onboard' ? [f.tenant] : [])), facts: sorted, vaultOutages: [], crashes: [] };
}

const BACKUP_KIND = { pitr: 'pitr', 'weekly-full': 'full', monthly: 'ltr', yearly: 'ltr' } as const;

/** Runs the plan on a fresh engine (with `env`), checking the oracle after every step; returns every violation. */
async function simulate(plan: FleetPlan, env: Record<string, string> = {}): Promise<{ violations: readonly Violation[]; oracle: Oracle }> {
  const e = await startInProcessEngine(START, { LETHE_KEY_DETECTION_MS: String(HOUR), ...env });
  try {
    const oracle = new Oracle(plan, { secrets: [e.masterKey, ...Object.values(e.tokens)] });
    let now = ms(START);
    let position = 0n;
    let next = 0;
    const end = ms(plan.end);
    for (;;) {
      await settle(e, now);
      while (next < plan.facts.length && ms(plan.facts[next].at) <= now) await apply(e, plan.facts[next++], now);
      await settle(e, now);
      for (let page = await readEventsAfter(e.pool, position, 1000); page.length > 0; page = await readEventsAfter(e.pool, position, 1000)) {
        oracle.ingest(page);
        position = page[page.length - 1].position;
      }
      oracle.check(new Date(now), await readVaultSnapshot(e.pool, { platformBackupsOf: oracle.platformBackupTenants() }));
      if (now >= end) break;
      now = Math.min(end, now + MAX_STEP, next < plan.facts.length ? ms(plan.facts[next].at) : end, await nextDeadline(e, now));
      const moved = await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: iso(now) });
      if (moved.status !== 200) throw new Error(`clock: ${moved.status} ${moved.text}`);
    }
    return { violations: oracle.violations(), oracle };
  } finally {
    await e.stop();
  }
}

/** The next timer that matters (vault detection runs on its own hourly timers and may fire at the next step). */
async function nextDeadline(e: InProcessEngine, now: number): Promise<number> {
  const r = await e.pool.query<{ next: Date | null }>(
    `select min(coalesce(next_attempt_at, due_at)) as next from lethe_deadlines where status = 'pending' and kind <> 'key-detection' and coalesce(next_attempt_at, due_at) > $1`,
    [new Date(now)],
  );
  return r.rows[0].next?.getTime() ?? Number.POSITIVE_INFINITY;
}

/** Until the processors reached the log's head and no timer is due: each round fires what became due. */
async function settle(e: InProcessEngine, now: number): Promise<void> {
  await waitUntil(
    async () => {
      const head = await e.pool.query<{ p: string | null }>('select max(global_position)::text as p from lethe_events');
      const behind = await e.pool.query('select 1 from lethe_checkpoints where position < $1', [head.rows[0].p ?? '0']);
      const due = await e.pool.query(`select 1 from lethe_deadlines where status = 'pending' and coalesce(next_attempt_at, due_at) <= $1 limit 1`, [new Date(now)]);
      if (due.rowCount !== 0) await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: iso(now) });
      return behind.rowCount === 0 && due.rowCount === 0;
    },
    20_000,
    'processors and due timers to settle',
  );
}

async function apply(e: InProcessEngine, f: FleetFact, now: number): Promise<void> {
  const call = async (method: string, path: string, token: string, body: unknown, ok: number[]) => {
    const res = await e.api(method, path, token, body);
    if (!ok.includes(res.status)) throw new Error(`${f.kind} ${path}: ${res.status} ${res.text}`);
  };
  const tenantPath = (id: string) => `/v1/tenants/${id}`;
  switch (f.kind) {
    case 'onboard': {
      const t = f.tenant;
      const body = {
        tenantId: t.tenantId,
        jurisdiction: t.jurisdiction,
        ...(t.timeZone ? { timeZone: t.timeZone } : {}),
        keyCustody: t.keyCustody,
        backupKeyMode: t.backupKeyMode,
        databases: t.databases.map((databaseId) => ({ databaseId })),
        rotationPeriodDays: t.rotationPeriodDays,
        pitrRetentionDays: t.pitrRetentionDays,
      };
      return call('POST', '/v1/tenants', e.tokens.operator, body, [201]);
    }
    case 'backup':
      return call(
        'POST',
        `${tenantPath(f.tenantId)}/backups`,
        e.tokens.operator,
        { backupId: f.backupId, databaseId: f.databaseId, kind: BACKUP_KIND[f.schedule], coveredFrom: f.coveredFrom, takenAt: f.takenAt, expiresAt: f.expiresAt },
        [201],
      );
    case 'client-rotation': {
      // The client makes a new version in its own vault, outside Lethe (the engine's vault tables, its master key).
      const key = await e.pool.query<{ key_id: string }>('select key_id from vault_keys where tenant_id = $1', [f.tenantId]);
      const vault = new LocalKeyVault(e.pool, MasterKey.fromBytes(Buffer.from(e.masterKey, 'base64')), new ManualClock(new Date(now)));
      await vault.createVersion(key.rows[0].key_id);
      return;
    }
    case 'termination':
      for (let i = 0; i < f.deliveries; i++) {
        await call('POST', `${tenantPath(f.tenantId)}/terminations`, e.tokens['contract-system'], { terminationId: f.terminationId, contractId: f.contractId, effectiveAt: f.effectiveAt }, [202]);
      }
      return;
    case 'deletion-request':
      for (let i = 0; i < f.deliveries; i++) await call('POST', `${tenantPath(f.tenantId)}/deletion-requests`, e.tokens['contract-system'], { requestId: f.requestId }, [202]);
      return;
    case 'cancel-shred':
      return call('POST', `${tenantPath(f.tenantId)}/shred/cancel`, e.tokens.operator, { reason: 'contract renewed' }, [200]);
    default:
      throw new Error(`this spec's driver does not apply ${f.kind}`);
  }
}

const summary = (vs: readonly Violation[]) => vs.map((v) => `${v.tenantId} ${v.promise}: expected ${v.expected}; actual ${v.actual}`);

// The clean run and the defects' runs go side by side (two engines at a time, each with its own
// database): they mostly wait on the engine, and more engines at once would crowd the server's connections.
const CLEAN_PLAN = planOf(
  [
    onboard(GB),
    onboard(IL),
    onboard(BY),
    onboard(NY),
    backupOf('gb-managed', 'gb-b1', 'a-1', day(1), day(8)),
    backupOf('il-client', 'il-b1', 'db-1', day(2), day(60)),
    { at: day(3), kind: 'client-rotation', tenantId: 'il-client' },
    terminationOf('ny-cancel', '2026-12-21T15:00:00.000Z'),
    { at: '2026-12-21T16:00:00.000Z', kind: 'cancel-shred', tenantId: 'ny-cancel' },
    terminationOf('by-managed', '2026-12-22T12:00:00.000Z'),
    { at: '2026-12-23T15:00:00.000Z', kind: 'deletion-request', tenantId: 'ny-cancel', requestId: 'r-ny', deliveries: 2 },
    { at: '2026-12-24T08:00:00.000Z', kind: 'deletion-request', tenantId: 'il-client', requestId: 'r-il', deliveries: 1 },
  ],
  day(14),
);
const BY_TERMINATED = planOf([onboard(BY), terminationOf('by-managed', '2026-12-22T12:00:00.000Z')], '2026-12-31T12:00:00.000Z');

type Run = Awaited<ReturnType<typeof simulate>>;
let runs: Record<'clean' | 'early-retirement' | 'holiday-as-working-day' | 'skip-probe', Promise<Run>>;

beforeAll(() => {
  const early = simulate(planOf([onboard(GB), backupOf('gb-managed', 'gb-b1', 'a-1', day(1), day(8))], day(9)), { LETHE_SABOTAGE: 'early-retirement' });
  const holiday = early.catch(() => undefined).then(() => simulate(BY_TERMINATED, { LETHE_SABOTAGE: 'holiday-as-working-day' }));
  const skip = holiday.catch(() => undefined).then(() => simulate(BY_TERMINATED, { LETHE_SABOTAGE: 'skip-probe' }));
  runs = { clean: simulate(CLEAN_PLAN), 'early-retirement': early, 'holiday-as-working-day': holiday, 'skip-probe': skip };
  // Each test awaits its own run; none may go unhandled meanwhile.
  for (const run of Object.values(runs)) run.catch(() => undefined);
});

describe('the oracle judging the real engine', () => {
  it('finds no violation in a fleet run through rotations, retirements, client rotations, shreds, a cancel and a duplicate', async () => {
    const { violations, oracle } = await runs.clean;
    expect(summary(violations)).toEqual([]);
    const counts = oracle.counts();
    // The run did what it claims: rotations, a detected client version, retirements, a due client key, three verified shreds.
    expect(counts['keyVersions:policy']).toBeGreaterThanOrEqual(2);
    expect(counts['keyVersions:detected']).toBe(1);
    expect(counts.retirements).toBeGreaterThanOrEqual(1);
    expect(counts.rotationsDue).toBeGreaterThanOrEqual(1);
    expect(counts.shredsVerified).toBe(3);
    expect(counts.shredsCancelled).toBe(1);
    expect(counts.duplicateDeliveries).toBe(1);
    const margins = oracle.margins();
    expect(margins.shredDeadlineMs).toBeGreaterThan(0);
    expect(margins.rotationMs).toBe(0);
    expect(margins.retirementMs).toBeGreaterThanOrEqual(0);
  }, 90_000);

  describe('with LETHE_SABOTAGE, the matching violation and no other', () => {
    it('early-retirement: P3', async () => {
      const { violations } = await runs['early-retirement'];
      expect([...new Set(violations.map((v) => v.promise))]).toEqual(['P3']);
      expect(violations[0].expected).toContain('retired no earlier than');
    }, 90_000);

    it('holiday-as-working-day: P4', async () => {
      const { violations } = await runs['holiday-as-working-day'];
      expect(violations.map((v) => v.promise)).toEqual(['P4']);
      expect(violations[0].expected).toContain('deadline 2026-12-30T22:59:59.999Z');
    }, 90_000);

    it('skip-probe: P5', async () => {
      const { violations } = await runs['skip-probe'];
      expect(violations.map((v) => v.promise)).toEqual(['P5']);
      expect(violations[0].actual).toContain('not proven: c-2');
    }, 90_000);
  });
});
