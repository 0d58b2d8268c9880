// Hand-made worlds for the oracle's specs: a fleet plan, the events Lethe would have recorded, and
// what the vault holds, written the way the specs read them (given facts and events, when checked
// at an instant, then these violations).
import type { FleetFact, FleetPlan, TenantSpec, VaultOutage, Violation } from '../fleet/fleet-facts.js';
import { Oracle } from './oracle.js';
import type { OracleEvent } from './oracle-event.js';
import type { VaultSnapshot, VaultVersion } from './vault-snapshot.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs).toISOString();

export function tenant(over: Partial<TenantSpec> = {}): TenantSpec {
  return {
    tenantId: 'acme',
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    rotationPeriodDays: 30,
    pitrRetentionDays: 7,
    databases: ['db-1'],
    ...over,
  };
}

export interface VaultVersionSpec {
  readonly id: string;
  readonly createdAt: string;
  readonly state?: VaultVersion['state'];
  readonly disabledAt?: string;
  readonly unusableAt?: string;
}

/** A world: facts (sorted as given), events appended in order, and the vault as it stands. */
export class Scenario {
  private readonly facts: FleetFact[] = [];
  private readonly outages: VaultOutage[] = [];
  private readonly events: OracleEvent[] = [];
  private readonly vaultKeys = new Map<string, { versions: VaultVersionSpec[]; tombstonedAt: string | null }>();
  private readonly platform = new Map<string, { total: number; unpurged: number; lastPurgedAt: string | null }>();
  private oracle: Oracle | undefined;
  private fed = 0;
  private position = 0n;

  constructor(private readonly secrets: readonly string[] = []) {}

  fact(f: FleetFact): this {
    this.facts.push(f);
    return this;
  }

  outage(o: VaultOutage): this {
    this.outages.push(o);
    return this;
  }

  /** An event of stream `keys-<tenant>`, `tenant-<tenant>` or `contract-<tenant>`, recorded at `when`. */
  event(stream: string, type: string, data: Record<string, unknown>, when: string): this {
    this.events.push({ position: ++this.position, streamId: stream, type, data, recordedAt: new Date(when) });
    return this;
  }

  keys(tenantId: string, type: string, data: Record<string, unknown>, when: string): this {
    return this.event(`keys-${tenantId}`, type, { ...data, at: when }, when);
  }

  tenantEvent(tenantId: string, type: string, data: Record<string, unknown>, when: string): this {
    return this.event(`tenant-${tenantId}`, type, { ...data, at: when }, when);
  }

  vault(tenantId: string, versions: VaultVersionSpec[], tombstonedAt: string | null = null): this {
    this.vaultKeys.set(tenantId, { versions, tombstonedAt });
    return this;
  }

  platformAssets(tenantId: string, total: number, unpurged: number, lastPurgedAt: string | null): this {
    this.platform.set(tenantId, { total, unpurged, lastPurgedAt });
    return this;
  }

  /** The managed key ring opened at onboarding with version `v0` protecting `databases`. */
  opened(tenantId: string, when: string, v0: string, databases: readonly string[]): this {
    return this.keys(tenantId, 'KeyRingOpened', { tenantId, keyId: `vk-${tenantId}`, version: { keyVersionId: v0, createdAt: when }, databases }, when);
  }

  /** A new version `v` (from `previous`) created at `when`, and every database in `databases` moved onto it then. */
  rotated(tenantId: string, v: string, previous: string, when: string, databases: readonly string[], source = 'policy', createdAt = when): this {
    this.keys(tenantId, 'KeyVersionAdded', { keyVersionId: v, source, createdAt }, when);
    for (const databaseId of databases) this.keys(tenantId, 'DatabaseReprotected', { databaseId, fromKeyVersionId: previous, toKeyVersionId: v }, when);
    return this;
  }

  plan(): FleetPlan {
    const facts = [...this.facts].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return { seed: 1, start: facts[0]?.at ?? '2027-01-01T00:00:00.000Z', end: '2040-01-01T00:00:00.000Z', tenants: facts.flatMap((f) => (f.kind === 'onboard' ? [f.tenant] : [])), facts, vaultOutages: this.outages, crashes: [] };
  }

  snapshot(): VaultSnapshot {
    const d = (s: string | undefined | null) => (s ? new Date(s) : null);
    return {
      keys: new Map(
        [...this.vaultKeys].map(([tenantId, k]) => [
          tenantId,
          {
            tenantId,
            keyId: `vk-${tenantId}`,
            tombstonedAt: d(k.tombstonedAt),
            versions: k.versions.map((v) => ({
              versionId: v.id,
              createdAt: new Date(v.createdAt),
              state: v.state ?? 'enabled',
              disabledAt: d(v.disabledAt),
              unusableAt: d(v.unusableAt),
              purgedAt: d(v.unusableAt),
            })),
          },
        ]),
      ),
      platformBackups: new Map([...this.platform].map(([t, p]) => [t, { total: p.total, unpurged: p.unpurged, lastPurgedAt: d(p.lastPurgedAt) }])),
    };
  }

  /** Checks at `when` with the events added so far; returns the violations new at this check. */
  checkAt(when: string): Violation[] {
    this.oracle ??= new Oracle(this.plan(), { secrets: this.secrets });
    this.oracle.ingest(this.events.slice(this.fed));
    this.fed = this.events.length;
    return this.oracle.check(new Date(when), this.snapshot());
  }

  get theOracle(): Oracle {
    if (!this.oracle) throw new Error('check first');
    return this.oracle;
  }
}

/** The violations as `promise subject-ish` lines: what a spec asserts on. */
export const promises = (vs: readonly Violation[]) => vs.map((v) => `${v.tenantId} ${v.promise}`);
