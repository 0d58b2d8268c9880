// A database added later is protected in the data plane by the newest version, then recorded; a
// refused one never reaches the data plane. Real PostgreSQL, vault, data plane and read probe.
import { LocalReadProbe } from '@lethe/dataplane';
import { keyRingStream } from '@lethe/domain';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { AddDatabaseCommand } from './add-database.command.js';
import { AddDatabaseHandler } from './add-database.handler.js';

let f: LifecycleFixture;
let handler: AddDatabaseHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  handler = new AddDatabaseHandler(f.keyRings, f.dataPlane, f.clock, f.opener);
});

afterAll(async () => {
  await f?.close();
});

describe('add database', () => {
  it('protects the database with the newest version and records it, reading the ring once', async () => {
    const { keyRing } = await f.onboard('acme');
    f.resetReads();
    const state = await handler.execute(new AddDatabaseCommand('acme', 'db-2'));
    expect(f.reads(keyRingStream('acme'))).toBe(1);
    const db = state.databases.find((d) => d.databaseId === 'db-2')!;
    expect(db.intervals.map((i) => i.keyVersionId)).toEqual([keyRing!.versions[0].keyVersionId]);
    expect((await new LocalReadProbe(f.pool, f.vault).probe('acme', 'db-2')).outcome).toBe('readable');
  });

  it('refuses a database the ring already has, before the data plane', async () => {
    const before = (await f.store.readStream(keyRingStream('acme'))).length;
    await expect(handler.execute(new AddDatabaseCommand('acme', 'db-1'))).rejects.toMatchObject({ code: 'database-exists' });
    expect((await f.store.readStream(keyRingStream('acme'))).length).toBe(before);
  });
});
