// The seeded fleet generator (issue 12): from a seed, a realistic fleet of tenants over simulated
// years, as the facts the driver applies to the engine (fleet-facts.ts). The same options give the
// same plan, deep-equal, on every machine.
//
// Every value stays within what the engine accepts (apps/engine/src/api: ids, jurisdictions, time
// zones, rotation period 1..730 days, point-in-time window 1..35 days, backup instants), and no fact
// asks the engine for what it rightly refuses: nothing reaches a tenant after its shred could have
// executed but further triggers, which the engine records as joining the shred (deletion-story.ts).
//
// Random streams: the faults and each tenant draw from their own sub-stream of the seed, and each
// part of a tenant (profile, contract end, policy, databases, client rotations, backups) from its own
// sub-stream of the tenant's. So tenant i is the same in a fleet of any size, and turning a fault on
// changes only what that fault is about (and what a shred then cuts short).
import { FAULT_KINDS, type FaultKind, type FleetPlan, type KeyCustody, type TenantSpec } from './fleet-facts.js';
import { backupFacts, type BackupDatabase } from './backup-schedule.js';
import { deletionStory } from './deletion-story.js';
import { crashInstants, vaultOutages } from './fleet-faults.js';
import { addYears, DAY, iso, toDailyReport, YEAR_MS, type TimedFact } from './fleet-time.js';
import { JURISDICTIONS } from './jurisdictions.js';
import { Random } from './random.js';

export interface GenerateFleetOptions {
  /** Number of tenants, a whole number >= 0. */
  readonly tenants: number;
  /** Length of the run in calendar years (a fraction counts as that share of 365.25 days); at least a day. */
  readonly years: number;
  /** Any integer; only its low 32 bits count. */
  readonly seed: number;
  /** Faults to inject; an empty list gives a fleet with none of them. */
  readonly faults: readonly FaultKind[];
  /** ISO 8601 instant the run starts (default DEFAULT_FLEET_START, a Monday); not before 2000 (the engine's earliest instant). */
  readonly start?: string;
}

export const DEFAULT_FLEET_START = '2027-01-04T00:00:00.000Z';

/** The engine refuses instants before this (EARLIEST_INSTANT of its field rules). */
const EARLIEST_START = Date.parse('2000-01-01T00:00:00Z');

/** Shares of tenants onboarded at the run's first instant, and in its first half (the rest: the second). */
const ONBOARDED_AT_START = 0.08;
const ONBOARDED_IN_FIRST_HALF = 0.72;
/** Share of tenants whose key the client holds (the rest: managed by the platform). */
const CLIENT_HELD = 0.3;
/** Share of tenants whose backups are encrypted with a platform key (purged by the shred). */
const PLATFORM_KEY_BACKUPS = 0.35;
/** Share of tenants that name their time zone (the rest take the jurisdiction's default). */
const EXPLICIT_TIME_ZONE = 0.2;
/** Rotation periods (days) and how common each is. */
const ROTATION_PERIODS: readonly (readonly [number, number])[] = [
  [30, 1],
  [90, 2.5],
  [180, 2],
  [365, 3.5],
  [730, 1],
];
/** Point-in-time windows (days) and how common each is; 35 is the engine's default. */
const PITR_WINDOWS: readonly (readonly [number, number])[] = [
  [35, 5],
  [30, 1],
  [14, 2],
  [7, 2],
  [3, 0.5],
  [1, 0.5],
];
/** Share of tenants whose rotation period is changed (once or twice), and whose window is (once). */
const ROTATION_PERIOD_CHANGED = 0.15;
const PITR_WINDOW_CHANGED = 0.1;
/** Databases: 1 or 2 at onboarding, then one added every few years on average, at most this many. */
const SECOND_DATABASE_AT_ONBOARDING = 0.4;
const DATABASE_ADDED_EVERY = 3 * YEAR_MS;
const MAX_DATABASES = 6;
/** Client rotations: most before the period runs out (at 40–98% of it), some late (102–140%). */
const CLIENT_ROTATION_LATE = 0.15;

interface Run {
  readonly start: number;
  readonly end: number;
  readonly faults: ReadonlySet<FaultKind>;
}

/**
 * The fleet plan for `options`: every tenant onboarded, every fact sorted by `at` (ties in generation
 * order), vault outages and crashes when those faults are asked for.
 * Throws RangeError naming the option and its rule for a bad option.
 */
export function generateFleet(options: GenerateFleetOptions): FleetPlan {
  const run = checked(options);
  const rng = new Random(options.seed);
  const outageRng = rng.fork();
  const crashRng = rng.fork();
  const tenants: TenantSpec[] = [];
  const timed: TimedFact[] = [];
  for (let i = 0; i < options.tenants; i++) {
    const tenant = tenantOf(rng.fork(), i, run);
    tenants.push(tenant.spec);
    for (const f of tenant.facts) timed.push(f);
  }
  // Array.prototype.sort is stable: facts of one instant keep generation order (a tenant's onboarding first).
  timed.sort((a, b) => a.t - b.t);
  return {
    seed: options.seed,
    start: iso(run.start),
    end: iso(run.end),
    tenants,
    facts: timed.map((f) => f.fact),
    vaultOutages: run.faults.has('vault') ? vaultOutages(outageRng, run.start, run.end) : [],
    crashes: run.faults.has('crash') ? crashInstants(crashRng, run.start, run.end) : [],
  };
}

function checked(options: GenerateFleetOptions): Run {
  const { tenants, years, seed, faults } = options;
  if (!Number.isInteger(tenants) || tenants < 0) throw new RangeError(`tenants must be a whole number >= 0, got ${tenants}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const startText = options.start ?? DEFAULT_FLEET_START;
  const start = Date.parse(startText);
  if (!Number.isFinite(start) || start < EARLIEST_START) throw new RangeError(`start must be an ISO 8601 instant from 2000-01-01T00:00:00Z, got ${startText}`);
  if (!Number.isFinite(years) || years * 365.25 < 1) throw new RangeError(`years must be a number of years of at least one day, got ${years}`);
  const unknown = faults.filter((f) => !(FAULT_KINDS as readonly string[]).includes(f));
  if (unknown.length > 0) throw new RangeError(`faults must each be one of ${FAULT_KINDS.join(', ')}, got ${unknown.join(', ')}`);
  return { start, end: addYears(start, years), faults: new Set(faults) };
}

/** Tenant `index` (0-based): its profile and every fact about it. */
function tenantOf(rng: Random, index: number, run: Run): { spec: TenantSpec; facts: TimedFact[] } {
  const r = { profile: rng.fork(), story: rng.fork(), policy: rng.fork(), databases: rng.fork(), client: rng.fork(), backups: rng.fork() };
  const tenantId = `t-${String(index + 1).padStart(4, '0')}-${r.profile.token(4)}`;
  const onboardAt = onboardingInstant(r.profile, run);
  const place = r.profile.weighted(JURISDICTIONS.map((j) => [j, j.weight] as const));
  const explicitZone = r.profile.chance(EXPLICIT_TIME_ZONE);
  const zone = r.profile.pick(place.zones);
  const keyCustody: KeyCustody = r.profile.chance(CLIENT_HELD) ? 'client' : 'managed';
  const spec: TenantSpec = {
    tenantId,
    jurisdiction: place.code,
    ...(explicitZone ? { timeZone: zone } : {}),
    keyCustody,
    backupKeyMode: r.profile.chance(PLATFORM_KEY_BACKUPS) ? 'platform' : 'customer',
    rotationPeriodDays: r.profile.weighted(ROTATION_PERIODS),
    pitrRetentionDays: r.profile.weighted(PITR_WINDOWS),
    databases: r.profile.chance(SECOND_DATABASE_AT_ONBOARDING) ? ['db-1', 'db-2'] : ['db-1'],
  };
  const facts: TimedFact[] = [{ t: onboardAt, fact: { at: iso(onboardAt), kind: 'onboard', tenant: spec } }];

  const story = deletionStory(r.story, { tenantId, onboardAt, end: run.end, duplicates: run.faults.has('duplicates'), late: run.faults.has('late') });
  facts.push(...story.facts);
  const until = story.lifeEnd;

  const rotation = settingChanges(r.policy, ROTATION_PERIOD_CHANGED, 2, ROTATION_PERIODS, spec.rotationPeriodDays, onboardAt, until);
  for (const c of rotation) facts.push({ t: c.from, fact: { at: iso(c.from), kind: 'rotation-period-changed', tenantId, rotationPeriodDays: c.value } });
  const pitr = settingChanges(r.policy, PITR_WINDOW_CHANGED, 1, PITR_WINDOWS, spec.pitrRetentionDays, onboardAt, until);
  for (const c of pitr) facts.push({ t: c.from, fact: { at: iso(c.from), kind: 'pitr-retention-changed', tenantId, pitrRetentionDays: c.value } });
  const rotationAt = inForce(spec.rotationPeriodDays, rotation);
  const pitrDaysAt = inForce(spec.pitrRetentionDays, pitr);

  const databases: BackupDatabase[] = spec.databases.map((databaseId) => ({ databaseId, addedAt: onboardAt }));
  for (let t = onboardAt + r.databases.exponential(DATABASE_ADDED_EVERY); t < until && databases.length < MAX_DATABASES; t += r.databases.exponential(DATABASE_ADDED_EVERY)) {
    const addedAt = toDailyReport(t);
    if (addedAt >= until) break;
    const databaseId = `db-${databases.length + 1}`;
    databases.push({ databaseId, addedAt });
    facts.push({ t: addedAt, fact: { at: iso(addedAt), kind: 'add-database', tenantId, databaseId } });
  }

  if (keyCustody === 'client') {
    // The client rotates in its own vault on its own rhythm: usually early, sometimes past the period.
    for (let t = onboardAt; ; ) {
      const late = r.client.chance(CLIENT_ROTATION_LATE);
      const share = late ? r.client.float(1.02, 1.4) : r.client.float(0.4, 0.98);
      t = toDailyReport(t + share * rotationAt(t) * DAY);
      if (t >= until) break;
      facts.push({ t, fact: { at: iso(t), kind: 'client-rotation', tenantId } });
    }
  }

  facts.push(...backupFacts(r.backups, { tenantId, databases, start: run.start, until, pitrDaysAt }));
  return { spec, facts };
}

function onboardingInstant(rng: Random, run: Run): number {
  const u = rng.next();
  const at = rng.next();
  if (u < ONBOARDED_AT_START) return run.start;
  const middle = run.start + (run.end - run.start) / 2;
  const last = Math.max(run.start, run.end - DAY);
  const [from, to] = u < ONBOARDED_AT_START + ONBOARDED_IN_FIRST_HALF ? [run.start, middle] : [middle, last];
  const t = toDailyReport(from + at * (to - from));
  return t > last ? from : t;
}

interface Change {
  readonly from: number;
  readonly value: number;
}

/** With probability `share`, 1..`max` changes at random instants in (from + 1 day, until), each to a value other than the one in force. */
function settingChanges(rng: Random, share: number, max: number, values: readonly (readonly [number, number])[], initial: number, from: number, until: number): Change[] {
  const changed = rng.chance(share);
  const n = rng.int(1, max);
  const instants = Array.from({ length: n }, () => toDailyReport(rng.float(from + DAY, until)))
    .filter((t) => t < until)
    .sort((a, b) => a - b);
  if (!changed || from + DAY >= until) return [];
  const changes: Change[] = [];
  let current = initial;
  for (const t of instants) {
    const value = rng.weighted(values.filter(([v]) => v !== current));
    changes.push({ from: t, value });
    current = value;
  }
  return changes;
}

/** The value in force at `t`: the last change at or before it, else `initial`. */
function inForce(initial: number, changes: readonly Change[]): (t: number) => number {
  return (t) => {
    let value = initial;
    for (const c of changes) if (c.from <= t) value = c.value;
    return value;
  };
}

