// Given a shred's key destroyed by a vault that purges later, when the purge check asks, then it
// waits for the expected purge, checks, and asks again less often the later the purge is.
import type { TenantEvent } from './tenant.events.js';
import { evolveTenant, initialTenantState, keyMaterialPurgeExpectedAt, type TenantState } from './tenant.state.js';
import { nextPurgeCheck, purgeRecheckAt } from './key-purge.workflow.js';

const shredId = 'termination:t-1';
const destroyedAt = '2026-12-05T00:00:00.000Z';
const expected = '2026-12-12T00:00:00.000Z';
const history: TenantEvent[] = [
  {
    type: 'TenantOnboarded',
    data: {
      tenantId: 'acme', jurisdiction: 'GB-ENG', timeZone: 'Europe/London', excludedHolidayTypes: ['public', 'bank'], partialHolidays: 'working',
      keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }], shredGraceWorkingDays: 2, rotationPeriodDays: 365,
      pitrRetentionDays: 35, at: '2026-11-01T00:00:00.000Z',
    },
  },
  {
    type: 'ShredScheduled',
    data: {
      shredId, trigger: { kind: 'termination', terminationId: 't-1', contractId: 'c-1' }, effectiveAt: '2026-12-02T10:00:00.000Z',
      receivedAt: '2026-12-01T09:00:00.000Z', deadline: '2026-12-09T23:59:59.999Z', executeAt: '2026-12-04T23:59:59.999Z',
      deletionWorkingDays: 5, graceWorkingDays: 2, calendar: { jurisdiction: 'GB-ENG', timeZone: 'Europe/London', excludedHolidayTypes: ['public', 'bank'] },
    },
  },
  { type: 'ShredExecutionStarted', data: { shredId, at: destroyedAt } },
];
const destroyed = (versions: { purgedAt: string | null; purgeExpectedAt: string | null }[]): TenantEvent => ({
  type: 'KeyDestroyed',
  data: { shredId, keyId: 'k-1', versions: versions.map((v, i) => ({ keyVersionId: `kv-${i + 1}`, unusableAt: destroyedAt, ...v })), at: destroyedAt },
});
const state = (extra: TenantEvent[]): TenantState => [...history, ...extra].reduce(evolveTenant, initialTenantState);
const now = (iso: string) => new Date(iso);

describe('key purge workflow', () => {
  it('given no key destroyed yet, or a vault that purged on destroy, then there is nothing to check', () => {
    expect(nextPurgeCheck(initialTenantState, now(destroyedAt))).toEqual({ kind: 'none' });
    expect(nextPurgeCheck(state([]), now(destroyedAt))).toEqual({ kind: 'none' });
    expect(nextPurgeCheck(state([destroyed([{ purgedAt: destroyedAt, purgeExpectedAt: null }])]), now(destroyedAt))).toEqual({ kind: 'none' });
  });

  it('given a purge expected later, then it waits for the latest expected instant, then checks', () => {
    const s = state([destroyed([{ purgedAt: null, purgeExpectedAt: '2026-12-10T00:00:00.000Z' }, { purgedAt: null, purgeExpectedAt: expected }])]);
    expect(keyMaterialPurgeExpectedAt(s.shred!)).toBe(expected);
    expect(nextPurgeCheck(s, now('2026-12-11T00:00:00Z'))).toEqual({ kind: 'wait', until: expected });
    expect(nextPurgeCheck(s, now(expected))).toEqual({ kind: 'check', expectedAt: expected, overdue: false });
    expect(nextPurgeCheck(s, now('2026-12-13T00:00:00.001Z'))).toEqual({ kind: 'check', expectedAt: expected, overdue: true });
  });

  it('given a vault that gave no date, then it checks (and asks again from then on)', () => {
    const s = state([destroyed([{ purgedAt: null, purgeExpectedAt: null }])]);
    expect(keyMaterialPurgeExpectedAt(s.shred!)).toBeNull();
    expect(nextPurgeCheck(s, now(destroyedAt))).toEqual({ kind: 'check', expectedAt: null, overdue: false });
  });

  it('given the purge confirmed, then there is nothing more to check', () => {
    const s = state([
      destroyed([{ purgedAt: null, purgeExpectedAt: expected }]),
      { type: 'KeyMaterialPurged', data: { shredId, keyId: 'k-1', versions: [{ keyVersionId: 'kv-1', purgedAt: expected }], at: expected } },
    ]);
    expect(nextPurgeCheck(s, now('2026-12-20T00:00:00Z'))).toEqual({ kind: 'none' });
    expect(s.shred!.destroyedKeyVersions).toEqual([{ keyVersionId: 'kv-1', unusableAt: destroyedAt, purgedAt: expected, purgeExpectedAt: null }]);
  });

  it('asks again after an hour at first, later less often, at most daily', () => {
    expect(purgeRecheckAt(expected, now(expected))).toBe('2026-12-12T01:00:00.000Z');
    expect(purgeRecheckAt(expected, now('2026-12-12T05:00:00Z'))).toBe('2026-12-12T10:00:00.000Z');
    expect(purgeRecheckAt(expected, now('2026-12-20T00:00:00Z'))).toBe('2026-12-21T00:00:00.000Z');
  });
});
