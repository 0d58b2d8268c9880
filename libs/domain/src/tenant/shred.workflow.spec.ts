import type { TenantEvent } from './tenant.events.js';
import { evolveTenant, initialTenantState, type TenantState } from './tenant.state.js';
import { nextShredAction, shredRetryDelayMs } from './shred.workflow.js';

const shredId = 'termination:t-1';
const history: TenantEvent[] = [
  {
    type: 'TenantOnboarded',
    data: {
      tenantId: 'acme',
      jurisdiction: 'GB-ENG',
      timeZone: 'Europe/London',
      excludedHolidayTypes: ['public', 'bank'],
      partialHolidays: 'working',
      keyCustody: 'managed',
      backupKeyMode: 'platform',
      databases: [{ databaseId: 'db-1' }],
      shredGraceWorkingDays: 2,
      rotationPeriodDays: 365,
      pitrRetentionDays: 35,
      at: '2026-11-01T00:00:00.000Z',
    },
  },
  {
    type: 'ShredScheduled',
    data: {
      shredId,
      trigger: { kind: 'termination', terminationId: 't-1', contractId: 'c-1' },
      effectiveAt: '2026-12-02T10:00:00.000Z',
      receivedAt: '2026-12-01T09:00:00.000Z',
      deadline: '2026-12-09T23:59:59.999Z',
      executeAt: '2026-12-04T23:59:59.999Z',
      deletionWorkingDays: 5,
      graceWorkingDays: 2,
      calendar: { jurisdiction: 'GB-ENG', timeZone: 'Europe/London', excludedHolidayTypes: ['public', 'bank'] },
    },
  },
];
const state = (extra: TenantEvent[] = []): TenantState => [...history, ...extra].reduce(evolveTenant, initialTenantState);
const now = (iso: string) => new Date(iso);

describe('shred workflow', () => {
  it('has nothing to do for a tenant without a shred', () => {
    expect(nextShredAction(initialTenantState, now('2026-12-01T00:00:00Z'))).toEqual({ kind: 'none' });
  });

  it('waits for executeAt, then starts, destroys, purges and probes, in that order', () => {
    expect(nextShredAction(state(), now('2026-12-03T00:00:00Z'))).toEqual({ kind: 'wait', until: '2026-12-04T23:59:59.999Z', reason: 'execute-at' });
    expect(nextShredAction(state(), now('2026-12-04T23:59:59.999Z'))).toEqual({ kind: 'start' });
    const started: TenantEvent = { type: 'ShredExecutionStarted', data: { shredId, at: '2026-12-05T00:00:00.000Z' } };
    expect(nextShredAction(state([started]), now('2026-12-05T00:00:00Z'))).toEqual({ kind: 'destroy-keys' });
    const destroyed: TenantEvent = { type: 'KeyDestroyed', data: { shredId, keyId: 'k', versions: [], at: '2026-12-05T00:00:01.000Z' } };
    expect(nextShredAction(state([started, destroyed]), now('2026-12-05T00:00:01Z'))).toEqual({ kind: 'purge-assets' });
    const purged: TenantEvent = { type: 'AssetsPurged', data: { shredId, assets: [], at: '2026-12-05T00:00:02.000Z' } };
    expect(nextShredAction(state([started, destroyed, purged]), now('2026-12-05T00:00:02Z'))).toEqual({ kind: 'probe', attempt: 1 });
    const verified: TenantEvent = { type: 'ShredVerified', data: { shredId, attempt: 1, at: '2026-12-05T00:00:03.000Z' } };
    expect(nextShredAction(state([started, destroyed, purged, verified]), now('2026-12-05T00:00:03Z'))).toEqual({ kind: 'none' });
  });

  it('backs off after a failed step and after an inconclusive probe', () => {
    const started: TenantEvent = { type: 'ShredExecutionStarted', data: { shredId, at: '2026-12-05T00:00:00.000Z' } };
    const failed: TenantEvent = { type: 'ShredStepFailed', data: { shredId, step: 'destroy-keys', failure: 2, error: 'VaultError', at: '2026-12-05T00:00:00.000Z' } };
    expect(nextShredAction(state([started, failed]), now('2026-12-05T00:01:00Z'))).toEqual({ kind: 'wait', until: '2026-12-05T00:02:00.000Z', reason: 'retry' });
    expect(nextShredAction(state([started, failed]), now('2026-12-05T00:02:00Z'))).toEqual({ kind: 'destroy-keys' });
    const destroyed: TenantEvent = { type: 'KeyDestroyed', data: { shredId, keyId: 'k', versions: [], at: '2026-12-05T00:03:00.000Z' } };
    const purged: TenantEvent = { type: 'AssetsPurged', data: { shredId, assets: [], at: '2026-12-05T00:03:00.000Z' } };
    const probe: TenantEvent = { type: 'ShredProbeRecorded', data: { shredId, attempt: 1, outcome: 'inconclusive', results: [], at: '2026-12-05T00:04:00.000Z' } };
    const s = state([started, failed, destroyed, purged, probe]);
    expect(nextShredAction(s, now('2026-12-05T00:04:30Z'))).toEqual({ kind: 'wait', until: '2026-12-05T00:05:00.000Z', reason: 'retry' });
    expect(nextShredAction(s, now('2026-12-05T00:05:00Z'))).toEqual({ kind: 'probe', attempt: 2 });
  });

  it('caps the retry delay at an hour', () => {
    expect(shredRetryDelayMs(1)).toBe(60_000);
    expect(shredRetryDelayMs(3)).toBe(240_000);
    expect(shredRetryDelayMs(30)).toBe(3_600_000);
  });

  it('given a vault that makes the key unusable later, when assets are purged, then the first probe waits until the key is unusable', () => {
    const unusableAt = '2026-12-07T00:00:00.000Z';
    const executed = state([
      { type: 'ShredExecutionStarted', data: { shredId, at: '2026-12-05T00:00:00.000Z' } },
      {
        type: 'KeyDestroyed',
        data: { shredId, keyId: 'k-1', versions: [{ keyVersionId: 'kv-1', unusableAt, purgedAt: null, purgeExpectedAt: '2026-12-14T00:00:00.000Z' }], at: '2026-12-05T00:00:00.000Z' },
      },
      { type: 'AssetsPurged', data: { shredId, assets: [], at: '2026-12-05T00:00:01.000Z' } },
    ]);
    expect(nextShredAction(executed, now('2026-12-05T00:00:02Z'))).toEqual({ kind: 'wait', until: unusableAt, reason: 'unusable' });
    expect(nextShredAction(executed, now(unusableAt))).toEqual({ kind: 'probe', attempt: 1 });
  });
});
