// A backup deleted early: recorded, then its data key copy erased in the data plane.
import { keyRingStream } from '@lethe/domain';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { RecordBackupCommand } from '../record-backup/record-backup.command.js';
import { RecordBackupHandler } from '../record-backup/record-backup.handler.js';
import { DeleteBackupCommand } from './delete-backup.command.js';
import { DeleteBackupHandler } from './delete-backup.handler.js';

let f: LifecycleFixture;

beforeAll(async () => {
  f = await createLifecycleFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('delete backup', () => {
  it('records the deletion from one read of the ring and erases the data key copy', async () => {
    await f.onboard('acme');
    const at = f.clock.now().toISOString();
    await new RecordBackupHandler(f.keyRings, f.tenants, f.dataPlane, f.clock, f.opener, f.privileged).execute(
      new RecordBackupCommand('acme', { backupId: 'b-1', databaseId: 'db-1', kind: 'full', coveredFrom: at, takenAt: at, expiresAt: '2026-06-01T00:00:00.000Z' }),
    );
    f.resetReads();
    const state = await new DeleteBackupHandler(f.keyRings, f.dataPlane, f.opener).execute(new DeleteBackupCommand('acme', 'b-1'));
    expect(f.reads(keyRingStream('acme'))).toBe(1);
    expect(state.backups[0].deletedAt).toBe(at);
    expect(await f.dataPlane.restoreCheck('acme', 'b-1')).toEqual(expect.objectContaining({ restorable: false, reason: 'backup-deleted' }));
  });

  it('answers backup-not-found for a backup never recorded', async () => {
    await expect(new DeleteBackupHandler(f.keyRings, f.dataPlane, f.opener).execute(new DeleteBackupCommand('acme', 'b-none'))).rejects.toMatchObject({ code: 'backup-not-found' });
  });
});
