// The fleet generator: deterministic, realistic, and never asking the engine for what its API
// refuses. Request bodies are checked with the engine's own request schemas (apps/engine/src/api)
// and its instant ranges (@lethe/domain) at each fact's simulated instant.
import {
  addDatabaseSchema,
  backupIdSchema,
  backupRetentionSchema,
  backupSchema,
  cancelShredSchema,
  deletionRequestSchema,
  onboardTenantSchema,
  patchTenantSchema,
  terminationSchema,
} from '../../../engine/src/api/tenant.schemas.js';
import { instantInRange, instantRangeRule, INSTANT_RANGES, type InstantRange } from '@lethe/domain';
import Holidays from 'date-holidays';
import { FAULT_KINDS, generateFleet, type FaultKind, type FleetFact, type FleetPlan } from './index.js';
import { onboardingBody } from '../driver/apply-fact.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ms = Date.parse;

const BACKUP_KIND = { pitr: 'pitr', 'weekly-full': 'full', monthly: 'ltr', yearly: 'ltr' } as const;

interface Schema {
  safeParse(value: unknown): { success: boolean; error?: unknown };
}

/** The engine's request schemas with instants checked against `now`. */
const schemasAt = (now: Date) => ({
  backup: backupSchema(now),
  retention: backupRetentionSchema(now),
  termination: terminationSchema(now),
  deletion: deletionRequestSchema(now),
});

/** The bodies the driver sends for a fact, each with the engine's schema for it; null for a fact applied in the vault. */
function requestOf(f: FleetFact, schemas: ReturnType<typeof schemasAt>): { body: unknown; schema: Schema }[] | null {
  switch (f.kind) {
    case 'onboard':
      return [{ body: onboardingBody(f.tenant), schema: onboardTenantSchema }];
    case 'add-database':
      return [{ body: { databaseId: f.databaseId }, schema: addDatabaseSchema }];
    case 'backup':
      return [
        {
          body: { backupId: f.backupId, databaseId: f.databaseId, kind: BACKUP_KIND[f.schedule], coveredFrom: f.coveredFrom, takenAt: f.takenAt, expiresAt: f.expiresAt },
          schema: schemas.backup,
        },
      ];
    case 'backup-deleted':
      return [{ body: f.backupId, schema: backupIdSchema }];
    case 'backup-retention-changed':
      return [
        { body: f.backupId, schema: backupIdSchema },
        { body: { expiresAt: f.expiresAt }, schema: schemas.retention },
      ];
    case 'rotation-period-changed':
      return [{ body: { rotationPeriodDays: f.rotationPeriodDays }, schema: patchTenantSchema }];
    case 'pitr-retention-changed':
      return [{ body: { pitrRetentionDays: f.pitrRetentionDays }, schema: patchTenantSchema }];
    case 'termination':
      return [{ body: { terminationId: f.terminationId, contractId: f.contractId, effectiveAt: f.effectiveAt }, schema: schemas.termination }];
    case 'deletion-request':
      return [{ body: { requestId: f.requestId }, schema: schemas.deletion }];
    case 'cancel-shred':
      return [{ body: { reason: 'contract renewed' }, schema: cancelShredSchema }];
    case 'client-rotation':
      return null;
  }
}

/** A fact's instants in its request, with the range the engine allows each around the fact's instant. */
function instantsOf(f: FleetFact): [string, InstantRange][] {
  if (f.kind === 'backup') return [[f.coveredFrom, INSTANT_RANGES.past], [f.takenAt, INSTANT_RANGES.past], [f.expiresAt, INSTANT_RANGES.horizon]];
  if (f.kind === 'backup-retention-changed') return [[f.expiresAt, INSTANT_RANGES.horizon]];
  if (f.kind === 'termination') return [[f.effectiveAt, INSTANT_RANGES.effective]];
  return [];
}

const tenantOf = (f: FleetFact) => (f.kind === 'onboard' ? f.tenant.tenantId : f.tenantId);
const isTrigger = (f: FleetFact): f is Extract<FleetFact, { kind: 'termination' | 'deletion-request' }> => f.kind === 'termination' || f.kind === 'deletion-request';
const factsOfKind = <K extends FleetFact['kind']>(plan: FleetPlan, kind: K) => plan.facts.filter((f): f is Extract<FleetFact, { kind: K }> => f.kind === kind);
/** How long after its effective instant a termination notice arrived (ms; negative: before). */
const noticeDelay = (f: Extract<FleetFact, { kind: 'termination' }>) => ms(f.at) - ms(f.effectiveAt);
/** Each trigger at its first receipt: a resend (the same id again) is the same trigger, and changes nothing. */
const firstReceipts = (plan: FleetPlan) => {
  const seen = new Set<string>();
  return plan.facts.filter(isTrigger).filter((f) => {
    const key = `${f.tenantId}|${f.kind}|${f.kind === 'termination' ? f.terminationId : f.requestId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};
const lateNotices = (plan: FleetPlan) =>
  firstReceipts(plan).filter((f): f is Extract<FleetFact, { kind: 'termination' }> => f.kind === 'termination' && noticeDelay(f) > 3 * DAY);
const redelivered = (plan: FleetPlan) => {
  const seen = new Set<string>();
  return plan.facts.filter(isTrigger).filter((f) => {
    const key = `${f.tenantId}|${f.kind}|${f.kind === 'termination' ? f.terminationId : f.requestId}`;
    const again = seen.has(key);
    seen.add(key);
    return again || f.deliveries > 1;
  });
};

/**
 * No earlier than this could a trigger's shred execute, without the engine's calendar: at the notice
 * when it came after the effective instant (its executeAt may have passed already); else the 2 grace
 * working days after the effective instant's local date put it at least 47 hours later (ARCHITECTURE
 * §3) — counted here as 23, a margin for whatever the generator assumed wrongly.
 */
const earliestExecution = (f: Extract<FleetFact, { kind: 'termination' | 'deletion-request' }>) =>
  f.kind === 'termination' && noticeDelay(f) > 0 ? ms(f.at) : (f.kind === 'termination' ? ms(f.effectiveAt) : ms(f.at)) + 23 * HOUR;

const ALL = generateFleet({ tenants: 1000, years: 10, seed: 42, faults: FAULT_KINDS });
const CLEAN = generateFleet({ tenants: 300, years: 10, seed: 7, faults: [] });

describe('the fleet generator', () => {
  describe('given the same options', () => {
    it('then it gives the same plan, deep-equal; another seed gives another', () => {
      const options = { tenants: 40, years: 3, seed: 1234, faults: FAULT_KINDS };
      expect(generateFleet(options)).toEqual(generateFleet(options));
      const other = generateFleet({ ...options, seed: 1235 });
      expect(other.tenants).not.toEqual(generateFleet(options).tenants);
      expect(other.facts).not.toEqual(generateFleet(options).facts);
    });

    it('then tenant i is the same in a fleet of any size, and the faults change no tenant profile', () => {
      const small = generateFleet({ tenants: 10, years: 2, seed: 5, faults: [] });
      const large = generateFleet({ tenants: 50, years: 2, seed: 5, faults: [] });
      const faulty = generateFleet({ tenants: 50, years: 2, seed: 5, faults: FAULT_KINDS });
      expect(large.tenants.slice(0, 10)).toEqual(small.tenants);
      expect(faulty.tenants).toEqual(large.tenants);
      expect(factsOfKind(faulty, 'onboard')).toEqual(factsOfKind(large, 'onboard'));
    });
  });

  describe('given 1000 tenants over 10 years with every fault (seed 42)', () => {
    it('then the run spans 10 calendar years from the default start, a Monday', () => {
      expect(ALL.start).toBe('2027-01-04T00:00:00.000Z');
      expect(ALL.end).toBe('2037-01-04T00:00:00.000Z');
      expect(new Date(ALL.start).getUTCDay()).toBe(1);
    });

    it('then the facts are sorted by instant, within the run', () => {
      for (let i = 1; i < ALL.facts.length; i++) {
        if (ms(ALL.facts[i].at) < ms(ALL.facts[i - 1].at)) throw new Error(`fact ${i} (${ALL.facts[i].at}) before fact ${i - 1} (${ALL.facts[i - 1].at})`);
      }
      expect(ms(ALL.facts[0].at)).toBeGreaterThanOrEqual(ms(ALL.start));
      expect(ms(ALL.facts[ALL.facts.length - 1].at)).toBeLessThan(ms(ALL.end));
    });

    it('then every tenant is onboarded once, before any other fact about it, and `tenants` lists exactly them', () => {
      const onboarded = new Set<string>();
      for (const f of ALL.facts) {
        if (f.kind === 'onboard') {
          expect(onboarded.has(f.tenant.tenantId)).toBe(false);
          onboarded.add(f.tenant.tenantId);
        } else if (!onboarded.has(f.tenantId)) {
          throw new Error(`${f.kind} at ${f.at} for ${f.tenantId}, not onboarded yet`);
        }
      }
      expect(ALL.tenants).toHaveLength(1000);
      expect(new Set(ALL.tenants.map((t) => t.tenantId))).toEqual(onboarded);
      const spec = new Map(factsOfKind(ALL, 'onboard').map((f) => [f.tenant.tenantId, f.tenant]));
      expect(ALL.tenants.every((t) => spec.get(t.tenantId) === t)).toBe(true);
    });

    it('then onboarding is spread: a few at the first instant, most in the first half', () => {
      const at = factsOfKind(ALL, 'onboard').map((f) => ms(f.at));
      const middle = (ms(ALL.start) + ms(ALL.end)) / 2;
      const atStart = at.filter((t) => t === ms(ALL.start)).length;
      expect(atStart).toBeGreaterThan(20);
      expect(atStart).toBeLessThan(200);
      expect(at.filter((t) => t < middle).length).toBeGreaterThan(700);
      expect(at.filter((t) => t >= middle).length).toBeGreaterThan(100);
    });

    it('then the jurisdictions are mixed and cover those the promises are hardest in, and explicit zones belong to the jurisdiction', () => {
      const seen = new Set(ALL.tenants.map((t) => t.jurisdiction));
      for (const code of ['GB-ENG', 'GB-SCT', 'DE-BY', 'FR', 'IE', 'US-NY', 'JP', 'IL', 'AU-SA', 'SA', 'NZ']) expect(seen).toContain(code);
      const explicit = ALL.tenants.filter((t) => t.timeZone !== undefined);
      expect(explicit.length).toBeGreaterThan(100);
      expect(explicit.length).toBeLessThan(400);
      for (const t of explicit) {
        const [country, state] = t.jurisdiction.split('-');
        expect(new Holidays(country, state).getTimezones()).toContain(t.timeZone);
      }
      expect(explicit.filter((t) => t.jurisdiction === 'US-NY').every((t) => t.timeZone === 'America/New_York')).toBe(true);
    });

    it('then keys are about 70% managed, 30% client-held; backups mix customer and platform keys; rotation periods and windows vary', () => {
      const client = ALL.tenants.filter((t) => t.keyCustody === 'client').length;
      expect(client).toBeGreaterThan(240);
      expect(client).toBeLessThan(360);
      expect(new Set(ALL.tenants.map((t) => t.backupKeyMode))).toEqual(new Set(['customer', 'platform']));
      expect(new Set(ALL.tenants.map((t) => t.rotationPeriodDays))).toEqual(new Set([30, 90, 180, 365, 730]));
      expect(new Set(ALL.tenants.map((t) => t.pitrRetentionDays)).size).toBeGreaterThan(3);
      expect(factsOfKind(ALL, 'rotation-period-changed').length).toBeGreaterThan(50);
      expect(factsOfKind(ALL, 'pitr-retention-changed').length).toBeGreaterThan(20);
    });

    it('then only client-held keys get client rotations, at irregular intervals, some later than the period in force', () => {
      const custody = new Map(ALL.tenants.map((t) => [t.tenantId, t]));
      const rotations = factsOfKind(ALL, 'client-rotation');
      expect(rotations.every((f) => custody.get(f.tenantId)!.keyCustody === 'client')).toBe(true);
      const last = new Map<string, number>(factsOfKind(ALL, 'onboard').map((f) => [f.tenant.tenantId, ms(f.at)]));
      const period = new Map<string, number>(ALL.tenants.map((t) => [t.tenantId, t.rotationPeriodDays]));
      let late = 0;
      for (const f of ALL.facts) {
        if (f.kind === 'rotation-period-changed') period.set(f.tenantId, f.rotationPeriodDays);
        if (f.kind !== 'client-rotation') continue;
        if (ms(f.at) - last.get(f.tenantId)! > period.get(f.tenantId)! * DAY) late++;
        last.set(f.tenantId, ms(f.at));
      }
      expect(late).toBeGreaterThan(rotations.length * 0.05);
      expect(late).toBeLessThan(rotations.length * 0.3);
    });

    it('then databases start at 1 or 2 (db-1, db-2) and more are added over time', () => {
      expect(new Set(ALL.tenants.map((t) => t.databases.join(',')))).toEqual(new Set(['db-1', 'db-1,db-2']));
      expect(factsOfKind(ALL, 'add-database').length).toBeGreaterThan(500);
    });

    it('then backups are only of databases the tenant has at that instant, ids unique per tenant, windows and expiries in order, chains within the window', () => {
      const tenants = new Map<string, { databases: Set<string>; pitrDays: number; backupIds: Set<string> }>();
      for (const f of ALL.facts) {
        if (f.kind === 'onboard') tenants.set(f.tenant.tenantId, { databases: new Set(f.tenant.databases), pitrDays: f.tenant.pitrRetentionDays, backupIds: new Set() });
        if (f.kind === 'add-database') {
          const { databases } = tenants.get(f.tenantId)!;
          if (databases.has(f.databaseId)) throw new Error(`database ${f.databaseId} of ${f.tenantId} added twice`);
          databases.add(f.databaseId);
        }
        if (f.kind === 'pitr-retention-changed') tenants.get(f.tenantId)!.pitrDays = f.pitrRetentionDays;
        if (f.kind !== 'backup') continue;
        const t = tenants.get(f.tenantId)!;
        if (!t.databases.has(f.databaseId)) throw new Error(`backup ${f.backupId} of ${f.tenantId}: no database ${f.databaseId} at ${f.at}`);
        if (t.backupIds.has(f.backupId)) throw new Error(`backup id ${f.backupId} of ${f.tenantId} twice`);
        t.backupIds.add(f.backupId);
        // ISO instants of one format compare as strings in time order.
        if (!(f.coveredFrom <= f.takenAt && f.takenAt <= f.at && f.takenAt < f.expiresAt)) {
          throw new Error(`backup ${f.backupId} of ${f.tenantId}: ${f.coveredFrom} <= ${f.takenAt} <= ${f.at}, < ${f.expiresAt} broken`);
        }
        // A point-in-time chain holds no restore point older than the window, even when it is registered.
        if (f.schedule === 'pitr' && ms(f.at) - ms(f.coveredFrom) >= t.pitrDays * DAY) {
          throw new Error(`pitr segment ${f.backupId} of ${f.tenantId}, registered ${f.at}, covers from ${f.coveredFrom}: outside the ${t.pitrDays}-day window`);
        }
      }
      const schedules = new Set(factsOfKind(ALL, 'backup').map((f) => f.schedule));
      expect(schedules).toEqual(new Set(['pitr', 'weekly-full', 'monthly', 'yearly']));
    });

    it('then backups are deleted or given a new retention only while registered, not deleted, and unexpired; retention both longer and shorter', () => {
      const backups = new Map<string, Map<string, { expiresAt: string; takenAt: string; deleted: boolean }>>();
      let longer = 0;
      let shorter = 0;
      for (const f of ALL.facts) {
        if (f.kind === 'onboard') backups.set(f.tenant.tenantId, new Map());
        if (f.kind === 'backup') backups.get(f.tenantId)!.set(f.backupId, { expiresAt: f.expiresAt, takenAt: f.takenAt, deleted: false });
        if (f.kind !== 'backup-deleted' && f.kind !== 'backup-retention-changed') continue;
        const b = backups.get(f.tenantId)!.get(f.backupId);
        // ISO instants of one format compare as strings in time order.
        if (!b || b.deleted || f.at >= b.expiresAt) throw new Error(`${f.kind} of ${f.tenantId} ${f.backupId} at ${f.at}: not a live backup`);
        if (f.kind === 'backup-deleted') b.deleted = true;
        else {
          expect(f.expiresAt > b.takenAt).toBe(true);
          if (f.expiresAt > b.expiresAt) longer++;
          else shorter++;
          b.expiresAt = f.expiresAt;
        }
      }
      expect(factsOfKind(ALL, 'backup-deleted').length).toBeGreaterThan(1000);
      expect(longer).toBeGreaterThan(100);
      expect(shorter).toBeGreaterThan(100);
    });

    it('then about a quarter of the tenants see a termination and about 5% a deletion request; some are cancelled and followed by another', () => {
      const terminated = new Set(factsOfKind(ALL, 'termination').map((f) => f.tenantId));
      const requested = new Set(factsOfKind(ALL, 'deletion-request').map((f) => f.tenantId));
      expect(terminated.size).toBeGreaterThan(200);
      expect(terminated.size).toBeLessThan(300);
      expect(requested.size).toBeGreaterThan(30);
      expect(requested.size).toBeLessThan(100);
      const cancelled = new Set(factsOfKind(ALL, 'cancel-shred').map((f) => f.tenantId));
      expect(cancelled.size).toBeGreaterThan(50);
      const firstCancel = new Map<string, number>();
      const retriggered = new Set<string>();
      for (const f of ALL.facts) {
        if (f.kind === 'cancel-shred' && !firstCancel.has(f.tenantId)) firstCancel.set(f.tenantId, ms(f.at));
        if (isTrigger(f) && ms(f.at) > (firstCancel.get(f.tenantId) ?? Infinity)) retriggered.add(f.tenantId);
      }
      expect(retriggered.size).toBeGreaterThan(10);
      const delays = factsOfKind(ALL, 'termination').map(noticeDelay);
      expect(delays.filter((d) => d === 0).length).toBeGreaterThan(30);
      expect(delays.filter((d) => d < 0).length).toBeGreaterThan(30);
      expect(delays.filter((d) => d > 0 && d <= 3 * DAY).length).toBeGreaterThan(20);
    });

    it("then nothing but another trigger reaches a tenant once its shred could have executed; a cancel comes after its trigger and before that", () => {
      const pending = new Map<string, Extract<FleetFact, { kind: 'termination' | 'deletion-request' }>[]>();
      const first = new Set(firstReceipts(ALL));
      for (const f of ALL.facts) {
        if (f.kind === 'onboard') continue;
        const triggers = pending.get(f.tenantId) ?? [];
        if (isTrigger(f)) {
          if (!first.has(f)) continue;
          pending.set(f.tenantId, [...triggers, f]);
          continue;
        }
        for (const tr of triggers) {
          if (ms(f.at) >= earliestExecution(tr)) throw new Error(`${f.kind} of ${f.tenantId} at ${f.at}, after its shred (trigger of ${tr.at}) could have executed`);
        }
        if (f.kind === 'cancel-shred') {
          if (triggers.length === 0) throw new Error(`cancel of ${f.tenantId} at ${f.at} with no trigger pending`);
          expect(triggers.every((tr) => ms(tr.at) < ms(f.at))).toBe(true);
          pending.set(f.tenantId, []);
        }
      }
    });

    it('then every fault is there: repeated deliveries, late notices, non-overlapping vault outages, crashes', () => {
      expect(redelivered(ALL).length).toBeGreaterThan(50);
      expect(factsOfKind(ALL, 'termination').filter((f) => f.deliveries > 1).length).toBeGreaterThan(10);
      const late = lateNotices(ALL);
      expect(late.length).toBeGreaterThan(20);
      expect(late.every((f) => noticeDelay(f) >= 21 * DAY)).toBe(true);
      expect(ALL.vaultOutages.length).toBeGreaterThanOrEqual(20);
      expect(ALL.vaultOutages.length).toBeLessThanOrEqual(50);
      let free = ms(ALL.start);
      for (const o of ALL.vaultOutages) {
        expect(ms(o.from)).toBeGreaterThanOrEqual(free);
        expect(ms(o.until) - ms(o.from)).toBeGreaterThanOrEqual(60_000);
        expect(ms(o.until) - ms(o.from)).toBeLessThanOrEqual(12 * HOUR);
        expect(ms(o.until)).toBeLessThanOrEqual(ms(ALL.end));
        free = ms(o.until);
      }
      expect(new Set(ALL.vaultOutages.map((o) => o.mode))).toEqual(new Set(['fail', 'timeout']));
      expect(ALL.crashes.length).toBeGreaterThanOrEqual(20);
      expect(ALL.crashes.length).toBeLessThanOrEqual(40);
      expect([...ALL.crashes].sort()).toEqual(ALL.crashes);
      expect(ALL.crashes.every((c) => ms(c) > ms(ALL.start) && ms(c) < ms(ALL.end))).toBe(true);
    });

    it('then the volume stays under 150 facts per tenant-year (every fact is an HTTP call)', () => {
      expect(ALL.facts.length / (1000 * 10)).toBeLessThan(150);
    });
  });

  describe('given no faults', () => {
    it('then no trigger is delivered twice, no notice is late, and there are no outages or crashes', () => {
      expect(redelivered(CLEAN)).toEqual([]);
      expect(lateNotices(CLEAN)).toEqual([]);
      expect(CLEAN.vaultOutages).toEqual([]);
      expect(CLEAN.crashes).toEqual([]);
      // The fleet is otherwise whole: triggers, cancels and backups are there.
      expect(factsOfKind(CLEAN, 'termination').length).toBeGreaterThan(40);
      expect(factsOfKind(CLEAN, 'cancel-shred').length).toBeGreaterThan(5);
    });
  });

  describe.each<[FaultKind, (p: FleetPlan) => number]>([
    ['duplicates', (p) => redelivered(p).length],
    ['late', (p) => lateNotices(p).length],
    ['vault', (p) => p.vaultOutages.length],
    ['crash', (p) => p.crashes.length],
  ])('given only the %s fault', (fault, count) => {
    it('then that fault is present and no other', () => {
      const plan = generateFleet({ tenants: 150, years: 10, seed: 7, faults: [fault] });
      for (const [other, n] of [
        ['duplicates', redelivered(plan).length],
        ['late', lateNotices(plan).length],
        ['vault', plan.vaultOutages.length],
        ['crash', plan.crashes.length],
      ] as const) {
        if (other === fault) expect(count(plan)).toBeGreaterThan(0);
        else expect(`${other}: ${n}`).toBe(`${other}: 0`);
      }
    });
  });

  describe('given a short run with crashes and vault outages', () => {
    it('then there is at least one crash and one outage', () => {
      const plan = generateFleet({ tenants: 3, years: 0.05, seed: 9, faults: ['crash', 'vault'] });
      expect(plan.crashes.length).toBeGreaterThanOrEqual(1);
      expect(plan.vaultOutages.length).toBeGreaterThanOrEqual(1);
    });
  });

  describe('given every fact of a 150-tenant, 10-year fleet with every fault', () => {
    it("then the engine's request schemas accept every body, and every instant lies in the engine's range at the fact's instant", () => {
      const plan = generateFleet({ tenants: 150, years: 10, seed: 99, faults: FAULT_KINDS });
      // Built once, with a clock past the run (zod compiles a schema on its first use, too slow per fact);
      // each instant's range is then checked at the fact's own instant with the engine's rule.
      const schemas = schemasAt(new Date(ms(plan.end) + DAY));
      let checked = 0;
      for (const f of plan.facts) {
        for (const { body, schema } of requestOf(f, schemas) ?? []) {
          const r = schema.safeParse(body);
          if (!r.success) throw new Error(`${f.kind} of ${tenantOf(f)} at ${f.at} refused: ${JSON.stringify(body)}: ${String(r.error)}`);
          checked++;
        }
        for (const [value, range] of instantsOf(f)) {
          if (!instantInRange(value, range, new Date(f.at))) throw new Error(`${f.kind} of ${tenantOf(f)} at ${f.at}: ${value} ${instantRangeRule(range)}`);
        }
      }
      expect(checked).toBeGreaterThan(100_000);
    });
  });

  describe('given bad options', () => {
    it.each([
      [{ tenants: -1 }, /tenants must be a whole number/],
      [{ tenants: 1.5 }, /tenants must be a whole number/],
      [{ years: 0 }, /years must be/],
      [{ seed: 0.5 }, /seed must be an integer/],
      [{ start: 'yesterday' }, /start must be an ISO 8601 instant/],
      [{ start: '1999-12-31T00:00:00Z' }, /start must be an ISO 8601 instant from 2000/],
      [{ faults: ['meteor'] as unknown as FaultKind[] }, /faults must each be one of vault, crash, duplicates, late, got meteor/],
    ])('then %j is refused naming the option and its rule', (bad, message) => {
      expect(() => generateFleet({ tenants: 1, years: 1, seed: 1, faults: [], ...bad })).toThrow(message);
    });
  });
});
