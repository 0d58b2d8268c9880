// Manual rotation: a new version in the vault, recorded in the key ring from one read of it; refused
// for a client-held key before the vault is asked. Real PostgreSQL and vault.
import { keyRingStream } from '@lethe/domain';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { RotateKeyCommand } from './rotate-key.command.js';
import { RotateKeyHandler } from './rotate-key.handler.js';

let f: LifecycleFixture;
let handler: RotateKeyHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  handler = new RotateKeyHandler(f.keyRings, f.vault, f.opener);
});

afterAll(async () => {
  await f?.close();
});

describe('rotate key', () => {
  it('adds the vault\'s new version as a manual one, reading the ring once', async () => {
    const { keyRing } = await f.onboard('acme');
    f.resetReads();
    const rotated = await handler.execute(new RotateKeyCommand('acme'));
    expect(f.reads(keyRingStream('acme'))).toBe(1);
    const { state } = await f.keyRings.load('acme');
    expect(state.versions.map((v) => [v.keyVersionId, v.source])).toEqual([
      [keyRing!.versions[0].keyVersionId, 'onboarding'],
      [rotated.keyVersionId, 'manual'],
    ]);
    expect((await f.vault.listVersions(state.keyId!)).map((v) => v.versionId)).toContain(rotated.keyVersionId);
  });

  it('given the vault made a version for a request whose recording crashed, when the request is retried, then that version is recorded and no other is made', async () => {
    const { keyRing } = await f.onboard('crashy');
    const made = await f.vault.createVersion(keyRing!.keyId!, 'rotate:req-7');
    const rotated = await handler.execute(new RotateKeyCommand('crashy', 'req-7'));
    expect(rotated.keyVersionId).toBe(made.versionId);
    const { state } = await f.keyRings.load('crashy');
    expect(state.versions.map((v) => [v.keyVersionId, v.source])).toEqual([
      [keyRing!.versions[0].keyVersionId, 'onboarding'],
      [made.versionId, 'manual'],
    ]);
    expect(await f.vault.listVersions(keyRing!.keyId!)).toHaveLength(2);
    // The same request once more changes nothing.
    expect(await handler.execute(new RotateKeyCommand('crashy', 'req-7'))).toEqual(rotated);
    expect((await f.keyRings.load('crashy')).state.versions).toHaveLength(2);
  });

  it('refuses a client-held key and creates nothing in the vault', async () => {
    const { keyRing } = await f.onboard('byok', { keyCustody: 'client' });
    await expect(handler.execute(new RotateKeyCommand('byok'))).rejects.toMatchObject({ code: 'client-held-key' });
    expect(await f.vault.listVersions(keyRing!.keyId!)).toHaveLength(1);
  });

  it('answers tenant-not-found for an unknown tenant', async () => {
    await expect(handler.execute(new RotateKeyCommand('nobody'))).rejects.toMatchObject({ code: 'tenant-not-found' });
  });
});
