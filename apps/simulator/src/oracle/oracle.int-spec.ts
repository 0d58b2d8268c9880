// The oracle against the real engine (a child process on real PostgreSQL, manual clock, driven by the
// simulator's driver): a small hand-made fleet run through rotations, a retirement held by a backup,
// client rotations, terminations across Christmas (DE-BY, Friday–Saturday weekends in IL), a cancel
// and a duplicated request must give no violation; the engine with each LETHE_SABOTAGE defect must
// give exactly the matching one.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulation, type SimulationResult } from '../driver/simulation.js';
import type { FleetFact, FleetPlan, TenantSpec, Violation } from '../fleet/fleet-facts.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
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

/** Runs the plan through the simulator's driver on a fresh engine (with `sabotage`); returns every violation and the oracle's figures. */
async function simulate(plan: FleetPlan, sabotage?: string): Promise<SimulationResult> {
  return runSimulation({
    plan,
    outDir: mkdtempSync(join(tmpdir(), 'lethe-oracle-')),
    databaseUrl: process.env.LETHE_TEST_ADMIN_URL,
    ...(sabotage ? { sabotage } : {}),
  });
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
  const early = simulate(planOf([onboard(GB), backupOf('gb-managed', 'gb-b1', 'a-1', day(1), day(8))], day(9)), 'early-retirement');
  const holiday = early.catch(() => undefined).then(() => simulate(BY_TERMINATED, 'holiday-as-working-day'));
  const skip = holiday.catch(() => undefined).then(() => simulate(BY_TERMINATED, 'skip-probe'));
  runs = { clean: simulate(CLEAN_PLAN), 'early-retirement': early, 'holiday-as-working-day': holiday, 'skip-probe': skip };
  // Each test awaits its own run; none may go unhandled meanwhile.
  for (const run of Object.values(runs)) run.catch(() => undefined);
});

describe('the oracle judging the real engine', () => {
  it('finds no violation in a fleet run through rotations, retirements, client rotations, shreds, a cancel and a duplicate', async () => {
    const { violations, counts, margins, unexpectedAnswers } = await runs.clean;
    expect(summary(violations)).toEqual([]);
    expect(unexpectedAnswers).toEqual([]);
    // The run did what it claims: rotations, a detected client version, retirements, a due client key, three verified shreds.
    expect(counts['keyVersions:policy']).toBeGreaterThanOrEqual(2);
    expect(counts['keyVersions:detected']).toBe(1);
    expect(counts.retirements).toBeGreaterThanOrEqual(1);
    expect(counts.rotationsDue).toBeGreaterThanOrEqual(1);
    expect(counts.shredsVerified).toBe(3);
    expect(counts.shredsCancelled).toBe(1);
    expect(counts.duplicateDeliveries).toBe(1);
    expect(margins.shredDeadlineMs).toBeGreaterThan(0);
    expect(margins.rotationMs).toBe(0);
    expect(margins.retirementMs).toBeGreaterThanOrEqual(0);
  }, 240_000);

  describe('with LETHE_SABOTAGE, the matching violation and no other', () => {
    it('early-retirement: P3', async () => {
      const { violations } = await runs['early-retirement'];
      expect([...new Set(violations.map((v) => v.promise))]).toEqual(['P3']);
      expect(violations[0].expected).toContain('retired no earlier than');
    }, 240_000);

    it('holiday-as-working-day: P4', async () => {
      const { violations } = await runs['holiday-as-working-day'];
      expect(violations.map((v) => v.promise)).toEqual(['P4']);
      expect(violations[0].expected).toContain('deadline 2026-12-30T22:59:59.999Z');
    }, 240_000);

    it('skip-probe: P5', async () => {
      const { violations } = await runs['skip-probe'];
      expect(violations.map((v) => v.promise)).toEqual(['P5']);
      expect(violations[0].actual).toContain('not proven: c-2');
    }, 240_000);
  });
});
