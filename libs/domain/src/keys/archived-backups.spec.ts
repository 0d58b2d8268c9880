import { specFor } from '../shared/given-when-then.js';
import type { ArchivedBackup } from './archived-backups.js';
import type { KeyRingCommand, RecordBackup } from './key-ring.commands.js';
import { keyRingDecider, type KeyRingContext } from './key-ring.decider.js';
import type { KeyRingEvent } from './key-ring.events.js';
import { findBackup, type KeyRingState } from './key-ring.state.js';
import { retainUntil, retentionTimers } from './retention.js';

const at = (iso: string): KeyRingContext => ({ now: new Date(iso) });
const given = specFor(keyRingDecider, () => at('2026-06-01T00:00:00.000Z'));
const fold = (events: readonly KeyRingEvent[]): KeyRingState => events.reduce(keyRingDecider.evolve, keyRingDecider.initialState);
const T0 = '2026-01-01T00:00:00.000Z';

/** kv-1 from Jan 1, kv-2 from Feb 1 on both databases; a 1-day point-in-time window. */
const rotated: KeyRingEvent[] = [
  {
    type: 'KeyRingOpened',
    data: {
      tenantId: 'acme',
      keyId: 'key-1',
      keyCustody: 'managed',
      rotationPeriodDays: 365,
      pitrRetentionDays: 1,
      version: { keyVersionId: 'kv-1', createdAt: T0 },
      databases: ['db-1', 'db-2'],
      at: T0,
    },
  },
  { type: 'KeyVersionAdded', data: { keyVersionId: 'kv-2', source: 'policy', createdAt: '2026-02-01T00:00:00.000Z', at: '2026-02-01T00:00:00.000Z' } },
  { type: 'DatabaseReprotected', data: { databaseId: 'db-1', fromKeyVersionId: 'kv-1', toKeyVersionId: 'kv-2', at: '2026-02-01T00:00:00.000Z' } },
  { type: 'DatabaseReprotected', data: { databaseId: 'db-2', fromKeyVersionId: 'kv-1', toKeyVersionId: 'kv-2', at: '2026-02-01T00:00:00.000Z' } },
];

const record = (over: Partial<RecordBackup['data']> = {}): RecordBackup => ({
  type: 'RecordBackup',
  data: {
    backupId: 'b-old',
    databaseId: 'db-1',
    kind: 'pitr',
    coveredFrom: '2026-01-05T00:00:00.000Z',
    takenAt: '2026-01-10T00:00:00.000Z',
    expiresAt: '2026-01-20T00:00:00.000Z',
    protection: 'customer-key',
    ...over,
  },
});

/** Decide against the history and append what came out. */
function then(history: readonly KeyRingEvent[], command: KeyRingCommand, when: string): KeyRingEvent[] {
  return [...history, ...keyRingDecider.decide(command, fold(history), at(when))];
}
const retireKv1 = (history: readonly KeyRingEvent[], when = '2026-02-02T00:00:00.000Z') =>
  then(history, { type: 'RetireKeyVersion', data: { keyVersionId: 'kv-1' } }, when);

/** b-old (kv-1, expired Jan 20) and b-new (kv-2, live until Sep), recorded on time. */
const withBackups = then(then(rotated, record(), '2026-01-10T00:00:00.000Z'), record({ backupId: 'b-new', coveredFrom: '2026-02-03T00:00:00.000Z', takenAt: '2026-02-05T00:00:00.000Z', expiresAt: '2026-09-01T00:00:00.000Z' }), '2026-02-05T00:00:00.000Z');
const archived = retireKv1(withBackups);

describe('key ring: backups that can never matter again leave the state', () => {
  it('archives, at a retirement, an expired backup whose versions are all retired, and counts it', () => {
    const after = fold(archived);
    expect(fold(withBackups).archivedBackups).toBe(0);
    expect(after.versions.find((v) => v.keyVersionId === 'kv-1')!.retiredAt).toBe('2026-02-02T00:00:00.000Z');
    expect(after.backups.map((b) => b.backupId)).toEqual(['b-new']);
    expect(after.archivedBackups).toBe(1);
  });

  it('keeps a backup whose version is still in use, even expired, so retention reads it as before', () => {
    const expiredOnKv2 = then(rotated, record({ backupId: 'b-2', coveredFrom: '2026-02-03T00:00:00.000Z', takenAt: '2026-02-05T00:00:00.000Z', expiresAt: '2026-02-06T00:00:00.000Z' }), '2026-02-05T00:00:00.000Z');
    const s = fold(retireKv1(expiredOnKv2));
    expect(s.backups.map((b) => b.backupId)).toEqual(['b-2']);
    expect(s.archivedBackups).toBe(0);
  });

  it('keeps a live backup that needs a retired version (flagged unrestorable) until it expires, then archives it at the next retirement', () => {
    const late = then(retireKv1(rotated), record({ backupId: 'b-late', expiresAt: '2026-12-01T00:00:00.000Z' }), '2026-03-01T00:00:00.000Z');
    expect(findBackup(fold(late), 'b-late')!.unrestorable).toEqual({ reason: 'key-version-retired', keyVersionIds: ['kv-1'] });
    // kv-3 supersedes kv-2; kv-2 retires in October, when b-late is still live.
    const kv3 = [
      ...late,
      { type: 'KeyVersionAdded', data: { keyVersionId: 'kv-3', source: 'policy', createdAt: '2026-10-01T00:00:00.000Z', at: '2026-10-01T00:00:00.000Z' } },
      { type: 'DatabaseReprotected', data: { databaseId: 'db-1', fromKeyVersionId: 'kv-2', toKeyVersionId: 'kv-3', at: '2026-10-01T00:00:00.000Z' } },
      { type: 'DatabaseReprotected', data: { databaseId: 'db-2', fromKeyVersionId: 'kv-2', toKeyVersionId: 'kv-3', at: '2026-10-01T00:00:00.000Z' } },
    ] satisfies KeyRingEvent[];
    const kv2Retired = then(kv3, { type: 'RetireKeyVersion', data: { keyVersionId: 'kv-2' } }, '2026-10-02T00:00:00.000Z');
    expect(fold(kv2Retired).backups.map((b) => b.backupId)).toEqual(['b-late']);
    // kv-4 in December: kv-3 retires after b-late expired, and takes it along.
    const kv4 = [
      ...kv2Retired,
      { type: 'KeyVersionAdded', data: { keyVersionId: 'kv-4', source: 'policy', createdAt: '2026-12-10T00:00:00.000Z', at: '2026-12-10T00:00:00.000Z' } },
      { type: 'DatabaseReprotected', data: { databaseId: 'db-1', fromKeyVersionId: 'kv-3', toKeyVersionId: 'kv-4', at: '2026-12-10T00:00:00.000Z' } },
      { type: 'DatabaseReprotected', data: { databaseId: 'db-2', fromKeyVersionId: 'kv-3', toKeyVersionId: 'kv-4', at: '2026-12-10T00:00:00.000Z' } },
    ] satisfies KeyRingEvent[];
    const s = fold(then(kv4, { type: 'RetireKeyVersion', data: { keyVersionId: 'kv-3' } }, '2026-12-11T00:00:00.000Z'));
    expect(s.backups).toEqual([]);
    expect(s.archivedBackups).toBe(1);
  });

  it('archives a deleted backup and an expired platform-key backup with the retirement', () => {
    const deleted = then(then(rotated, record({ backupId: 'b-del', expiresAt: '2026-12-01T00:00:00.000Z' }), '2026-01-10T00:00:00.000Z'), { type: 'DeleteBackup', data: { backupId: 'b-del' } }, '2026-01-11T00:00:00.000Z');
    const platform = then(deleted, record({ backupId: 'b-plat', protection: 'platform-key' }), '2026-01-10T00:00:00.000Z');
    const s = fold(retireKv1(platform));
    expect(s.backups).toEqual([]);
    expect(s.archivedBackups).toBe(2);
  });

  it('leaves what retention decides unchanged: the same timers and retainUntil with or without the archived backups', () => {
    const kept = fold(archived);
    const unarchived: KeyRingState = { ...kept, backups: [...fold(withBackups).backups], archivedBackups: 0 };
    expect(retentionTimers(kept)).toEqual(retentionTimers(unarchived));
    expect(retainUntil(kept, 'kv-2')).toBe(retainUntil(unarchived, 'kv-2'));
  });

  // What the repository finds by the id of b-old's BackupRecorded event.
  const bOld: ArchivedBackup = {
    backupId: 'b-old',
    databaseId: 'db-1',
    kind: 'pitr',
    coveredFrom: '2026-01-05T00:00:00.000Z',
    takenAt: '2026-01-10T00:00:00.000Z',
    expiresAt: '2026-01-20T00:00:00.000Z',
    protection: 'customer-key',
  };
  const knowing = (archivedBackup: ArchivedBackup | null): KeyRingContext => ({ now: new Date('2026-06-01T00:00:00.000Z'), archived: archivedBackup });

  it('answers a repeated RecordBackup of an archived backup as a replay, and another body as a conflict', () => {
    given(archived).when(record(), knowing(bOld)).thenNothing();
    given(archived).when(record({ takenAt: '2026-01-10T00:00:00Z' }), knowing(bOld)).thenNothing();
    given(archived).when(record({ expiresAt: '2026-01-21T00:00:00.000Z' }), knowing(bOld)).thenRejects('backup-exists');
    given(archived).when(record({ protection: 'platform-key' }), knowing(bOld)).thenRejects('backup-exists');
    given(archived).when(record({ databaseId: 'db-2' }), knowing(bOld)).thenRejects('backup-exists');
  });

  it('uses the archived backup only for the id it names', () => {
    const other = given(archived).when(record({ backupId: 'b-other' }), knowing(bOld)).produced();
    expect(other.map((e) => e.type)).toEqual(['BackupRecorded']);
  });

  it('records nothing for a new retention or a deletion of an archived backup', () => {
    given(archived).when({ type: 'ChangeBackupRetention', data: { backupId: 'b-old', expiresAt: '2027-01-01T00:00:00.000Z' } }, knowing(bOld)).thenNothing();
    given(archived).when({ type: 'DeleteBackup', data: { backupId: 'b-old' } }, knowing(bOld)).thenNothing();
    given(archived).when({ type: 'DeleteBackup', data: { backupId: 'b-old' } }, knowing(null)).thenRejects('backup-not-found');
    given(archived).when({ type: 'ChangeBackupRetention', data: { backupId: 'b-old', expiresAt: '2027-01-01T00:00:00.000Z' } }, knowing(null)).thenRejects('backup-not-found');
  });
});
