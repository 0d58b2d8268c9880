// A backup's new retention, recorded from one read of the ring.
import { keyRingStream } from '@lethe/domain';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { RecordBackupCommand } from '../record-backup/record-backup.command.js';
import { RecordBackupHandler } from '../record-backup/record-backup.handler.js';
import { ChangeBackupRetentionCommand } from './change-backup-retention.command.js';
import { ChangeBackupRetentionHandler } from './change-backup-retention.handler.js';

let f: LifecycleFixture;

beforeAll(async () => {
  f = await createLifecycleFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('change backup retention', () => {
  it('moves the expiry, reading the ring once, and refuses an expiry before the backup was taken', async () => {
    await f.onboard('acme');
    const at = f.clock.now().toISOString();
    await new RecordBackupHandler(f.keyRings, f.tenants, f.dataPlane, f.clock, f.opener, f.privileged).execute(
      new RecordBackupCommand('acme', { backupId: 'b-1', databaseId: 'db-1', kind: 'ltr', coveredFrom: at, takenAt: at, expiresAt: '2026-06-01T00:00:00.000Z' }),
    );
    const handler = new ChangeBackupRetentionHandler(f.keyRings, f.opener, f.privileged, f.clock);
    f.resetReads();
    const state = await handler.execute(new ChangeBackupRetentionCommand('acme', 'b-1', '2027-06-01T00:00:00.000Z'));
    expect(f.reads(keyRingStream('acme'))).toBe(1);
    expect(state.backups[0].expiresAt).toBe('2027-06-01T00:00:00.000Z');
    await expect(handler.execute(new ChangeBackupRetentionCommand('acme', 'b-1', '2020-01-01T00:00:00.000Z'))).rejects.toMatchObject({ code: 'backup-expiry-before-taken' });
  });
});
