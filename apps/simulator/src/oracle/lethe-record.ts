// What Lethe recorded it did, folded from its events per tenant: key versions and when each database
// moved onto each, retirements, backups as recorded, shreds with their steps. Only observations (what
// and when); the oracle's expectations never come from here. Event shapes are read defensively: a
// field missing or of another type is treated as absent, never as a reason to crash the check.
import type { OracleEvent } from './oracle-event.js';

export interface SeenVersion {
  readonly keyVersionId: string;
  /** Position in the ring (0: the version the ring was opened with). */
  readonly index: number;
  /** When the version was created (in the vault: for a detected one, the client's instant). */
  readonly createdAt: number;
  readonly source: string;
  readonly recordedAt: number;
  retiredAt: number | null;
  retiredPosition: bigint | null;
}

/** The version protected the database from `from` until `to` (exclusive; null: still does). */
export interface Interval {
  readonly keyVersionId: string;
  readonly from: number;
  to: number | null;
}

export interface SeenBackup {
  readonly backupId: string;
  readonly databaseId: string;
  readonly protection: string;
  readonly keyVersionIds: readonly string[];
  readonly unrestorable: readonly string[] | null;
  readonly recordedAt: number;
  readonly position: bigint;
}

export interface SeenTrigger {
  readonly kind: string;
  readonly id: string;
}

export interface SeenShred {
  readonly shredId: string;
  readonly trigger: SeenTrigger;
  readonly scheduledAt: number;
  /** As scheduled, then as each ShredAdvanced moved it (an earlier trigger joined). */
  deadline: number;
  executeAt: number;
  /** Triggers that moved the shred earlier (ShredAdvanced), in order. */
  readonly advancedBy: { readonly trigger: SeenTrigger; readonly recordedAt: number }[];
  cancelledAt: number | null;
  startedAt: number | null;
  keysDestroyedAt: number | null;
  assetsPurgedAt: number | null;
  readonly purgedAssets: { readonly kind: string; readonly id: string; readonly purgedAt: number }[];
  readonly probes: Map<number, { readonly outcome: string; readonly results: readonly { databaseId: string; outcome: string }[] }>;
  verifiedAt: number | null;
  verifiedAttempt: number | null;
  verificationFailedAt: number | null;
  readonly breaches: { readonly cause: string; readonly recordedAt: number }[];
}

export interface TenantRecord {
  readonly tenantId: string;
  onboardedAt: number | null;
  ringOpenedAt: number | null;
  readonly versions: SeenVersion[];
  readonly versionById: Map<string, SeenVersion>;
  /** Per database, its protection intervals in order. */
  readonly intervals: Map<string, Interval[]>;
  readonly rotationDue: { readonly keyVersionId: string; readonly recordedAt: number }[];
  readonly backups: Map<string, SeenBackup>;
  /** Backups recorded and not judged yet (the checks take them from here). */
  readonly backupsToJudge: SeenBackup[];
  readonly shreds: SeenShred[];
  ringDestroyedAt: number | null;
  counts: Record<string, number>;
}

type Data = Record<string, unknown>;

const str = (d: Data, k: string): string | null => (typeof d[k] === 'string' ? (d[k] as string) : null);
const num = (d: Data, k: string): number | null => (typeof d[k] === 'number' ? (d[k] as number) : null);
const instant = (d: Data, k: string): number | null => {
  const s = str(d, k);
  if (s === null) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
};
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const records = (v: unknown): Data[] => (Array.isArray(v) ? v.filter((x): x is Data => typeof x === 'object' && x !== null) : []);

/** `tenant-acme` → ['tenant', 'acme']; null for a stream of no tenant category. */
export function tenantStreamOf(streamId: string): { category: string; tenantId: string } | null {
  const dash = streamId.indexOf('-');
  if (dash <= 0) return null;
  const category = streamId.slice(0, dash);
  if (category !== 'tenant' && category !== 'keys' && category !== 'contract') return null;
  return { category, tenantId: streamId.slice(dash + 1) };
}

function triggerOf(v: unknown): SeenTrigger {
  const d = (typeof v === 'object' && v !== null ? v : {}) as Data;
  const kind = str(d, 'kind') ?? '';
  return { kind, id: (kind === 'termination' ? str(d, 'terminationId') : str(d, 'requestId')) ?? '' };
}

export class LetheRecord {
  readonly tenants = new Map<string, TenantRecord>();

  tenant(tenantId: string): TenantRecord {
    let t = this.tenants.get(tenantId);
    if (!t) {
      t = {
        tenantId,
        onboardedAt: null,
        ringOpenedAt: null,
        versions: [],
        versionById: new Map(),
        intervals: new Map(),
        rotationDue: [],
        backups: new Map(),
        backupsToJudge: [],
        shreds: [],
        ringDestroyedAt: null,
        counts: {},
      };
      this.tenants.set(tenantId, t);
    }
    return t;
  }

  /** Folds one event; returns the tenant it concerns (null for other streams). */
  apply(e: OracleEvent): string | null {
    const stream = tenantStreamOf(e.streamId);
    if (!stream) return null;
    const t = this.tenant(stream.tenantId);
    const d = (typeof e.data === 'object' && e.data !== null ? e.data : {}) as Data;
    const at = e.recordedAt.getTime();
    const count = (name: string) => (t.counts[name] = (t.counts[name] ?? 0) + 1);
    if (stream.category === 'keys') this.applyKeyRing(t, e, d, at, count);
    else if (stream.category === 'tenant') this.applyTenant(t, e, d, at, count);
    return t.tenantId;
  }

  private addVersion(t: TenantRecord, keyVersionId: string, createdAt: number, source: string, at: number): void {
    if (t.versionById.has(keyVersionId)) return;
    const v: SeenVersion = { keyVersionId, index: t.versions.length, createdAt, source, recordedAt: at, retiredAt: null, retiredPosition: null };
    t.versions.push(v);
    t.versionById.set(keyVersionId, v);
  }

  private protect(t: TenantRecord, databaseId: string, keyVersionId: string, at: number): void {
    let list = t.intervals.get(databaseId);
    if (!list) {
      list = [];
      t.intervals.set(databaseId, list);
    }
    const last = list[list.length - 1];
    if (last && last.to === null) last.to = at;
    list.push({ keyVersionId, from: at, to: null });
  }

  private applyKeyRing(t: TenantRecord, e: OracleEvent, d: Data, at: number, count: (name: string) => void): void {
    switch (e.type) {
      case 'KeyRingOpened': {
        t.ringOpenedAt = at;
        const version = (typeof d.version === 'object' && d.version !== null ? d.version : {}) as Data;
        const id = str(version, 'keyVersionId');
        if (id !== null) this.addVersion(t, id, instant(version, 'createdAt') ?? at, 'onboarding', at);
        if (id !== null) for (const db of strings(d.databases)) this.protect(t, db, id, at);
        count('keyVersions');
        break;
      }
      case 'KeyVersionAdded': {
        const id = str(d, 'keyVersionId');
        if (id !== null) this.addVersion(t, id, instant(d, 'createdAt') ?? at, str(d, 'source') ?? '', at);
        count('keyVersions');
        count(`keyVersions:${str(d, 'source') ?? 'unknown'}`);
        break;
      }
      case 'DatabaseAdded': {
        const db = str(d, 'databaseId');
        const id = str(d, 'keyVersionId');
        if (db !== null && id !== null) this.protect(t, db, id, at);
        count('databasesAdded');
        break;
      }
      case 'DatabaseReprotected': {
        const db = str(d, 'databaseId');
        const id = str(d, 'toKeyVersionId');
        if (db !== null && id !== null) this.protect(t, db, id, at);
        count('reprotections');
        break;
      }
      case 'DatabaseRotationOverdue':
        count('reprotectionsOverdue');
        break;
      case 'KeyRotationDue': {
        const id = str(d, 'keyVersionId');
        if (id !== null) t.rotationDue.push({ keyVersionId: id, recordedAt: at });
        count('rotationsDue');
        break;
      }
      case 'BackupRecorded': {
        const backupId = str(d, 'backupId');
        if (backupId === null || t.backups.has(backupId)) break;
        const flag = (typeof d.unrestorable === 'object' && d.unrestorable !== null ? d.unrestorable : null) as Data | null;
        const seen: SeenBackup = {
          backupId,
          databaseId: str(d, 'databaseId') ?? '',
          protection: str(d, 'protection') ?? 'customer-key',
          keyVersionIds: strings(d.keyVersionIds),
          unrestorable: flag === null ? null : strings(flag.keyVersionIds),
          recordedAt: at,
          position: e.position,
        };
        t.backups.set(backupId, seen);
        t.backupsToJudge.push(seen);
        count('backups');
        if (flag !== null) count('backupsUnrestorable');
        break;
      }
      case 'BackupDeleted':
        count('backupsDeleted');
        break;
      case 'BackupRetentionChanged':
        count('backupRetentionChanges');
        break;
      case 'KeyVersionRetired': {
        const v = t.versionById.get(str(d, 'keyVersionId') ?? '');
        if (v && v.retiredAt === null) {
          v.retiredAt = at;
          v.retiredPosition = e.position;
        }
        count('retirements');
        break;
      }
      case 'KeyRingDestroyed':
        t.ringDestroyedAt = at;
        break;
    }
  }

  private applyTenant(t: TenantRecord, e: OracleEvent, d: Data, at: number, count: (name: string) => void): void {
    const shred = () => t.shreds.find((s) => s.shredId === str(d, 'shredId'));
    switch (e.type) {
      case 'TenantOnboarded':
        t.onboardedAt ??= at;
        count('tenantsOnboarded');
        break;
      case 'ShredScheduled': {
        const shredId = str(d, 'shredId');
        if (shredId === null || t.shreds.some((s) => s.shredId === shredId)) break;
        t.shreds.push({
          shredId,
          trigger: triggerOf(d.trigger),
          scheduledAt: at,
          deadline: instant(d, 'deadline') ?? Number.NaN,
          executeAt: instant(d, 'executeAt') ?? Number.NaN,
          advancedBy: [],
          cancelledAt: null,
          startedAt: null,
          keysDestroyedAt: null,
          assetsPurgedAt: null,
          purgedAssets: [],
          probes: new Map(),
          verifiedAt: null,
          verifiedAttempt: null,
          verificationFailedAt: null,
          breaches: [],
        });
        count('shredsScheduled');
        break;
      }
      case 'ShredTriggerRecorded':
        count(`triggers:${str(d, 'disposition') ?? 'unknown'}`);
        break;
      case 'ShredAdvanced': {
        // A trigger owed an earlier deadline joined a scheduled shred and moved it earlier.
        const s = shred();
        if (s) {
          s.deadline = instant(d, 'deadline') ?? s.deadline;
          s.executeAt = instant(d, 'executeAt') ?? s.executeAt;
          s.advancedBy.push({ trigger: triggerOf(d.trigger), recordedAt: at });
        }
        count('triggers:advanced');
        break;
      }
      case 'ShredCancelled': {
        const s = shred();
        if (s) s.cancelledAt ??= at;
        count('shredsCancelled');
        break;
      }
      case 'ShredExecutionStarted': {
        const s = shred();
        if (s) s.startedAt ??= at;
        break;
      }
      case 'KeyDestroyed': {
        const s = shred();
        if (s) s.keysDestroyedAt ??= at;
        count('keysDestroyed');
        break;
      }
      case 'AssetsPurged': {
        const s = shred();
        if (!s) break;
        s.assetsPurgedAt ??= at;
        for (const a of records(d.assets)) {
          s.purgedAssets.push({ kind: str(a, 'kind') ?? '', id: str(a, 'id') ?? '', purgedAt: instant(a, 'purgedAt') ?? at });
        }
        break;
      }
      case 'ShredProbeRecorded': {
        const s = shred();
        const attempt = num(d, 'attempt');
        if (!s || attempt === null) break;
        const results = records(d.results).map((r) => ({ databaseId: str(r, 'databaseId') ?? '', outcome: str(r, 'outcome') ?? '' }));
        s.probes.set(attempt, { outcome: str(d, 'outcome') ?? '', results });
        count('probes');
        break;
      }
      case 'ShredVerified': {
        const s = shred();
        if (s && s.verifiedAt === null) {
          s.verifiedAt = at;
          s.verifiedAttempt = num(d, 'attempt');
        }
        count('shredsVerified');
        break;
      }
      case 'ShredVerificationFailed': {
        const s = shred();
        if (s) s.verificationFailedAt ??= at;
        count('shredVerificationsFailed');
        break;
      }
      case 'ShredDeadlineBreached': {
        const s = shred();
        if (s) s.breaches.push({ cause: str(d, 'cause') ?? '', recordedAt: at });
        count(`breaches:${str(d, 'cause') ?? 'unknown'}`);
        break;
      }
      case 'DeletionCertificateIssued':
        count('certificatesIssued');
        break;
    }
  }
}
