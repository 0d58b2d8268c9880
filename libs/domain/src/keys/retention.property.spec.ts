// P3 under random histories: rotations (re-protection now or later), new databases, backups with
// random windows, retentions and protections, retention changes, deletions, changes of the
// point-in-time window and clock jumps, with the lifecycle's retention timers simulated (poll
// interval: one day; every instant here is a whole day).
// Invariants: (a) a version is never retired while a database is on it or a live backup needs it,
// nor before its last use by any database plus the point-in-time window in force; (b) every version
// whose retainUntil has passed is retired by the end of the step (≤ one poll late); (c) the newest
// version is never retired; (d) a backup is flagged unrestorable exactly when it needs a version
// already retired, naming those; (e) a backup leaves the retainUntil of every version it does not
// need as it was (versionsExtendedBy: the key-ring saga moves no other timer). What a backup needs
// is recomputed here from an independent model of the protection history and compared with what
// the decider recorded.
import fc from 'fast-check';
import type { KeyRingCommand } from './key-ring.commands.js';
import { keyRingDecider } from './key-ring.decider.js';
import type { BackupKind, KeyRingEvent } from './key-ring.events.js';
import type { ArchivedBackup } from './archived-backups.js';
import { currentVersionOf, findBackup, newestVersion, type KeyRingState } from './key-ring.state.js';
import { retainUntil, versionsExtendedBy } from './retention.js';

const DAY = 24 * 60 * 60 * 1000;
const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const isoOf = (day: number) => new Date(BASE + day * DAY).toISOString();
const dayOf = (iso: string) => (Date.parse(iso) - BASE) / DAY;

type Step =
  | { readonly kind: 'rotate'; readonly delays: readonly number[] }
  | { readonly kind: 'addDatabase' }
  | {
      readonly kind: 'backup';
      readonly db: number;
      readonly agoDays: number;
      readonly lengthDays: number;
      readonly retentionDays: number;
      readonly backupKind: BackupKind;
      /** A backup under the platform key (a tenant with backupKeyMode 'platform'). */
      readonly platform: boolean;
    }
  | { readonly kind: 'policy'; readonly pitrDays: number }
  | { readonly kind: 'retention'; readonly backup: number; readonly retentionDays: number }
  | { readonly kind: 'delete'; readonly backup: number }
  | { readonly kind: 'advance'; readonly days: number };

/** Short windows too, so backups registered late meet versions already retired. */
const pitrDays = fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 35 }));

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('rotate' as const), delays: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10 })), { minLength: 1, maxLength: 4 }) }), weight: 3 },
  { arbitrary: fc.constant({ kind: 'addDatabase' as const }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('backup' as const),
      db: fc.nat(),
      agoDays: fc.integer({ min: 0, max: 60 }),
      lengthDays: fc.integer({ min: 0, max: 21 }),
      retentionDays: fc.integer({ min: 1, max: 800 }),
      backupKind: fc.constantFrom<BackupKind>('pitr', 'full', 'ltr'),
      platform: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('policy' as const), pitrDays }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('retention' as const), backup: fc.nat(), retentionDays: fc.integer({ min: 1, max: 800 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), backup: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 0, max: 60 }) }), weight: 4 },
);

interface ModelBackup {
  readonly id: string;
  readonly takenDay: number;
  expiresDay: number;
  deleted: boolean;
  readonly needs: readonly string[];
}

class Simulation {
  now = 0;
  state: KeyRingState = keyRingDecider.initialState;
  private versionCount = 1;
  private dbCount = 0;
  /** Independent model: per database, the versions it switched to and when (day). */
  private readonly switches = new Map<string, { version: string; from: number }[]>();
  private readonly backups: ModelBackup[] = [];
  private pending: { databaseId: string; dueDay: number }[] = [];
  /** The lifecycle's retirement timers: version → day. */
  private readonly timers = new Map<string, number>();
  /** Versions retired so far (as the decider announced them). */
  private readonly retired = new Set<string>();
  retirements = 0;
  flagged = 0;

  constructor(
    databases: number,
    /** The point-in-time window in force (days). */
    private pitrDays: number,
  ) {
    const ids = Array.from({ length: databases }, () => this.newDatabaseId());
    this.exec({
      type: 'OpenKeyRing',
      data: {
        tenantId: 't',
        keyId: 'k',
        keyCustody: 'managed',
        rotationPeriodDays: 365,
        pitrRetentionDays: pitrDays,
        version: { keyVersionId: 'kv-1', createdAt: isoOf(0) },
        databases: ids,
      },
    });
    for (const id of ids) this.switches.set(id, [{ version: 'kv-1', from: 0 }]);
  }

  private newDatabaseId() {
    return `db-${++this.dbCount}`;
  }

  /** Every backup as first recorded: what the repository finds by event id once it is archived. */
  private readonly recorded = new Map<string, ArchivedBackup>();

  private exec(command: KeyRingCommand): readonly KeyRingEvent[] {
    const backupId = 'backupId' in command.data ? command.data.backupId : undefined;
    const archived = backupId !== undefined && !findBackup(this.state, backupId) ? (this.recorded.get(backupId) ?? null) : null;
    const events = keyRingDecider.decide(command, this.state, { now: new Date(BASE + this.now * DAY), archived });
    for (const e of events) {
      if (e.type === 'BackupRecorded') {
        const { backupId: id, databaseId, kind, coveredFrom, takenAt, expiresAt, protection } = e.data;
        this.recorded.set(id, { backupId: id, databaseId, kind, coveredFrom, takenAt, expiresAt, protection });
      }
      if (e.type === 'KeyVersionRetired') {
        this.checkRetirement(e.data.keyVersionId);
        this.retired.add(e.data.keyVersionId);
      }
      const before = this.state;
      this.state = keyRingDecider.evolve(this.state, e);
      if (e.type === 'BackupRecorded') this.checkOthersUnchanged(before, versionsExtendedBy(e.data));
    }
    return events;
  }

  /** (e) A backup changes the retainUntil of the versions it needs, and of no other: their timers stand. */
  private checkOthersUnchanged(before: KeyRingState, extended: readonly string[]): void {
    for (const v of before.versions) {
      if (extended.includes(v.keyVersionId)) continue;
      expect({ v: v.keyVersionId, retainUntil: retainUntil(this.state, v.keyVersionId) }).toEqual({ v: v.keyVersionId, retainUntil: retainUntil(before, v.keyVersionId) });
    }
  }

  /** (a) and (c), checked against the independent model, at the moment of retirement. */
  private checkRetirement(v: string): void {
    expect(newestVersion(this.state)!.keyVersionId).not.toBe(v);
    for (const [db, sw] of this.switches) expect({ db, on: sw[sw.length - 1]!.version }).not.toEqual({ db, on: v });
    for (const b of this.backups) {
      if (!b.deleted && b.expiresDay > this.now) expect({ backup: b.id, needs: b.needs.includes(v) }).toEqual({ backup: b.id, needs: false });
    }
    // The floor: restore points made while v protected a database are kept pitrDays after its last use.
    for (const [db, sw] of this.switches) {
      sw.forEach((s, i) => {
        const end = sw[i + 1]?.from;
        if (s.version === v && end !== undefined) expect({ db, v, floor: end + this.pitrDays <= this.now }).toEqual({ db, v, floor: true });
      });
    }
    this.retirements++;
  }

  private newest(): string {
    return newestVersion(this.state)!.keyVersionId;
  }

  private reprotect(databaseId: string): void {
    const from = currentVersionOf(this.state, databaseId)!;
    const to = this.newest();
    if (from === to) return;
    const events = this.exec({ type: 'RecordReprotection', data: { databaseId, fromKeyVersionId: from, toKeyVersionId: to } });
    expect(events).toHaveLength(1);
    this.switches.get(databaseId)!.push({ version: to, from: this.now });
  }

  private modelNeeds(databaseId: string, a: number, b: number): { needs: string[]; restore: string } {
    const sw = this.switches.get(databaseId)!;
    const hit = new Set<string>();
    let restore: string | null = null;
    sw.forEach((s, i) => {
      const to = sw[i + 1]?.from ?? Infinity;
      if (s.from <= b && to > a) hit.add(s.version);
      if (s.from <= b && to > b) restore = s.version;
    });
    const order = this.state.versions.map((v) => v.keyVersionId);
    const needs = order.filter((v) => hit.has(v));
    const first = sw[0]!.version;
    return { needs: needs.length > 0 ? needs : [restore ?? first], restore: restore ?? first };
  }

  /** After any change: hold a timer per version at its retainUntil (keeping an earlier stale one). */
  private refreshTimers(): void {
    for (const v of this.state.versions) {
      if (v.retiredAt) continue;
      const until = retainUntil(this.state, v.keyVersionId);
      if (until === null) continue;
      const day = dayOf(until);
      const held = this.timers.get(v.keyVersionId);
      if (held === undefined || day < held) this.timers.set(v.keyVersionId, day);
    }
  }

  /** The poller: fire every due timer now; a retirement that is not due yet re-schedules itself. */
  private poll(): void {
    this.refreshTimers();
    for (const [v, day] of [...this.timers]) {
      if (day > this.now) continue;
      this.timers.delete(v);
      const events = this.exec({ type: 'RetireKeyVersion', data: { keyVersionId: v } });
      if (events.length === 0 && !this.state.versions.find((x) => x.keyVersionId === v)!.retiredAt) {
        const until = retainUntil(this.state, v);
        if (until !== null) {
          expect(dayOf(until)).toBeGreaterThan(this.now);
          this.timers.set(v, dayOf(until));
        }
      }
    }
    this.checkEndOfPoll();
  }

  /** (b) and (c) after every poll. */
  private checkEndOfPoll(): void {
    expect(newestVersion(this.state)!.retiredAt).toBeNull();
    for (const v of this.state.versions) {
      const until = retainUntil(this.state, v.keyVersionId);
      if (until !== null && dayOf(until) <= this.now) expect({ v: v.keyVersionId, retiredAt: v.retiredAt }).not.toEqual({ v: v.keyVersionId, retiredAt: null });
    }
  }

  run(s: Step): void {
    switch (s.kind) {
      case 'rotate': {
        const id = `kv-${++this.versionCount}`;
        this.exec({ type: 'AddKeyVersion', data: { keyVersionId: id, source: 'policy', createdAt: isoOf(this.now) } });
        [...this.switches.keys()].forEach((db, i) => {
          const delay = s.delays[i % s.delays.length]!;
          if (delay === 0) this.reprotect(db);
          else this.pending.push({ databaseId: db, dueDay: this.now + delay });
        });
        break;
      }
      case 'addDatabase': {
        const id = this.newDatabaseId();
        this.exec({ type: 'AddDatabase', data: { databaseId: id } });
        this.switches.set(id, [{ version: this.newest(), from: this.now }]);
        break;
      }
      case 'backup': {
        const dbs = [...this.switches.keys()];
        const databaseId = dbs[s.db % dbs.length]!;
        const takenDay = this.now - s.agoDays;
        const fromDay = takenDay - s.lengthDays;
        const id = `b-${this.backups.length + 1}`;
        const [e] = this.exec({
          type: 'RecordBackup',
          data: {
            backupId: id,
            databaseId,
            kind: s.backupKind,
            coveredFrom: isoOf(fromDay),
            takenAt: isoOf(takenDay),
            expiresAt: isoOf(takenDay + s.retentionDays),
            protection: s.platform ? 'platform-key' : 'customer-key',
          },
        });
        if (s.platform) {
          // Under the platform key: needs no tenant version, holds none, never flagged.
          expect(e).toMatchObject({ type: 'BackupRecorded', data: { keyVersionIds: [], restoreKeyVersionId: null, unrestorable: null } });
          this.backups.push({ id, takenDay, expiresDay: takenDay + s.retentionDays, deleted: false, needs: [] });
          break;
        }
        const model = this.modelNeeds(databaseId, fromDay, takenDay);
        // (d) flagged exactly when a needed version is already gone.
        const gone = model.needs.filter((v) => this.retired.has(v));
        const unrestorable = gone.length > 0 ? { reason: 'key-version-retired', keyVersionIds: gone } : null;
        expect(e).toMatchObject({ type: 'BackupRecorded', data: { keyVersionIds: model.needs, restoreKeyVersionId: model.restore, unrestorable } });
        if (unrestorable) this.flagged++;
        // A flagged backup cannot bring its retired versions back; it still holds the others.
        this.backups.push({ id, takenDay, expiresDay: takenDay + s.retentionDays, deleted: false, needs: model.needs.filter((v) => !this.retired.has(v)) });
        break;
      }
      case 'policy':
        this.exec({ type: 'ChangeBackupPolicy', data: { pitrRetentionDays: s.pitrDays } });
        this.pitrDays = s.pitrDays;
        break;
      case 'retention': {
        const live = this.backups.filter((b) => !b.deleted);
        if (live.length === 0) break;
        const b = live[s.backup % live.length]!;
        this.exec({ type: 'ChangeBackupRetention', data: { backupId: b.id, expiresAt: isoOf(b.takenDay + s.retentionDays) } });
        b.expiresDay = b.takenDay + s.retentionDays;
        break;
      }
      case 'delete': {
        if (this.backups.length === 0) break;
        const b = this.backups[s.backup % this.backups.length]!;
        this.exec({ type: 'DeleteBackup', data: { backupId: b.id } });
        b.deleted = true;
        break;
      }
      case 'advance':
        for (let d = 0; d < s.days; d++) {
          this.now++;
          const due = this.pending.filter((p) => p.dueDay <= this.now);
          this.pending = this.pending.filter((p) => p.dueDay > this.now);
          for (const p of due) this.reprotect(p.databaseId);
          this.poll();
        }
        break;
    }
    this.poll();
  }
}

describe('key ring retention (property)', () => {
  it('retires each version exactly when nothing needs it any more, never before its floor, never the newest, and flags late backups', () => {
    let retirements = 0;
    let flagged = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        pitrDays,
        fc.array(step, { minLength: 1, maxLength: 40 }),
        (databases, window, steps) => {
          const sim = new Simulation(databases, window);
          for (const s of steps) sim.run(s);
          retirements += sim.retirements;
          flagged += sim.flagged;
        },
      ),
      { numRuns: 300 },
    );
    // The histories must actually exercise retirement and late backups, not just vacuously pass.
    // Over 60 seeds, 300 histories gave 92–150 retirements (mean 118) and 6–32 flagged backups
    // (mean 16): the floors sit about five standard deviations below the mean, so a random seed
    // does not fail them while a generator that stopped producing either case would.
    expect(retirements).toBeGreaterThan(50);
    expect(flagged).toBeGreaterThan(0);
  });
});
