// The independent oracle. From the fleet plan it knows what happened in the world and when; from
// Lethe's log, what Lethe did and when; from the vault, what is really usable. At each check it
// computes, with its own rules and calendar, what every promise required by then and reports each
// breach once. It imports nothing of Lethe's promise logic (enforced by the dependency rules).
//
// Cost: a tenant is looked at again only when something of it changed (its facts, its events, its
// vault key) or a limit it is waiting on passes, so a check costs what happened since the last one;
// nothing in a check walks the whole fleet (a fleet of 1,000 tenants is checked thousands of times).
import type { FleetPlan, Margins, Violation } from '../fleet/fleet-facts.js';
import { BackupNeeds } from './backup-needs.js';
import { checkDeletion } from './deletion.check.js';
import { FleetModel } from './fleet-model.js';
import { LeakScanner } from './leaks.js';
import { LetheRecord } from './lethe-record.js';
import type { OracleEvent } from './oracle-event.js';
import { outageSpans, type OutageSpan } from './outages.js';
import { checkReprotection } from './reprotection.check.js';
import { checkBackups, checkRetention } from './retention.check.js';
import { checkRotation } from './rotation.check.js';
import { iso, type MarginSink, type PromiseId, type TenantCheck, type Text } from './tenant-check.js';
import type { VaultKey, VaultSnapshot } from './vault-snapshot.js';
import { DELETION_WORKING_DAYS, OracleCalendar } from './working-days.js';
import { WakeQueue } from './wake-queue.js';

export interface OracleOptions {
  /**
   * Secrets the engine was given (the master key, API tokens): an event containing one, in any usual
   * encoding, breaks P6. Key material the oracle cannot know is caught by its look instead.
   */
  readonly secrets?: readonly string[];
}

interface TenantState {
  readonly needs: BackupNeeds;
  readonly judged: Set<string>;
  /** The earliest limit a check of it is waiting on (+1 ms); Infinity when none. */
  wakeAt: number;
  vaultSignature: string;
}

function signatureOf(key: VaultKey | undefined): string {
  if (!key) return '';
  let s = key.tombstonedAt ? 'T' : '';
  for (const v of key.versions) s += `${v.versionId}:${v.state};`;
  return s;
}

export class Oracle {
  private readonly calendar = new OracleCalendar();
  private readonly fleet: FleetModel;
  private readonly record = new LetheRecord();
  private readonly outages: readonly OutageSpan[];
  private readonly leaks: LeakScanner;
  private readonly tenants = new Map<string, TenantState>();
  /** Tenants something new happened to since their last check (facts, events, vault). */
  private readonly dirty = new Set<string>();
  /** Tenants waiting for a limit to pass, by the instant it passes. */
  private readonly wakes = new WakeQueue();
  /** Tenants a shred execution started for (platformBackupTenants looks among these only). */
  private readonly shredsStarted = new Set<string>();
  /** Each planned tenant's place in the plan's onboarding order: tenants are checked in this order. */
  private readonly ordinal = new Map<string, number>();
  private readonly reported = new Set<string>();
  private readonly all: Violation[] = [];
  private pending: Violation[] = [];
  private readonly tenantsPlanned: number;
  private lastPosition = 0n;
  private eventsIngested = 0;
  private readonly margin = {
    shredDeadlineMs: null as number | null,
    longestReprotectionMs: null as number | null,
    rotationMs: null as number | null,
    retirementMs: null as number | null,
  };

  constructor(plan: FleetPlan, options: OracleOptions = {}) {
    this.fleet = new FleetModel(plan, this.calendar, (tenantId, backup, change) => {
      // A platform-key backup is encrypted with the platform's key: it needs no key version of the
      // tenant's (P3 holds nothing for it); the shred purges it instead (P4).
      if (this.fleet.tenants.get(tenantId)?.spec.backupKeyMode === 'platform') return;
      const needs = this.state(tenantId).needs;
      if (change === 'registered') needs.registered(backup);
      else needs.changed(backup);
    });
    this.outages = outageSpans(plan.vaultOutages);
    this.tenantsPlanned = plan.tenants.length;
    this.leaks = new LeakScanner(options.secrets ?? []);
  }

  /** Feed the log rows appended since the last call (ascending positions). */
  ingest(events: readonly OracleEvent[]): void {
    for (const e of events) {
      if (e.position <= this.lastPosition) continue;
      this.lastPosition = e.position;
      this.eventsIngested++;
      const leak = this.leaks.scan(e.data);
      const tenantId = this.record.apply(e);
      if (leak !== null) {
        this.report(tenantId ?? '*', `leak:${e.position}`, 'P6', `no key material, secret or token in event ${e.type} at position ${e.position}`, leak, e.recordedAt.getTime());
      }
      if (tenantId !== null) this.dirty.add(tenantId);
      if (tenantId !== null && e.type === 'ShredExecutionStarted') this.shredsStarted.add(tenantId);
    }
  }

  /**
   * Checks every promise at simulated time `now` against what was ingested and the vault's state;
   * returns NEW violations only (each violation reported once). Only tenants something happened to
   * (their facts, their events, their vault key: `vault.changed` when the reader knows it, else every
   * key is compared) or whose awaited limit passed by `now` are looked at: the others' verdicts
   * cannot have changed.
   */
  check(now: Date, vault: VaultSnapshot): Violation[] {
    const at = now.getTime();
    for (const tenantId of this.fleet.advanceTo(at)) {
      if (this.fleet.tenants.has(tenantId) && !this.ordinal.has(tenantId)) this.ordinal.set(tenantId, this.ordinal.size);
      this.dirty.add(tenantId);
    }
    for (const tenantId of vault.changed ?? vault.keys.keys()) {
      const signature = signatureOf(vault.keys.get(tenantId));
      const state = this.state(tenantId);
      if (signature !== state.vaultSignature) {
        state.vaultSignature = signature;
        this.dirty.add(tenantId);
      }
    }
    for (const tenantId of this.wakes.popUntil(at)) {
      // An entry a later check superseded (it set another limit) is stale: the tenant's own wakeAt decides.
      if (at >= (this.tenants.get(tenantId)?.wakeAt ?? Number.POSITIVE_INFINITY)) this.dirty.add(tenantId);
    }
    // A tenant the plan has not onboarded yet is not judged: its onboarding marks it again.
    const due = [...this.dirty].filter((tenantId) => this.ordinal.has(tenantId));
    this.dirty.clear();
    due.sort((a, b) => this.ordinal.get(a)! - this.ordinal.get(b)!);
    for (const tenantId of due) {
      const facts = this.fleet.tenants.get(tenantId)!;
      const state = this.state(tenantId);
      const vaultKey = vault.keys.get(tenantId);
      state.wakeAt = Number.POSITIVE_INFINITY;
      const record = this.record.tenant(tenantId);
      state.needs.resolve(record);
      const c: TenantCheck = {
        tenantId,
        facts,
        record,
        vaultKey,
        platformBackups: vault.platformBackups.get(tenantId),
        now: at,
        calendar: this.calendar,
        outages: this.outages,
        margins: this.marginSink,
        violation: (subject, promise, expected, actual) => this.report(tenantId, subject, promise, expected, actual, at),
        recheckAfter: (limit) => {
          if (limit + 1 < state.wakeAt) state.wakeAt = limit + 1;
        },
        judged: (subject) => {
          if (state.judged.has(subject)) return true;
          state.judged.add(subject);
          return false;
        },
        isSettled: (subject) => state.judged.has(`settled:${subject}`),
        settle: (subject) => state.judged.add(`settled:${subject}`),
      };
      checkRotation(c);
      checkReprotection(c);
      checkRetention(c, state.needs);
      checkBackups(c);
      checkDeletion(c);
      if (Number.isFinite(state.wakeAt)) this.wakes.add(state.wakeAt, tenantId);
    }
    const fresh = this.pending;
    this.pending = [];
    return fresh;
  }

  /** Every violation reported so far, in the order found. */
  violations(): readonly Violation[] {
    return this.all;
  }

  /** Tenants whose platform-key backups the next check needs read from the asset store (a shred of theirs started). */
  platformBackupTenants(): string[] {
    const out: string[] = [];
    for (const tenantId of this.shredsStarted) {
      const facts = this.fleet.tenants.get(tenantId);
      if (facts?.spec.backupKeyMode === 'platform' && this.record.tenants.get(tenantId)?.shreds.some((s) => s.startedAt !== null)) out.push(tenantId);
    }
    return out;
  }

  margins(): Margins {
    return { ...this.margin };
  }

  /**
   * Counts for the report: what the plan made happen so far (backups, deletions early, retention
   * changes, client rotations, duplicate deliveries, triggers, late notices, cancels) and what Lethe
   * recorded (tenantsOnboarded, keyVersions and keyVersions:<source>, reprotections, retirements,
   * backups, shredsScheduled/Verified/Cancelled, breaches:<cause>, triggers:<disposition>, …), and
   * the violations per promise.
   */
  counts(): Record<string, number> {
    const out: Record<string, number> = {
      eventsIngested: this.eventsIngested,
      tenantsPlanned: this.tenantsPlanned,
      tenantsOnboardedByPlan: this.fleet.tenants.size,
      backupsPlanned: 0,
      backupsDeletedEarly: 0,
      backupRetentionChanges: 0,
      clientRotations: 0,
      duplicateDeliveries: 0,
      triggers: 0,
      lateNotices: 0,
      cancels: 0,
      violations: this.all.length,
    };
    for (const f of this.fleet.tenants.values()) {
      out.backupsPlanned += f.backupList.length;
      out.backupsDeletedEarly += f.backupList.filter((b) => b.deletedAt !== null).length;
      out.backupRetentionChanges += f.backupList.reduce((n, b) => n + b.expiries.length - 1, 0);
      out.clientRotations += f.clientRotations.length;
      out.duplicateDeliveries += f.duplicateDeliveries;
      for (const d of f.deletion) {
        if (d.kind === 'cancel') out.cancels++;
        else {
          out.triggers++;
          const deadline = this.calendar.deadline(new Date(d.trigger.clockStart), DELETION_WORKING_DAYS, f.spec.jurisdiction, f.timeZone).deadline.getTime();
          if (d.trigger.receivedAt > deadline) out.lateNotices++;
        }
      }
    }
    for (const t of this.record.tenants.values()) {
      for (const [k, n] of Object.entries(t.counts)) out[k] = (out[k] ?? 0) + n;
    }
    for (const v of this.all) out[`violations:${v.promise}`] = (out[`violations:${v.promise}`] ?? 0) + 1;
    return out;
  }

  private readonly marginSink: MarginSink = {
    shred: (ms) => (this.margin.shredDeadlineMs = this.margin.shredDeadlineMs === null ? ms : Math.min(this.margin.shredDeadlineMs, ms)),
    reprotection: (ms) => (this.margin.longestReprotectionMs = this.margin.longestReprotectionMs === null ? ms : Math.max(this.margin.longestReprotectionMs, ms)),
    rotation: (ms) => (this.margin.rotationMs = this.margin.rotationMs === null ? ms : Math.min(this.margin.rotationMs, ms)),
    retirement: (ms) => (this.margin.retirementMs = this.margin.retirementMs === null ? ms : Math.min(this.margin.retirementMs, ms)),
  };

  private state(tenantId: string): TenantState {
    let s = this.tenants.get(tenantId);
    if (!s) {
      s = { needs: new BackupNeeds(), judged: new Set(), wakeAt: Number.POSITIVE_INFINITY, vaultSignature: '' };
      this.dirty.add(tenantId);
      this.tenants.set(tenantId, s);
    }
    return s;
  }

  private report(tenantId: string, subject: string, promise: PromiseId, expected: Text, actual: Text, at: number): void {
    const key = `${tenantId}|${subject}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const text = (t: Text) => (typeof t === 'string' ? t : t());
    const v: Violation = { tenantId, promise, expected: text(expected), actual: text(actual), detectedAt: iso(at) };
    this.all.push(v);
    this.pending.push(v);
  }
}
