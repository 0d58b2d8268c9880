// Recording a backup reads the key ring once (and the tenant once, for backupKeyMode and the shred),
// decides against that state, has the data plane keep what the backup needs, and appends at the
// revision it read. Real PostgreSQL, vault and data plane.
import { randomUUID } from 'node:crypto';
import { DomainError, keyRingStream, tenantStream } from '@lethe/domain';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { RecordBackupCommand, type BackupInput } from './record-backup.command.js';
import { RecordBackupHandler } from './record-backup.handler.js';
import { KeyRingRepository } from '../key-ring-repository.js';

let f: LifecycleFixture;
let handler: RecordBackupHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  handler = new RecordBackupHandler(f.keyRings, f.tenants, f.dataPlane, f.clock, f.opener, f.privileged);
});

afterAll(async () => {
  await f?.close();
});

function backup(backupId: string, over: Partial<BackupInput> = {}): BackupInput {
  return {
    backupId,
    databaseId: 'db-1',
    kind: 'full',
    coveredFrom: '2026-03-02T09:00:00.000Z',
    takenAt: '2026-03-02T09:00:00.000Z',
    expiresAt: '2026-06-01T00:00:00.000Z',
    ...over,
  };
}

async function revisionOf(streamId: string): Promise<bigint> {
  const events = await f.store.readStream(streamId);
  return events[events.length - 1].revision;
}

describe('record backup', () => {
  it('reads the key ring once and the tenant once, and the data plane can restore the backup with the version it needs', async () => {
    const { keyRing } = await f.onboard('acme');
    f.resetReads();
    const state = await handler.execute(new RecordBackupCommand('acme', backup('b-1')));
    expect(f.reads(keyRingStream('acme'))).toBe(1);
    expect(f.reads(tenantStream('acme'))).toBe(1);
    const version = keyRing!.versions[0].keyVersionId;
    expect(state.backups).toEqual([expect.objectContaining({ backupId: 'b-1', protection: 'customer-key', keyVersionIds: [version], unrestorable: null })]);
    expect(await f.dataPlane.restoreCheck('acme', 'b-1')).toEqual({ restorable: true, keyVersionId: version });
  });

  it('appends nothing for the same backup again, and answers the same state', async () => {
    const before = await revisionOf(keyRingStream('acme'));
    const first = (await f.keyRings.load('acme')).state;
    const again = await handler.execute(new RecordBackupCommand('acme', backup('b-1')));
    expect(await revisionOf(keyRingStream('acme'))).toBe(before);
    expect(again).toEqual(first);
  });

  it('given concurrent requests for one backup id with different bodies on several instances, then exactly one is recorded and the others are refused', async () => {
    await f.onboard('racer');
    // Each "instance" has its own repository (and its own states kept in memory).
    const instances = Array.from({ length: 8 }, () => new RecordBackupHandler(new KeyRingRepository(f.store, f.clock), f.tenants, f.dataPlane, f.clock, f.opener, f.privileged));
    const takenAt = (i: number) => `2026-03-02T0${i}:00:00.000Z`;
    const results = await Promise.allSettled(
      instances.map((h, i) => h.execute(new RecordBackupCommand('racer', backup('race', { coveredFrom: '2026-03-02T00:00:00.000Z', takenAt: takenAt(i) })))),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'backup-exists' });
    const stored = (await f.store.readStream(keyRingStream('racer'))).filter((e) => e.type === 'BackupRecorded');
    expect(stored).toHaveLength(1);
    expect(stored[0].data).toMatchObject({ backupId: 'race', takenAt: takenAt(won[0]) });
    // The winner's body again, from any instance, is a replay.
    const replay = await instances[(won[0] + 1) % 8].execute(new RecordBackupCommand('racer', backup('race', { coveredFrom: '2026-03-02T00:00:00.000Z', takenAt: takenAt(won[0]) })));
    expect(replay.backups.find((b) => b.backupId === 'race')).toMatchObject({ takenAt: takenAt(won[0]) });
  });

  it("keeps a platform-key tenant's backup as an asset the shred must purge", async () => {
    await f.onboard('plat', { backupKeyMode: 'platform' });
    const state = await handler.execute(new RecordBackupCommand('plat', backup('p-1')));
    expect(state.backups[0]).toEqual(expect.objectContaining({ backupId: 'p-1', protection: 'platform-key', keyVersionIds: [] }));
    expect(await f.dataPlane.checkAsset('plat', 'platform-backup', 'p-1')).toEqual({ readable: true });
  });

  it('decides again on a fresh read when another write lands between its read and its append', async () => {
    await f.onboard('busy');
    const racing = new RecordBackupHandler(
      f.keyRings,
      f.tenants,
      {
        addPlatformBackup: (...args) => f.dataPlane.addPlatformBackup(...args),
        recordBackup: async (...args) => {
          await f.keyRings.execute('busy', { type: 'ChangeRotationPeriod', data: { rotationPeriodDays: 90 } }, 'racing-write');
          await f.dataPlane.recordBackup(...args);
        },
      },
      f.clock,
      f.opener,
      f.privileged,
    );
    f.resetReads();
    const state = await racing.execute(new RecordBackupCommand('busy', backup('b-9')));
    // Its own read, the racing write's, and the reload after the lost race.
    expect(f.reads(keyRingStream('busy'))).toBe(3);
    expect(state.rotationPeriodDays).toBe(90);
    expect(state.backups.map((b) => b.backupId)).toEqual(['b-9']);
  });

  it('refuses once the shred was executed and appends nothing', async () => {
    await f.onboard('gone');
    const now = f.clock.now().toISOString();
    await f.tenants.execute('gone', { type: 'ScheduleShred', data: { trigger: { kind: 'deletion-request', requestId: 'r-1' }, effectiveAt: now, receivedAt: now } }, 'test:schedule');
    f.clock.set(new Date('2026-03-20T00:00:00.000Z'));
    await f.tenants.execute('gone', { type: 'StartShredExecution', data: { shredId: 'deletion-request:r-1' } }, 'test:start');
    const before = await revisionOf(keyRingStream('gone'));
    const refused = handler.execute(new RecordBackupCommand('gone', backup('b-late', { takenAt: '2026-03-19T00:00:00.000Z' })));
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'tenant-shredded' });
    expect(await revisionOf(keyRingStream('gone'))).toBe(before);
  });

  it('refuses a backup kept past the maximum retention for a shredded tenant before its grant is used', async () => {
    await f.onboard('gone-too');
    const now = f.clock.now().toISOString();
    await f.tenants.execute('gone-too', { type: 'ScheduleShred', data: { trigger: { kind: 'deletion-request', requestId: 'r-1' }, effectiveAt: now, receivedAt: now } }, 'test:schedule');
    f.clock.set(new Date(Date.parse(now) + 30 * 86_400_000));
    await f.tenants.execute('gone-too', { type: 'StartShredExecution', data: { shredId: 'deletion-request:r-1' } }, 'test:start');
    const grantId = randomUUID();
    const scope = { tenantIds: ['gone-too'], operations: ['backup.extend-retention' as const] };
    await f.grants.execute(grantId, { type: 'RequestBreakGlass', data: { grantId, requestedBy: 'olga', taskRef: 'INC-1', reason: 'legal hold', scope, durationMinutes: 60 } }, `test:request:${grantId}`);
    for (const approver of ['ann', 'ben']) await f.grants.execute(grantId, { type: 'ApproveBreakGlass', data: { approver } }, `test:approve:${approver}`);
    const takenAt = new Date(Date.parse(now) + 86_400_000).toISOString();
    // Kept 20 years: past the default maximum retention (10 years), so only a grant would allow it.
    const longKept = backup('b-long', { coveredFrom: takenAt, takenAt, expiresAt: new Date(Date.parse(takenAt) + 20 * 365 * 86_400_000).toISOString() });
    await expect(handler.execute(new RecordBackupCommand('gone-too', longKept, { by: 'olga', grantId }))).rejects.toMatchObject({ code: 'tenant-shredded' });
    await expect(handler.execute(new RecordBackupCommand('gone-too', longKept))).rejects.toMatchObject({ code: 'tenant-shredded' });
    expect((await f.grants.load(grantId)).state).toMatchObject({ uses: 0, refusals: 0 });
    expect(await f.store.readStream('privileged-refusals-gone-too')).toEqual([]);
  });

  it('answers tenant-not-found for a tenant without a key ring', async () => {
    await expect(handler.execute(new RecordBackupCommand('nobody', backup('b-x')))).rejects.toMatchObject({ code: 'tenant-not-found' });
  });
});
