// Every key ring opens on the initial state's one empty backups array. An index attached to that
// array would be shared by every ring folded from it and collect every tenant's backup ids for the
// life of the process (answers stay right; memory does not): no index may hang on it.
import { keyRingDecider, type KeyRingContext } from './key-ring.decider.js';
import type { KeyRingEvent } from './key-ring.events.js';
import { findBackup, initialKeyRingState, type KeyRingState } from './key-ring.state.js';

const T0 = '2026-01-01T00:00:00.000Z';
const ctx: KeyRingContext = { now: new Date('2026-02-10T00:00:00.000Z'), retiredKeyGraceDays: 30 };
const fold = (events: readonly KeyRingEvent[]): KeyRingState => events.reduce(keyRingDecider.evolve, keyRingDecider.initialState);
const opened = (tenantId: string): KeyRingEvent => ({
  type: 'KeyRingOpened',
  data: { tenantId, keyId: `key-${tenantId}`, keyCustody: 'managed', rotationPeriodDays: 365, pitrRetentionDays: 1, version: { keyVersionId: `kv-${tenantId}`, createdAt: T0 }, databases: ['db-1'], at: T0 },
});
const recordOn = (history: readonly KeyRingEvent[], backupId: string): KeyRingEvent[] => [
  ...history,
  ...keyRingDecider.decide(
    {
      type: 'RecordBackup',
      data: { backupId, databaseId: 'db-1', kind: 'pitr', coveredFrom: '2026-01-25T00:00:00.000Z', takenAt: '2026-02-05T00:00:00.000Z', expiresAt: '2026-04-01T00:00:00.000Z', protection: 'customer-key' },
    },
    fold(history),
    ctx,
  ),
];

describe('backup index and the initial state', () => {
  it('given two tenants’ rings folded from the initial state, when each records backups, then no index is attached to the initial state’s empty array, and each ring finds only its own', () => {
    const indexed: unknown[] = [];
    // Watch the indexes the module attaches (WeakMap.set with a Map value): nothing else can see them.
    const original = WeakMap.prototype.set;
    WeakMap.prototype.set = function (this: WeakMap<object, unknown>, key: object, value: unknown) {
      if (value instanceof Map) indexed.push(key);
      return original.call(this, key, value);
    };
    let a: KeyRingEvent[] = [opened('acme')];
    let b: KeyRingEvent[] = [opened('globex')];
    try {
      for (let i = 0; i < 3; i++) {
        a = recordOn(a, `acme-backup-${i}`);
        b = recordOn(b, `globex-backup-${i}`);
      }
    } finally {
      WeakMap.prototype.set = original;
    }
    expect(indexed.length).toBeGreaterThan(0);
    expect(indexed).not.toContain(initialKeyRingState.backups);
    expect(findBackup(fold(a), 'acme-backup-2')?.backupId).toBe('acme-backup-2');
    expect(findBackup(fold(a), 'globex-backup-2')).toBeNull();
    expect(findBackup(fold(b), 'globex-backup-0')?.backupId).toBe('globex-backup-0');
  });
});
