import { upcastEvent } from '../event-upcasters.js';
import { specFor } from '../shared/given-when-then.js';
import type { KeyRingCommand, RecordBackup } from './key-ring.commands.js';
import { keyRingDecider, type KeyRingContext } from './key-ring.decider.js';
import type { KeyRingEvent } from './key-ring.events.js';
import {
  currentVersionOf,
  databasesBehind,
  newestVersion,
  rotationDueAt,
  versionProtectingAt,
  versionsProtecting,
  versionStatus,
  type KeyRingState,
} from './key-ring.state.js';
import { backupsHolding, isLive, retainUntil, retentionTimers, unrestorableBackups } from './retention.js';

/** The grace of a retired version before it is destroyed (LETHE_RETIRED_KEY_GRACE_DAYS) in these specs: long enough to enable one weeks later. */
const GRACE_DAYS = 30;
const at = (iso: string): KeyRingContext => ({ now: new Date(iso), retiredKeyGraceDays: GRACE_DAYS });
/** The destroyAt of a version retired at `iso`. */
const graceEnd = (iso: string) => new Date(Date.parse(iso) + GRACE_DAYS * 86_400_000).toISOString();
const given = specFor(keyRingDecider, () => at('2026-03-01T00:00:00.000Z'));
const fold = (events: readonly KeyRingEvent[]): KeyRingState => events.reduce(keyRingDecider.evolve, keyRingDecider.initialState);

const T0 = '2026-01-01T00:00:00.000Z';
const opened = (over: Partial<Extract<KeyRingEvent, { type: 'KeyRingOpened' }>['data']> = {}): KeyRingEvent => ({
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
    ...over,
  },
});
const added = (keyVersionId: string, when: string, source: 'policy' | 'manual' | 'detected' = 'policy'): KeyRingEvent => ({
  type: 'KeyVersionAdded',
  data: { keyVersionId, source, createdAt: when, at: when },
});
const reprotected = (databaseId: string, from: string, to: string, when: string): KeyRingEvent => ({
  type: 'DatabaseReprotected',
  data: { databaseId, fromKeyVersionId: from, toKeyVersionId: to, at: when },
});
/** kv-2 created Feb 1; db-1 moves at Feb 1 10:00, db-2 at Feb 2 00:00. */
const rotated: KeyRingEvent[] = [
  opened(),
  added('kv-2', '2026-02-01T00:00:00.000Z'),
  reprotected('db-1', 'kv-1', 'kv-2', '2026-02-01T10:00:00.000Z'),
  reprotected('db-2', 'kv-1', 'kv-2', '2026-02-02T00:00:00.000Z'),
];
const backup = (over: Partial<RecordBackup['data']> = {}): RecordBackup => ({
  type: 'RecordBackup',
  data: {
    backupId: 'b-1',
    databaseId: 'db-1',
    kind: 'pitr',
    coveredFrom: '2026-01-25T00:00:00.000Z',
    takenAt: '2026-02-05T00:00:00.000Z',
    expiresAt: '2026-04-01T00:00:00.000Z',
    protection: 'customer-key',
    ...over,
  },
});
/** Decide against the history and append what came out (to build longer histories). */
function then(history: readonly KeyRingEvent[], command: KeyRingCommand, when: string): KeyRingEvent[] {
  return [...history, ...keyRingDecider.decide(command, fold(history), at(when))];
}
const retire = (keyVersionId: string): KeyRingCommand => ({ type: 'RetireKeyVersion', data: { keyVersionId } });

describe('key ring: opening', () => {
  it('opens the ring with its first version protecting every database', () => {
    const open: KeyRingCommand = {
      type: 'OpenKeyRing',
      data: {
        tenantId: 'acme',
        keyId: 'key-1',
        keyCustody: 'client',
        rotationPeriodDays: 90,
        pitrRetentionDays: 7,
        version: { keyVersionId: 'kv-1', createdAt: '2025-12-31T23:00:00Z' },
        databases: ['db-1'],
      },
    };
    given([])
      .when(open, at(T0))
      .then([
        {
          type: 'KeyRingOpened',
          data: {
            tenantId: 'acme',
            keyId: 'key-1',
            keyCustody: 'client',
            rotationPeriodDays: 90,
            pitrRetentionDays: 7,
            version: { keyVersionId: 'kv-1', createdAt: '2025-12-31T23:00:00.000Z' },
            databases: ['db-1'],
            at: T0,
          },
        },
      ]);
    const s = fold([opened()]);
    expect(s.databases[0]).toEqual({ databaseId: 'db-1', intervals: [{ keyVersionId: 'kv-1', from: T0, to: null }] });
    expect(s.versions).toEqual([{ keyVersionId: 'kv-1', createdAt: T0, source: 'onboarding', retiredAt: null, enabledUntil: null, destroyAt: null, destroyedAt: null }]);
  });

  it('refuses a ring that exists', () => {
    given([opened()])
      .when({ type: 'OpenKeyRing', data: { tenantId: 'acme' } } as unknown as KeyRingCommand)
      .thenRejects('key-ring-exists');
  });

  it('refuses a rotation period over two years and a database listed twice', () => {
    const data = { tenantId: 'acme', keyId: 'k', keyCustody: 'managed' as const, pitrRetentionDays: 35, version: { keyVersionId: 'kv-1', createdAt: T0 } };
    given([]).when({ type: 'OpenKeyRing', data: { ...data, rotationPeriodDays: 731, databases: [] } }).thenRejects('invalid-rotation-period');
    given([]).when({ type: 'OpenKeyRing', data: { ...data, rotationPeriodDays: 365, databases: ['a', 'a'] } }).thenRejects('database-exists');
  });

  it('refuses commands on a ring that was never opened', () => {
    given([]).when({ type: 'AddKeyVersion', data: { keyVersionId: 'kv-2', source: 'manual', createdAt: T0 } }).thenRejects('key-ring-not-found');
    given([]).when(backup()).thenRejects('key-ring-not-found');
    given([]).when(retire('kv-1')).thenRejects('key-ring-not-found');
    given([]).when({ type: 'DestroyKeyRing', data: {} }).thenRejects('key-ring-not-found');
  });
});

describe('key ring: versions and re-protection', () => {
  it('adds a version once', () => {
    const add: KeyRingCommand = { type: 'AddKeyVersion', data: { keyVersionId: 'kv-2', source: 'detected', createdAt: '2026-02-28T12:00:00Z' } };
    given([opened()])
      .when(add)
      .then([{ type: 'KeyVersionAdded', data: { keyVersionId: 'kv-2', source: 'detected', createdAt: '2026-02-28T12:00:00.000Z', at: '2026-03-01T00:00:00.000Z' } }]);
    given(rotated).when(add).thenNothing();
  });

  it('refuses a new version after the ring was destroyed, but a known one is still idempotent', () => {
    const destroyed = [...rotated, { type: 'KeyRingDestroyed', data: { at: '2026-02-10T00:00:00.000Z' } } as KeyRingEvent];
    given(destroyed).when({ type: 'AddKeyVersion', data: { keyVersionId: 'kv-3', source: 'policy', createdAt: T0 } }).thenRejects('key-ring-destroyed');
    given(destroyed).when({ type: 'AddKeyVersion', data: { keyVersionId: 'kv-2', source: 'policy', createdAt: T0 } }).thenNothing();
  });

  it('records a database moving to the new version, and only once', () => {
    const history = [opened(), added('kv-2', '2026-02-01T00:00:00.000Z')];
    const cmd: KeyRingCommand = { type: 'RecordReprotection', data: { databaseId: 'db-1', fromKeyVersionId: 'kv-1', toKeyVersionId: 'kv-2' } };
    given(history).when(cmd).then([reprotected('db-1', 'kv-1', 'kv-2', '2026-03-01T00:00:00.000Z')]);
    given(rotated).when(cmd).thenNothing();
  });

  it('refuses an unknown database, an unknown version and a database on another version', () => {
    const history = [opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), added('kv-3', '2026-02-02T00:00:00.000Z')];
    const rp = (databaseId: string, from: string, to: string): KeyRingCommand => ({
      type: 'RecordReprotection',
      data: { databaseId, fromKeyVersionId: from, toKeyVersionId: to },
    });
    given(history).when(rp('db-9', 'kv-1', 'kv-2')).thenRejects('unknown-database');
    given(history).when(rp('db-1', 'kv-1', 'kv-9')).thenRejects('unknown-key-version');
    given(history).when(rp('db-1', 'kv-9', 'kv-2')).thenRejects('unknown-key-version');
    given(history).when(rp('db-1', 'kv-2', 'kv-3')).thenRejects('database-not-on-version');
  });

  it('refuses to move a database onto a retired version', () => {
    const history = then(
      [opened({ databases: ['db-1'] }), added('kv-2', '2026-02-01T00:00:00.000Z'), added('kv-3', '2026-02-02T00:00:00.000Z')],
      retire('kv-2'),
      '2026-02-03T00:00:00.000Z',
    );
    expect(versionStatus(fold(history), 'kv-2')).toBe('retired');
    given(history)
      .when({ type: 'RecordReprotection', data: { databaseId: 'db-1', fromKeyVersionId: 'kv-1', toKeyVersionId: 'kv-2' } })
      .thenRejects('key-version-retired');
  });

  it('keeps the protection history as intervals', () => {
    const s = fold(rotated);
    expect(s.databases[0]!.intervals).toEqual([
      { keyVersionId: 'kv-1', from: T0, to: '2026-02-01T10:00:00.000Z' },
      { keyVersionId: 'kv-2', from: '2026-02-01T10:00:00.000Z', to: null },
    ]);
    expect(currentVersionOf(s, 'db-1')).toBe('kv-2');
    expect(currentVersionOf(s, 'db-9')).toBeNull();
    expect(versionProtectingAt(s, 'db-1', '2026-02-01T09:59:59.999Z')).toBe('kv-1');
    expect(versionProtectingAt(s, 'db-1', '2026-02-01T10:00:00.000Z')).toBe('kv-2');
    expect(versionsProtecting(s, 'db-1', '2026-01-20T00:00:00.000Z', '2026-02-01T10:00:00.000Z')).toEqual(['kv-1', 'kv-2']);
    expect(versionsProtecting(s, 'db-1', '2026-02-01T10:00:00.000Z', '2026-02-05T00:00:00.000Z')).toEqual(['kv-2']);
    expect(versionsProtecting(s, 'db-1', '2026-01-20T00:00:00.000Z', '2026-02-01T09:00:00.000Z')).toEqual(['kv-1']);
  });

  it('tells which databases are behind the newest version', () => {
    const history = [opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-2', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z')];
    expect(databasesBehind(fold(history))).toEqual(['db-1']);
    expect(databasesBehind(fold(rotated))).toEqual([]);
  });
});

describe('key ring: databases', () => {
  it('adds a database on the newest version', () => {
    given(rotated)
      .when({ type: 'AddDatabase', data: { databaseId: 'db-3' } })
      .then([{ type: 'DatabaseAdded', data: { databaseId: 'db-3', keyVersionId: 'kv-2', at: '2026-03-01T00:00:00.000Z' } }]);
  });

  it('refuses a database that exists', () => {
    given(rotated).when({ type: 'AddDatabase', data: { databaseId: 'db-1' } }).thenRejects('database-exists');
  });
});

describe('key ring: P2 overdue re-protection', () => {
  const behind = [opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-2', 'kv-1', 'kv-2', '2026-02-01T01:00:00.000Z')];
  const flag: KeyRingCommand = { type: 'FlagOverdueDatabases', data: { keyVersionId: 'kv-2', dueBy: '2026-02-02T00:00:00Z' } };

  it('flags each database still on an older version once the 24 hours are up', () => {
    given(behind)
      .when(flag, at('2026-02-02T00:00:00.000Z'))
      .then([
        {
          type: 'DatabaseRotationOverdue',
          data: { databaseId: 'db-1', keyVersionId: 'kv-2', dueBy: '2026-02-02T00:00:00.000Z', at: '2026-02-02T00:00:00.000Z' },
        },
      ]);
  });

  it('flags nothing before the deadline, nothing twice, nothing when every database moved', () => {
    given(behind).when(flag, at('2026-02-01T23:59:59.999Z')).thenNothing();
    given(then(behind, flag, '2026-02-02T00:00:00.000Z')).when(flag, at('2026-02-03T00:00:00.000Z')).thenNothing();
    given(rotated).when(flag, at('2026-02-03T00:00:00.000Z')).thenNothing();
  });

  it('does not flag a database already on a newer version', () => {
    const history = [...rotated, added('kv-3', '2026-02-10T00:00:00.000Z')];
    given(history).when(flag, at('2026-02-12T00:00:00.000Z')).thenNothing();
  });

  it('refuses an unknown version', () => {
    given(behind).when({ type: 'FlagOverdueDatabases', data: { keyVersionId: 'kv-9', dueBy: T0 } }).thenRejects('unknown-key-version');
  });
});

describe('key ring: P1 rotation period', () => {
  it('changes the period, and a same value changes nothing', () => {
    given([opened()])
      .when({ type: 'ChangeRotationPeriod', data: { rotationPeriodDays: 90 } })
      .then([{ type: 'RotationPeriodChanged', data: { rotationPeriodDays: 90, at: '2026-03-01T00:00:00.000Z' } }]);
    given([opened()]).when({ type: 'ChangeRotationPeriod', data: { rotationPeriodDays: 365 } }).thenNothing();
  });

  it.each([0, 731, 1.5, -1, Number.NaN])('refuses a period of %s days', (rotationPeriodDays) => {
    given([opened()]).when({ type: 'ChangeRotationPeriod', data: { rotationPeriodDays } }).thenRejects('invalid-rotation-period');
  });

  it('accepts the bounds 1 and 730', () => {
    expect(given([opened()]).when({ type: 'ChangeRotationPeriod', data: { rotationPeriodDays: 1 } }).produced()).toHaveLength(1);
    expect(given([opened()]).when({ type: 'ChangeRotationPeriod', data: { rotationPeriodDays: 730 } }).produced()).toHaveLength(1);
  });

  it('computes when the newest version is due from its vault creation time', () => {
    expect(rotationDueAt(fold(rotated))).toBe('2027-02-01T00:00:00.000Z');
    expect(rotationDueAt(fold([...rotated, { type: 'RotationPeriodChanged', data: { rotationPeriodDays: 30, at: T0 } }]))).toBe(
      '2026-03-03T00:00:00.000Z',
    );
  });

  it('raises rotation-due for a client-held key, once per version, when the period is up', () => {
    const client = [opened({ keyCustody: 'client', rotationPeriodDays: 30 })];
    const raise: KeyRingCommand = { type: 'RaiseRotationDue', data: {} };
    given(client).when(raise, at('2026-01-30T23:59:59.999Z')).thenNothing();
    given(client)
      .when(raise, at('2026-01-31T00:00:00.000Z'))
      .then([{ type: 'KeyRotationDue', data: { keyVersionId: 'kv-1', dueAt: '2026-01-31T00:00:00.000Z', at: '2026-01-31T00:00:00.000Z' } }]);
    const raised = then(client, raise, '2026-01-31T00:00:00.000Z');
    given(raised).when(raise, at('2026-02-15T00:00:00.000Z')).thenNothing();
    // The client rotates late; the next period counts from the new version.
    const rotatedLate = [...raised, added('kv-2', '2026-02-20T00:00:00.000Z', 'detected')];
    given(rotatedLate).when(raise, at('2026-03-21T00:00:00.000Z')).thenNothing();
    given(rotatedLate)
      .when(raise, at('2026-03-22T00:00:00.000Z'))
      .then([{ type: 'KeyRotationDue', data: { keyVersionId: 'kv-2', dueAt: '2026-03-22T00:00:00.000Z', at: '2026-03-22T00:00:00.000Z' } }]);
  });

  it('never raises rotation-due for a managed key (Lethe rotates it itself)', () => {
    given([opened({ rotationPeriodDays: 30 })]).when({ type: 'RaiseRotationDue', data: {} }, at('2027-01-01T00:00:00.000Z')).thenNothing();
  });
});

describe('key ring: backups', () => {
  it('records a backup whose window straddles a rotation as needing both versions', () => {
    given(rotated)
      .when(backup({ coveredFrom: '2026-01-25T00:00:00Z', takenAt: '2026-02-05T00:00:00Z' }))
      .then([
        {
          type: 'BackupRecorded',
          data: {
            backupId: 'b-1',
            databaseId: 'db-1',
            kind: 'pitr',
            coveredFrom: '2026-01-25T00:00:00.000Z',
            takenAt: '2026-02-05T00:00:00.000Z',
            expiresAt: '2026-04-01T00:00:00.000Z',
            protection: 'customer-key',
            keyVersionIds: ['kv-1', 'kv-2'],
            restoreKeyVersionId: 'kv-2',
            unrestorable: null,
            at: '2026-03-01T00:00:00.000Z',
          },
        },
      ]);
  });

  it('records a backup within one version as needing that version only', () => {
    const [e] = given(rotated).when(backup({ coveredFrom: '2026-01-10T00:00:00Z', takenAt: '2026-01-20T00:00:00Z', kind: 'full' })).produced();
    expect(e).toMatchObject({ data: { keyVersionIds: ['kv-1'], restoreKeyVersionId: 'kv-1' } });
    const [f] = given(rotated).when(backup({ coveredFrom: '2026-02-03T00:00:00Z', takenAt: '2026-02-04T00:00:00Z' })).produced();
    expect(f).toMatchObject({ data: { keyVersionIds: ['kv-2'], restoreKeyVersionId: 'kv-2' } });
  });

  it('pins a backup from before the database existed to its first version', () => {
    const history = [...rotated, added('kv-3', '2026-02-10T00:00:00.000Z'), { type: 'DatabaseAdded', data: { databaseId: 'db-3', keyVersionId: 'kv-3', at: '2026-02-10T00:00:00.000Z' } } as KeyRingEvent];
    const [e] = given(history).when(backup({ databaseId: 'db-3', coveredFrom: '2026-02-01T00:00:00Z', takenAt: '2026-02-05T00:00:00Z' })).produced();
    expect(e).toMatchObject({ data: { keyVersionIds: ['kv-3'], restoreKeyVersionId: 'kv-3' } });
    const [f] = given(history).when(backup({ databaseId: 'db-3', coveredFrom: '2026-02-05T00:00:00Z', takenAt: '2026-02-11T00:00:00Z' })).produced();
    expect(f).toMatchObject({ data: { keyVersionIds: ['kv-3'], restoreKeyVersionId: 'kv-3' } });
  });

  it('is idempotent for the same backup, and refuses the same id with other data', () => {
    const recorded = then(rotated, backup(), '2026-02-05T00:00:00.000Z');
    given(recorded).when(backup({ takenAt: '2026-02-05T00:00:00Z' })).thenNothing();
    given(recorded).when(backup({ expiresAt: '2026-05-01T00:00:00.000Z' })).thenRejects('backup-exists');
  });

  it('refuses an unknown database, an expiry before the backup, a window starting after it, a destroyed ring', () => {
    given(rotated).when(backup({ databaseId: 'db-9' })).thenRejects('unknown-database');
    given(rotated).when(backup({ expiresAt: '2026-02-05T00:00:00.000Z' })).thenRejects('backup-expiry-before-taken');
    given(rotated).when(backup({ coveredFrom: '2026-02-05T00:00:00.001Z' })).thenRejects('backup-window-invalid');
    given([...rotated, { type: 'KeyRingDestroyed', data: { at: T0 } }]).when(backup()).thenRejects('key-ring-destroyed');
    given(rotated).when(backup({ takenAt: 'yesterday' })).thenRejects('invalid-instant');
  });

  it('changes a retention (longer or shorter), a same value changes nothing', () => {
    const recorded = then(rotated, backup(), '2026-02-05T00:00:00.000Z');
    const patch = (expiresAt: string): KeyRingCommand => ({ type: 'ChangeBackupRetention', data: { backupId: 'b-1', expiresAt } });
    given(recorded)
      .when(patch('2026-06-01T00:00:00Z'))
      .then([{ type: 'BackupRetentionChanged', data: { backupId: 'b-1', expiresAt: '2026-06-01T00:00:00.000Z', at: '2026-03-01T00:00:00.000Z' } }]);
    given(recorded).when(patch('2026-04-01T00:00:00.000Z')).thenNothing();
    given(recorded).when(patch('2026-02-05T00:00:00.000Z')).thenRejects('backup-expiry-before-taken');
    given(recorded).when({ type: 'ChangeBackupRetention', data: { backupId: 'b-9', expiresAt: '2026-06-01T00:00:00Z' } }).thenRejects('backup-not-found');
    const deleted = then(recorded, { type: 'DeleteBackup', data: { backupId: 'b-1' } }, '2026-02-06T00:00:00.000Z');
    given(deleted).when(patch('2026-06-01T00:00:00Z')).thenRejects('backup-not-found');
  });

  it('deletes a backup once', () => {
    const recorded = then(rotated, backup(), '2026-02-05T00:00:00.000Z');
    const del: KeyRingCommand = { type: 'DeleteBackup', data: { backupId: 'b-1' } };
    given(recorded).when(del).then([{ type: 'BackupDeleted', data: { backupId: 'b-1', at: '2026-03-01T00:00:00.000Z' } }]);
    given(then(recorded, del, '2026-02-06T00:00:00.000Z')).when(del).thenNothing();
    given(recorded).when({ type: 'DeleteBackup', data: { backupId: 'b-9' } }).thenRejects('backup-not-found');
  });

  it('tells which backups hold a version and which are live', () => {
    const s = fold(then(rotated, backup(), '2026-02-05T00:00:00.000Z'));
    expect(backupsHolding(s, 'kv-1')).toEqual(['b-1']);
    expect(backupsHolding(s, 'kv-1', new Date('2026-04-01T00:00:00.000Z'))).toEqual([]);
    expect(isLive(s.backups[0]!, new Date('2026-03-31T23:59:59.999Z'))).toBe(true);
    expect(isLive(s.backups[0]!, new Date('2026-04-01T00:00:00.000Z'))).toBe(false);
    const deleted = fold(then(then(rotated, backup(), '2026-02-05T00:00:00.000Z'), { type: 'DeleteBackup', data: { backupId: 'b-1' } }, '2026-02-06T00:00:00.000Z'));
    expect(backupsHolding(deleted, 'kv-1')).toEqual([]);
    expect(isLive(deleted.backups[0]!, new Date('2026-02-07T00:00:00.000Z'))).toBe(false);
  });
});

describe('key ring: P3 maximum backup retention (break-glass backup.extend-retention)', () => {
  // Taken 2026-02-05; the default maximum is 3653 days, so 2036-02-05 (3652 days later) is within it
  // and 2036-02-06 (3653 days) is the last instant allowed, one millisecond more is past it.
  const taken = '2026-02-05T00:00:00.000Z';
  const lastAllowed = '2036-02-06T00:00:00.000Z';
  const pastMax = '2036-02-06T00:00:00.001Z';
  const thirtyDays = (iso: string): KeyRingContext => ({ now: new Date(iso), maxBackupRetentionDays: 30 });
  const patch = (expiresAt: string, grantId?: string): KeyRingCommand => ({ type: 'ChangeBackupRetention', data: { backupId: 'b-1', expiresAt, ...(grantId ? { grantId } : {}) } });

  it('given a ring, when a backup is recorded kept exactly the default maximum (3653 days), then it is recorded without a grant', () => {
    const [e] = given(rotated).when(backup({ takenAt: taken, expiresAt: lastAllowed })).produced();
    expect(e).toMatchObject({ type: 'BackupRecorded', data: { expiresAt: lastAllowed } });
    expect(e!.data).not.toHaveProperty('grantId');
  });

  it('given a ring, when a backup is recorded kept past the maximum without a grant, then it is refused as break-glass-required naming the rule', () => {
    given(rotated).when(backup({ takenAt: taken, expiresAt: pastMax })).thenRejects('break-glass-required');
    expect(() => keyRingDecider.decide(backup({ takenAt: taken, expiresAt: pastMax }), fold(rotated), at('2026-03-01T00:00:00Z'))).toThrow(/at most 3653 days/);
  });

  it('given a ring, when a backup past the maximum names a grant, then BackupRecorded records the grant', () => {
    const [e] = given(rotated).when(backup({ takenAt: taken, expiresAt: pastMax, grantId: 'g-1' })).produced();
    expect(e).toMatchObject({ type: 'BackupRecorded', data: { expiresAt: pastMax, grantId: 'g-1' } });
    // A platform-key backup too.
    const [p] = given(rotated).when(backup({ takenAt: taken, expiresAt: pastMax, protection: 'platform-key', grantId: 'g-1' })).produced();
    expect(p).toMatchObject({ type: 'BackupRecorded', data: { protection: 'platform-key', grantId: 'g-1' } });
  });

  it('given a ring, when a backup within the maximum names a grant anyway, then the grant is not recorded (it was not used)', () => {
    const [e] = given(rotated).when(backup({ takenAt: taken, grantId: 'g-1' })).produced();
    expect(e!.data).not.toHaveProperty('grantId');
  });

  it('given the maximum from the context (30 days), when a backup is kept 31 days, then it needs a grant; 30 days does not', () => {
    given(rotated).when(backup({ takenAt: taken, expiresAt: '2026-03-08T00:00:00.000Z' }), thirtyDays('2026-03-01T00:00:00Z')).thenRejects('break-glass-required');
    const [e] = given(rotated).when(backup({ takenAt: taken, expiresAt: '2026-03-07T00:00:00.000Z' }), thirtyDays('2026-03-01T00:00:00Z')).produced();
    expect(e).toMatchObject({ type: 'BackupRecorded' });
  });

  it('given a bad request past the maximum, when it is recorded, then the bad field is refused first (no grant is asked for)', () => {
    given(rotated).when(backup({ databaseId: 'db-9', takenAt: taken, expiresAt: pastMax })).thenRejects('unknown-database');
  });

  it('given a backup recorded under a grant, when the same backup is recorded again without one, then nothing changes (a replay)', () => {
    const recorded = then(rotated, backup({ takenAt: taken, expiresAt: pastMax, grantId: 'g-1' }), '2026-02-05T00:00:00.000Z');
    given(recorded).when(backup({ takenAt: taken, expiresAt: pastMax })).thenNothing();
  });

  it('given a backup, when its retention is extended past the maximum without a grant, then it is refused; with one, BackupRetentionChanged records it', () => {
    const recorded = then(rotated, backup({ takenAt: taken }), '2026-02-05T00:00:00.000Z');
    given(recorded).when(patch(pastMax)).thenRejects('break-glass-required');
    given(recorded)
      .when(patch(pastMax, 'g-1'))
      .then([{ type: 'BackupRetentionChanged', data: { backupId: 'b-1', expiresAt: pastMax, grantId: 'g-1', at: '2026-03-01T00:00:00.000Z' } }]);
    given(recorded)
      .when(patch(lastAllowed, 'g-1'))
      .then([{ type: 'BackupRetentionChanged', data: { backupId: 'b-1', expiresAt: lastAllowed, at: '2026-03-01T00:00:00.000Z' } }]);
  });

  it('given a backup kept past the maximum, when its retention is shortened (even to still past it), then no grant is needed', () => {
    const recorded = then(rotated, backup({ takenAt: taken, expiresAt: '2040-01-01T00:00:00.000Z', grantId: 'g-1' }), '2026-02-05T00:00:00.000Z');
    given(recorded)
      .when(patch('2039-01-01T00:00:00.000Z'))
      .then([{ type: 'BackupRetentionChanged', data: { backupId: 'b-1', expiresAt: '2039-01-01T00:00:00.000Z', at: '2026-03-01T00:00:00.000Z' } }]);
    given(recorded).when(patch('2041-01-01T00:00:00.000Z')).thenRejects('break-glass-required');
  });
});

describe('key ring: P3 retention and retirement', () => {
  const withBackup = then(rotated, backup(), '2026-02-05T00:00:00.000Z');

  it('needs the newest version, and a version a database is still on, indefinitely', () => {
    const half = [opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), reprotected('db-1', 'kv-1', 'kv-2', '2026-02-01T10:00:00.000Z')];
    expect(retainUntil(fold(half), 'kv-1')).toBeNull();
    expect(retainUntil(fold(half), 'kv-2')).toBeNull();
    given(half).when(retire('kv-1'), at('2030-01-01T00:00:00.000Z')).thenNothing();
    given(half).when(retire('kv-2'), at('2030-01-01T00:00:00.000Z')).thenNothing();
  });

  it('keeps a superseded version until its last use plus the point-in-time window when no backup needs it', () => {
    // Last use Feb 2 00:00 (db-2 moved), window 1 day.
    expect(retainUntil(fold(rotated), 'kv-1')).toBe('2026-02-03T00:00:00.000Z');
    given(rotated).when(retire('kv-1'), at('2026-02-02T23:59:59.999Z')).thenNothing();
    given(rotated)
      .when(retire('kv-1'), at('2026-02-03T00:00:00.000Z'))
      .then([{ type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: '2026-02-03T00:00:00.000Z', at: '2026-02-03T00:00:00.000Z', destroyAt: graceEnd('2026-02-03T00:00:00.000Z') } }]);
    // The default window is 35 days: not retired at its last use, as before the policy existed.
    const byDefault = [opened({ pitrRetentionDays: 35 }), ...rotated.slice(1)];
    expect(retainUntil(fold(byDefault), 'kv-1')).toBe('2026-03-09T00:00:00.000Z');
    given(byDefault).when(retire('kv-1'), at('2026-02-02T00:00:00.000Z')).thenNothing();
  });

  it('reads a ring opened before the backup policy existed (upcast) with the default window', () => {
    const { pitrRetentionDays: _dropped, ...legacy } = (opened() as Extract<KeyRingEvent, { type: 'KeyRingOpened' }>).data;
    const read = upcastEvent({ type: 'KeyRingOpened', data: legacy, metadata: { schemaVersion: 1 } }) as unknown as KeyRingEvent;
    const s = fold([read, ...rotated.slice(1)]);
    expect(s.pitrRetentionDays).toBe(35);
    expect(retainUntil(s, 'kv-1')).toBe('2026-03-09T00:00:00.000Z');
  });

  it('keeps it until the latest of its last use and the expiry of the backups that need it', () => {
    expect(retainUntil(fold(withBackup), 'kv-1')).toBe('2026-04-01T00:00:00.000Z');
    given(withBackup).when(retire('kv-1'), at('2026-03-31T23:59:59.999Z')).thenNothing();
    given(withBackup)
      .when(retire('kv-1'), at('2026-04-01T00:00:00.000Z'))
      .then([{ type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: '2026-04-01T00:00:00.000Z', at: '2026-04-01T00:00:00.000Z', destroyAt: graceEnd('2026-04-01T00:00:00.000Z') } }]);
    // A backup that expired before the last use does not hold the version past the floor.
    const early = then(rotated, backup({ backupId: 'b-2', coveredFrom: T0, takenAt: '2026-01-10T00:00:00Z', expiresAt: '2026-01-20T00:00:00Z' }), '2026-01-10T00:00:00.000Z');
    expect(retainUntil(fold(early), 'kv-1')).toBe('2026-02-03T00:00:00.000Z');
  });

  it('moves the date when a retention is extended or shortened', () => {
    const longer = then(withBackup, { type: 'ChangeBackupRetention', data: { backupId: 'b-1', expiresAt: '2026-09-01T00:00:00Z' } }, '2026-03-01T00:00:00.000Z');
    expect(retainUntil(fold(longer), 'kv-1')).toBe('2026-09-01T00:00:00.000Z');
    given(longer).when(retire('kv-1'), at('2026-04-01T00:00:00.000Z')).thenNothing();
    const shorter = then(withBackup, { type: 'ChangeBackupRetention', data: { backupId: 'b-1', expiresAt: '2026-02-20T00:00:00Z' } }, '2026-02-10T00:00:00.000Z');
    expect(retainUntil(fold(shorter), 'kv-1')).toBe('2026-02-20T00:00:00.000Z');
    expect(given(shorter).when(retire('kv-1'), at('2026-02-20T00:00:00.000Z')).produced()).toHaveLength(1);
  });

  it('retires at the floor once the only backup needing the version is deleted', () => {
    const deleted = then(withBackup, { type: 'DeleteBackup', data: { backupId: 'b-1' } }, '2026-02-10T00:00:00.000Z');
    expect(retainUntil(fold(deleted), 'kv-1')).toBe('2026-02-03T00:00:00.000Z');
    given(deleted)
      .when(retire('kv-1'), at('2026-02-10T00:00:00.000Z'))
      .then([{ type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: '2026-02-03T00:00:00.000Z', at: '2026-02-10T00:00:00.000Z', destroyAt: graceEnd('2026-02-10T00:00:00.000Z') } }]);
  });

  it('moves the floor when the point-in-time window changes', () => {
    const longer = then(rotated, { type: 'ChangeBackupPolicy', data: { pitrRetentionDays: 20 } }, '2026-02-02T12:00:00.000Z');
    expect(longer.at(-1)).toEqual({ type: 'BackupPolicyChanged', data: { pitrRetentionDays: 20, at: '2026-02-02T12:00:00.000Z' } });
    expect(retainUntil(fold(longer), 'kv-1')).toBe('2026-02-22T00:00:00.000Z');
    given(longer).when(retire('kv-1'), at('2026-02-03T00:00:00.000Z')).thenNothing();
    const shorter = then(longer, { type: 'ChangeBackupPolicy', data: { pitrRetentionDays: 5 } }, '2026-02-03T00:00:00.000Z');
    expect(retentionTimers(fold(shorter))).toEqual([{ keyVersionId: 'kv-1', retainUntil: '2026-02-07T00:00:00.000Z' }]);
    // A backup still needs its versions beyond the floor.
    expect(retainUntil(fold([...withBackup, ...shorter.slice(rotated.length)]), 'kv-1')).toBe('2026-04-01T00:00:00.000Z');
  });

  it('retires a version that never protected anything once it was superseded', () => {
    const skipped = [...rotated, added('kv-3', '2026-02-10T00:00:00.000Z'), added('kv-4', '2026-02-11T00:00:00.000Z')];
    expect(retainUntil(fold(skipped), 'kv-3')).toBe('2026-02-11T00:00:00.000Z');
    expect(retainUntil(fold(skipped), 'kv-2')).toBeNull(); // both databases are still on it
  });

  it('never brings a retired version back', () => {
    const retired = then(rotated, retire('kv-1'), '2026-02-03T00:00:00.000Z');
    given(retired).when(retire('kv-1'), at('2026-02-04T00:00:00.000Z')).thenNothing();
    const s = fold(retired);
    expect(s.versions[0]!.retiredAt).toBe('2026-02-03T00:00:00.000Z');
    expect(retentionTimers(s)).toEqual([]);
  });

  it('refuses to retire an unknown version', () => {
    given(rotated).when(retire('kv-9')).thenRejects('unknown-key-version');
  });

  it('lists the retention timers the lifecycle should hold', () => {
    expect(retentionTimers(fold(withBackup))).toEqual([{ keyVersionId: 'kv-1', retainUntil: '2026-04-01T00:00:00.000Z' }]);
    expect(retentionTimers(fold([opened()]))).toEqual([]);
  });

  it('moves a version through active, superseded, retired; everything is destroyed after a shred', () => {
    expect(versionStatus(fold([opened()]), 'kv-1')).toBe('active');
    const s1 = fold([opened(), added('kv-2', '2026-02-01T00:00:00.000Z')]);
    expect([versionStatus(s1, 'kv-1'), versionStatus(s1, 'kv-2')]).toEqual(['superseded', 'active']);
    const retired = then(rotated, retire('kv-1'), '2026-02-03T00:00:00.000Z');
    expect(versionStatus(fold(retired), 'kv-1')).toBe('retired');
    const destroyed = then(retired, { type: 'DestroyKeyRing', data: {} }, '2026-02-04T00:00:00.000Z');
    expect([versionStatus(fold(destroyed), 'kv-1'), versionStatus(fold(destroyed), 'kv-2')]).toEqual(['destroyed', 'destroyed']);
    expect(newestVersion(fold(destroyed))?.keyVersionId).toBe('kv-2');
  });
});

describe('key ring: the backup policy', () => {
  const policy = (pitrRetentionDays: number): KeyRingCommand => ({ type: 'ChangeBackupPolicy', data: { pitrRetentionDays } });

  it('opens with the window it is given and refuses one outside 1..35 days', () => {
    expect(fold([opened({ pitrRetentionDays: 7 })]).pitrRetentionDays).toBe(7);
    const data = { tenantId: 'acme', keyId: 'k', keyCustody: 'managed' as const, rotationPeriodDays: 365, version: { keyVersionId: 'kv-1', createdAt: T0 }, databases: [] };
    for (const pitrRetentionDays of [0, 36, 2.5, Number.NaN]) {
      given([]).when({ type: 'OpenKeyRing', data: { ...data, pitrRetentionDays } }).thenRejects('invalid-pitr-retention');
    }
    expect(given([]).when({ type: 'OpenKeyRing', data: { ...data, pitrRetentionDays: 35 } }).produced()).toHaveLength(1);
  });

  it('changes the window, a same value changes nothing, and refuses a bad one or a destroyed ring', () => {
    given([opened()]).when(policy(14)).then([{ type: 'BackupPolicyChanged', data: { pitrRetentionDays: 14, at: '2026-03-01T00:00:00.000Z' } }]);
    given([opened()]).when(policy(1)).thenNothing();
    given([opened()]).when(policy(36)).thenRejects('invalid-pitr-retention');
    given([opened()]).when(policy(0)).thenRejects('invalid-pitr-retention');
    given([opened(), { type: 'KeyRingDestroyed', data: { at: T0 } }]).when(policy(14)).thenRejects('key-ring-destroyed');
    expect(fold([opened(), { type: 'BackupPolicyChanged', data: { pitrRetentionDays: 14, at: T0 } }]).pitrRetentionDays).toBe(14);
  });
});

describe('key ring: backups needing a retired version', () => {
  // kv-1 retired on Feb 3 (last use Feb 2 + 1 day); then a backup of Feb 1 is registered.
  const retired = then(rotated, retire('kv-1'), '2026-02-03T00:00:00.000Z');
  const late = backup({ backupId: 'late', coveredFrom: '2026-02-01T06:00:00Z', takenAt: '2026-02-02T00:00:00Z', expiresAt: '2026-02-10T00:00:00Z' });

  it('records it, flagged not restorable, naming the retired versions it needs', () => {
    const [e] = given(retired).when(late, at('2026-02-04T00:00:00.000Z')).produced();
    expect(e).toMatchObject({
      type: 'BackupRecorded',
      data: { backupId: 'late', keyVersionIds: ['kv-1', 'kv-2'], restoreKeyVersionId: 'kv-2', unrestorable: { reason: 'key-version-retired', keyVersionIds: ['kv-1'] } },
    });
    const s = fold(then(retired, late, '2026-02-04T00:00:00.000Z'));
    expect(unrestorableBackups(s, new Date('2026-02-09T23:59:59.999Z')).map((b) => b.backupId)).toEqual(['late']);
    // Until it expires or is deleted.
    expect(unrestorableBackups(s, new Date('2026-02-10T00:00:00.000Z'))).toEqual([]);
    const deleted = fold(then(then(retired, late, '2026-02-04T00:00:00.000Z'), { type: 'DeleteBackup', data: { backupId: 'late' } }, '2026-02-05T00:00:00.000Z'));
    expect(unrestorableBackups(deleted, new Date('2026-02-05T00:00:00.000Z'))).toEqual([]);
  });

  it('does not flag a backup whose versions are all still kept', () => {
    const [e] = given(rotated).when(late, at('2026-02-02T12:00:00.000Z')).produced();
    expect(e).toMatchObject({ data: { keyVersionIds: ['kv-1', 'kv-2'], unrestorable: null } });
  });

  it('never brings the retired version back for it', () => {
    const s = fold(then(retired, late, '2026-02-04T00:00:00.000Z'));
    expect(versionStatus(s, 'kv-1')).toBe('retired');
    expect(retentionTimers(s)).toEqual([]);
  });
});

describe('key ring: platform-key backups', () => {
  it('records a backup under the platform key as needing no tenant key version', () => {
    const [e] = given(rotated).when(backup({ protection: 'platform-key' })).produced();
    expect(e).toEqual({
      type: 'BackupRecorded',
      data: {
        backupId: 'b-1',
        databaseId: 'db-1',
        kind: 'pitr',
        coveredFrom: '2026-01-25T00:00:00.000Z',
        takenAt: '2026-02-05T00:00:00.000Z',
        expiresAt: '2026-04-01T00:00:00.000Z',
        protection: 'platform-key',
        keyVersionIds: [],
        restoreKeyVersionId: null,
        unrestorable: null,
        at: '2026-03-01T00:00:00.000Z',
      },
    });
    // It holds no version: kv-1 goes at its floor.
    const s = fold(then(rotated, backup({ protection: 'platform-key' }), '2026-02-05T00:00:00.000Z'));
    expect(retainUntil(s, 'kv-1')).toBe('2026-02-03T00:00:00.000Z');
    expect(backupsHolding(s, 'kv-1')).toEqual([]);
  });

  it('is never flagged, even when the versions of its window are retired', () => {
    const retired = then(rotated, retire('kv-1'), '2026-02-03T00:00:00.000Z');
    const [e] = given(retired).when(backup({ protection: 'platform-key', takenAt: '2026-01-20T00:00:00Z', coveredFrom: '2026-01-19T00:00:00Z' })).produced();
    expect(e).toMatchObject({ data: { protection: 'platform-key', unrestorable: null } });
  });

  it('reads a backup recorded before protections were told apart (upcast) as a customer-key backup', () => {
    const legacy = { type: 'BackupRecorded', data: { backupId: 'old', databaseId: 'db-1', kind: 'full', coveredFrom: T0, takenAt: T0, expiresAt: '2026-12-01T00:00:00.000Z', keyVersionIds: ['kv-1'], restoreKeyVersionId: 'kv-1', at: T0 }, metadata: { schemaVersion: 1 } };
    const s = fold([...rotated, upcastEvent(legacy) as unknown as KeyRingEvent]);
    expect(s.backups[0]).toMatchObject({ protection: 'customer-key', unrestorable: null });
    expect(retainUntil(s, 'kv-1')).toBe('2026-12-01T00:00:00.000Z');
  });

  it('treats the same backup with another protection as other data', () => {
    given(then(rotated, backup(), '2026-02-05T00:00:00.000Z')).when(backup({ protection: 'platform-key' })).thenRejects('backup-exists');
  });
});

describe('key ring: staging assets', () => {
  const stage = (assetId: string, expiresAt: string | null = null): KeyRingCommand => ({ type: 'RegisterStagingAsset', data: { assetId, expiresAt } });

  it('registers a staging blob once, with or without an expiry', () => {
    given([opened()])
      .when(stage('export-1', '2026-03-05T00:00:00Z'))
      .then([{ type: 'StagingAssetRegistered', data: { assetId: 'export-1', expiresAt: '2026-03-05T00:00:00.000Z', at: '2026-03-01T00:00:00.000Z' } }]);
    const s = fold(then([opened()], stage('export-2'), '2026-03-01T00:00:00.000Z'));
    expect(s.stagingAssets).toEqual([{ assetId: 'export-2', expiresAt: null, registeredAt: '2026-03-01T00:00:00.000Z' }]);
  });

  it('is idempotent by asset id, and refuses the same id with another expiry', () => {
    const registered = then([opened()], stage('export-1', '2026-03-05T00:00:00.000Z'), '2026-03-01T00:00:00.000Z');
    given(registered).when(stage('export-1', '2026-03-05T00:00:00Z')).thenNothing();
    given(registered).when(stage('export-1', '2026-03-06T00:00:00Z')).thenRejects('staging-asset-exists');
    given(registered).when(stage('export-1')).thenRejects('staging-asset-exists');
  });

  it('refuses a new one after the ring was destroyed, a bad instant, and an unknown ring', () => {
    given([opened(), { type: 'KeyRingDestroyed', data: { at: T0 } }]).when(stage('export-9')).thenRejects('key-ring-destroyed');
    given([opened()]).when(stage('export-9', 'tomorrow')).thenRejects('invalid-instant');
    given([]).when(stage('export-9')).thenRejects('key-ring-not-found');
  });
});

describe('key ring: destruction', () => {
  it('destroys the ring once', () => {
    given(rotated)
      .when({ type: 'DestroyKeyRing', data: {} })
      .then([{ type: 'KeyRingDestroyed', data: { at: '2026-03-01T00:00:00.000Z' } }]);
    given([...rotated, { type: 'KeyRingDestroyed', data: { at: T0 } }]).when({ type: 'DestroyKeyRing', data: {} }).thenNothing();
  });

  it('retires nothing, raises nothing and adds nothing after a shred', () => {
    const destroyed: KeyRingEvent[] = [...rotated, { type: 'KeyRingDestroyed', data: { at: '2026-02-03T00:00:00.000Z' } }];
    given(destroyed).when(retire('kv-1'), at('2027-01-01T00:00:00.000Z')).thenNothing();
    expect(retainUntil(fold(destroyed), 'kv-1')).toBeNull();
    given(destroyed).when({ type: 'AddDatabase', data: { databaseId: 'db-3' } }).thenRejects('key-ring-destroyed');
    given(destroyed).when({ type: 'RaiseRotationDue', data: {} }, at('2030-01-01T00:00:00.000Z')).thenNothing();
    given(destroyed)
      .when({ type: 'FlagOverdueDatabases', data: { keyVersionId: 'kv-2', dueBy: T0 } }, at('2030-01-01T00:00:00.000Z'))
      .thenNothing();
    given([opened(), added('kv-2', '2026-02-01T00:00:00.000Z'), { type: 'KeyRingDestroyed', data: { at: T0 } }])
      .when({ type: 'RecordReprotection', data: { databaseId: 'db-1', fromKeyVersionId: 'kv-1', toKeyVersionId: 'kv-2' } })
      .thenRejects('key-ring-destroyed');
  });
});

describe('key ring: break-glass key-version.enable', () => {
  // kv-1 retired at Feb 3 (its retainUntil); the grant's window ends Mar 1 02:00.
  const retired = then(rotated, retire('kv-1'), '2026-02-03T00:00:00.000Z');
  const UNTIL = '2026-03-01T02:00:00.000Z';
  const enable = (keyVersionId = 'kv-1', until = UNTIL): KeyRingCommand => ({ type: 'EnableKeyVersion', data: { keyVersionId, until, grantId: 'bg-1' } });
  const enabled = then(retired, enable(), '2026-03-01T00:00:00.000Z');

  it('enables a retired version until the grant window ends: superseded again, with enabledUntil', () => {
    given(retired)
      .when(enable('kv-1', '2026-03-01T02:00:00Z'))
      .then([{ type: 'KeyVersionEnabled', data: { keyVersionId: 'kv-1', until: UNTIL, grantId: 'bg-1', at: '2026-03-01T00:00:00.000Z' } }]);
    const s = fold(enabled);
    expect(s.versions[0]).toMatchObject({ retiredAt: null, enabledUntil: UNTIL });
    expect(versionStatus(s, 'kv-1')).toBe('superseded');
  });

  it('a retry of the same enabling records nothing', () => {
    given(enabled).when(enable()).thenNothing();
  });

  it('refuses a version that is not retired, an unknown version, a shredded ring, a window already over', () => {
    given(rotated).when(enable('kv-1')).thenRejects('key-version-not-retired');
    given(rotated).when(enable('kv-2')).thenRejects('key-version-not-retired');
    given(enabled).when(enable('kv-1', '2026-03-01T03:00:00.000Z')).thenRejects('key-version-not-retired');
    given(retired).when(enable('kv-9')).thenRejects('unknown-key-version');
    given([]).when(enable()).thenRejects('key-ring-not-found');
    given(then(retired, { type: 'DestroyKeyRing', data: {} }, '2026-02-04T00:00:00.000Z')).when(enable()).thenRejects('key-ring-destroyed');
    given(retired).when(enable('kv-1', '2026-03-01T00:00:00.000Z')).thenRejects('enable-window-ended');
  });

  it('holds the version until the window ends, then retires it again (a second KeyVersionRetired)', () => {
    const s = fold(enabled);
    expect(retainUntil(s, 'kv-1')).toBe(UNTIL);
    expect(retentionTimers(s)).toEqual([{ keyVersionId: 'kv-1', retainUntil: UNTIL }]);
    given(enabled).when(retire('kv-1'), at('2026-03-01T01:59:59.999Z')).thenNothing();
    given(enabled)
      .when(retire('kv-1'), at(UNTIL))
      .then([{ type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: UNTIL, at: UNTIL, destroyAt: graceEnd(UNTIL) } }]);
    const again = fold(then(enabled, retire('kv-1'), UNTIL));
    expect(again.versions[0]).toMatchObject({ retiredAt: UNTIL, enabledUntil: null });
    expect(versionStatus(again, 'kv-1')).toBe('retired');
    // And it can be enabled again under another grant.
    given(then(enabled, retire('kv-1'), UNTIL)).when(enable('kv-1', '2026-03-02T00:00:00.000Z'), at('2026-03-01T12:00:00.000Z')).then([
      { type: 'KeyVersionEnabled', data: { keyVersionId: 'kv-1', until: '2026-03-02T00:00:00.000Z', grantId: 'bg-1', at: '2026-03-01T12:00:00.000Z' } },
    ]);
  });

  it('a backup recorded while the version was retired (flagged unrestorable) does not hold it past the window', () => {
    const late = then(retired, backup({ backupId: 'b-late', coveredFrom: '2026-01-25T00:00:00.000Z', takenAt: '2026-01-25T00:00:00.000Z', expiresAt: '2026-06-01T00:00:00.000Z' }), '2026-02-20T00:00:00.000Z');
    expect(fold(late).backups.find((b) => b.backupId === 'b-late')?.unrestorable).toMatchObject({ keyVersionIds: ['kv-1'] });
    const s = fold(then(late, enable(), '2026-03-01T00:00:00.000Z'));
    expect(retainUntil(s, 'kv-1')).toBe(UNTIL);
    expect(retentionTimers(s)).toEqual([{ keyVersionId: 'kv-1', retainUntil: UNTIL }]);
  });

  it('a backup needing the version that outlives the window holds it longer than the window', () => {
    const withBackup = then(then(rotated, backup({ expiresAt: '2026-04-01T00:00:00.000Z' }), '2026-02-05T00:00:00.000Z'), retire('kv-1'), '2026-04-01T00:00:00.000Z');
    const s = fold(then(withBackup, enable('kv-1', '2026-04-01T02:00:00.000Z'), '2026-04-01T00:30:00.000Z'));
    expect(retainUntil(s, 'kv-1')).toBe('2026-04-01T02:00:00.000Z');
  });
});

describe("key ring: a retired version's grace before destruction (P3, LETHE_RETIRED_KEY_GRACE_DAYS)", () => {
  const RETIRED_AT = '2026-02-03T00:00:00.000Z';
  const retired = then(rotated, retire('kv-1'), RETIRED_AT);
  const DESTROY_AT = graceEnd(RETIRED_AT);
  const destroy: KeyRingCommand = { type: 'DestroyKeyVersion', data: { keyVersionId: 'kv-1' } };
  const enable = (until: string): KeyRingCommand => ({ type: 'EnableKeyVersion', data: { keyVersionId: 'kv-1', until, grantId: 'bg-1' } });

  it('records when the retired version is destroyed: the grace in force after the retirement, 0 days at once', () => {
    given(rotated)
      .when(retire('kv-1'), { now: new Date(RETIRED_AT), retiredKeyGraceDays: 7 })
      .then([{ type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: RETIRED_AT, at: RETIRED_AT, destroyAt: '2026-02-10T00:00:00.000Z' } }]);
    given(rotated)
      .when(retire('kv-1'), { now: new Date(RETIRED_AT), retiredKeyGraceDays: 0 })
      .then([{ type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: RETIRED_AT, at: RETIRED_AT, destroyAt: RETIRED_AT } }]);
    // Without the setting, the default of promises.ts (7 days).
    given(rotated)
      .when(retire('kv-1'), { now: new Date(RETIRED_AT) })
      .then([{ type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: RETIRED_AT, at: RETIRED_AT, destroyAt: '2026-02-10T00:00:00.000Z' } }]);
    expect(fold(retired).versions[0]).toMatchObject({ retiredAt: RETIRED_AT, destroyAt: DESTROY_AT, destroyedAt: null });
    expect(versionStatus(fold(retired), 'kv-1')).toBe('retired');
  });

  it('destroys it only once the grace is over, once; then it counts as destroyed', () => {
    given(retired).when(destroy, at('2026-03-04T23:59:59.999Z')).thenRejects('key-version-grace-running');
    given(retired).when(destroy, at(DESTROY_AT)).then([{ type: 'KeyVersionDestroyed', data: { keyVersionId: 'kv-1', at: DESTROY_AT } }]);
    const destroyed = then(retired, destroy, DESTROY_AT);
    given(destroyed).when(destroy, at('2026-04-01T00:00:00.000Z')).thenNothing();
    expect(versionStatus(fold(destroyed), 'kv-1')).toBe('destroyed');
    expect(fold(destroyed).versions[0]).toMatchObject({ destroyedAt: DESTROY_AT });
  });

  it('can enable it during the grace, never at or after its end', () => {
    given(retired)
      .when(enable('2026-03-04T23:00:00.000Z'), at('2026-03-04T22:00:00.000Z'))
      .then([{ type: 'KeyVersionEnabled', data: { keyVersionId: 'kv-1', until: '2026-03-04T23:00:00.000Z', grantId: 'bg-1', at: '2026-03-04T22:00:00.000Z' } }]);
    // Its timer is due though not fired yet: the vault is about to destroy it.
    given(retired).when(enable('2026-03-05T02:00:00.000Z'), at(DESTROY_AT)).thenRejects('key-version-destroyed');
    given(then(retired, destroy, DESTROY_AT)).when(enable('2026-04-01T02:00:00.000Z'), at('2026-04-01T00:00:00.000Z')).thenRejects('key-version-destroyed');
  });

  it('does not destroy a version enabled again since its retirement; its next retirement starts a new grace', () => {
    const enabled = then(retired, enable('2026-02-20T00:00:00.000Z'), '2026-02-19T00:00:00.000Z');
    expect(fold(enabled).versions[0]).toMatchObject({ destroyAt: null });
    given(enabled).when(destroy, at(DESTROY_AT)).thenRejects('key-version-not-retired');
    const again = fold(then(enabled, retire('kv-1'), '2026-02-20T00:00:00.000Z'));
    expect(again.versions[0]).toMatchObject({ retiredAt: '2026-02-20T00:00:00.000Z', destroyAt: graceEnd('2026-02-20T00:00:00.000Z') });
  });

  it('records nothing for a shredded ring (the shred destroyed every version), and refuses an unknown or unretired version', () => {
    given(then(retired, { type: 'DestroyKeyRing', data: {} }, '2026-02-04T00:00:00.000Z')).when(destroy, at(DESTROY_AT)).thenNothing();
    given(rotated).when(destroy, at(DESTROY_AT)).thenRejects('key-version-not-retired');
    given(retired).when({ type: 'DestroyKeyVersion', data: { keyVersionId: 'kv-9' } }, at(DESTROY_AT)).thenRejects('unknown-key-version');
  });

  it('reads a retirement recorded before the grace existed (no destroyAt) as destroyed at retirement, as the lifecycle then did', () => {
    const legacy: KeyRingEvent[] = [...rotated, { type: 'KeyVersionRetired', data: { keyVersionId: 'kv-1', retainUntil: RETIRED_AT, at: RETIRED_AT } }];
    expect(fold(legacy).versions[0]).toMatchObject({ destroyAt: RETIRED_AT, destroyedAt: RETIRED_AT });
    expect(versionStatus(fold(legacy), 'kv-1')).toBe('destroyed');
    given(legacy).when(enable('2026-02-04T02:00:00.000Z'), at('2026-02-04T00:00:00.000Z')).thenRejects('key-version-destroyed');
  });
});
