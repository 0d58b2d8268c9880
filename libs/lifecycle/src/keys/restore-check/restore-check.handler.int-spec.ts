// Restore checks unwrap and decrypt for real: a live backup is restorable with its version; a deleted
// one says so; an unknown one is not found.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { DeleteBackupCommand } from '../delete-backup/delete-backup.command.js';
import { DeleteBackupHandler } from '../delete-backup/delete-backup.handler.js';
import { RecordBackupCommand } from '../record-backup/record-backup.command.js';
import { RecordBackupHandler } from '../record-backup/record-backup.handler.js';
import { RestoreCheckQuery } from './restore-check.query.js';
import { RestoreCheckHandler } from './restore-check.handler.js';

let f: LifecycleFixture;
let handler: RestoreCheckHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  handler = new RestoreCheckHandler(f.keyRings, f.vault, f.dataPlane);
});

afterAll(async () => {
  await f?.close();
});

async function record(tenantId: string, backupId: string): Promise<void> {
  const at = f.clock.now().toISOString();
  await new RecordBackupHandler(f.keyRings, f.tenants, f.dataPlane, f.clock, f.opener, f.privileged).execute(
    new RecordBackupCommand(tenantId, { backupId, databaseId: 'db-1', kind: 'full', coveredFrom: at, takenAt: at, expiresAt: '2026-06-01T00:00:00.000Z' }),
  );
}

describe('restore check', () => {
  it('answers restorable with the version and protection of a live customer-key backup', async () => {
    const { keyRing } = await f.onboard('acme');
    await record('acme', 'b-1');
    expect(await handler.execute(new RestoreCheckQuery('acme', 'b-1'))).toEqual({ restorable: true, protection: 'customer-key', keyVersionId: keyRing!.versions[0].keyVersionId });
  });

  it('answers backup-deleted for a deleted backup', async () => {
    await record('acme', 'b-2');
    await new DeleteBackupHandler(f.keyRings, f.dataPlane, f.opener).execute(new DeleteBackupCommand('acme', 'b-2'));
    expect(await handler.execute(new RestoreCheckQuery('acme', 'b-2'))).toEqual(expect.objectContaining({ restorable: false, protection: 'customer-key', reason: 'backup-deleted' }));
  });

  it('checks the platform-key asset of a platform-key backup', async () => {
    await f.onboard('plat', { backupKeyMode: 'platform' });
    await record('plat', 'p-1');
    expect(await handler.execute(new RestoreCheckQuery('plat', 'p-1'))).toEqual({ restorable: true, protection: 'platform-key', keyVersionId: null });
  });

  it('answers backup-not-found for a backup never recorded', async () => {
    await expect(handler.execute(new RestoreCheckQuery('acme', 'b-none'))).rejects.toMatchObject({ code: 'backup-not-found' });
  });
});
