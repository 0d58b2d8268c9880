// The behaviour every AssetStore adapter must show. Adapters run it from their own *.int-spec.ts with a
// factory for a store; tenants are fresh random ids, so the store need not be empty.
import { randomUUID } from 'node:crypto';
import type { ManualClock } from '@lethe/clock';
import type { AssetKind, AssetReader, AssetStore } from '../asset-store.js';
import { AssetConflictError, AssetPurgedError, UnknownAssetError } from '../errors.js';

export interface AssetStoreContractSubject {
  readonly store: AssetStore & AssetReader;
  /** A store over the same storage whose platform key is another one (an impostor). */
  readonly otherKeyStore: AssetStore & AssetReader;
  /** The clock both stores read. */
  readonly clock: ManualClock;
  /** The bytes the storage itself holds for the asset (a row's column, a blob), or null when it holds none. */
  stored(tenantId: string, kind: AssetKind, assetId: string): Promise<Buffer | null>;
  dispose(): Promise<void>;
}

const tenant = () => `tenant-${randomUUID()}`;

export function assetStoreContract(adapter: string, makeSubject: () => Promise<AssetStoreContractSubject>): void {
  describe(`AssetStore contract: ${adapter}`, () => {
    let subject: AssetStoreContractSubject;
    let store: AssetStore & AssetReader;
    const errorsSeen: Error[] = [];
    const fails = async (work: () => Promise<unknown>): Promise<Error> => {
      try {
        await work();
      } catch (error) {
        errorsSeen.push(error as Error);
        return error as Error;
      }
      throw new Error('expected a rejection, but the call succeeded');
    };

    beforeAll(async () => {
      subject = await makeSubject();
      store = subject.store;
    });
    afterAll(async () => {
      await subject?.dispose();
    });

    it('adds staging assets and platform backups idempotently and lists the live ones by kind then id', async () => {
      const t = tenant();
      await store.addStagingAsset(t, 'stage-2');
      await store.addStagingAsset(t, 'stage-1');
      await store.addPlatformBackup(t, 'bk-1', 'db');
      await store.addPlatformBackup(t, 'bk-1', 'db');
      await store.addStagingAsset(t, 'stage-1');
      // Kinds are apart: a staging blob and a backup may share an id.
      await store.addStagingAsset(t, 'bk-1');
      expect(await store.listAssets(t)).toEqual([
        { kind: 'platform-backup', id: 'bk-1' },
        { kind: 'staging', id: 'bk-1' },
        { kind: 'staging', id: 'stage-1' },
        { kind: 'staging', id: 'stage-2' },
      ]);
      expect(await store.listAssets(tenant())).toEqual([]);
    });

    it('refuses a backup id taken by a backup of another database, keeping the first', async () => {
      const t = tenant();
      await store.addPlatformBackup(t, 'bk', 'db-1');
      const error = await fails(() => store.addPlatformBackup(t, 'bk', 'db-2'));
      expect(error).toBeInstanceOf(AssetConflictError);
      expect((await store.readAsset(t, 'platform-backup', 'bk')).toString()).toContain(`lethe-backup:${t}:db-1:bk`);
    });

    it('concurrent adds of one asset agree on it', async () => {
      const t = tenant();
      await Promise.all(Array.from({ length: 5 }, () => store.addPlatformBackup(t, 'same', 'db')));
      expect(await store.listAssets(t)).toEqual([{ kind: 'platform-backup', id: 'same' }]);
      expect(await store.checkAsset(t, 'platform-backup', 'same')).toEqual({ readable: true });
    });

    it('keeps the content sealed with the platform key: the storage holds ciphertext, another key cannot read it', async () => {
      const t = tenant();
      await store.addStagingAsset(t, 'sealed');
      await store.addPlatformBackup(t, 'sealed-bk', 'db-9');
      expect((await store.readAsset(t, 'staging', 'sealed')).toString()).toBe(`lethe-staging:${t}:sealed`);
      expect((await store.readAsset(t, 'platform-backup', 'sealed-bk')).toString()).toContain(`lethe-backup:${t}:db-9:sealed-bk`);
      for (const [kind, id] of [['staging', 'sealed'], ['platform-backup', 'sealed-bk']] as const) {
        const raw = await subject.stored(t, kind, id);
        expect(raw).not.toBeNull();
        expect(raw!.includes(Buffer.from('lethe-'))).toBe(false);
        expect(raw!.includes(Buffer.from(t))).toBe(false);
      }
      expect(await store.checkAsset(t, 'staging', 'sealed')).toEqual({ readable: true });
      await expect(subject.otherKeyStore.readAsset(t, 'staging', 'sealed')).rejects.toThrow(/decryption failed/);
      expect(await subject.otherKeyStore.checkAsset(t, 'staging', 'sealed')).toEqual({
        readable: false,
        reason: 'corrupt',
        detail: `staging asset sealed of tenant ${t} did not decrypt with the platform key`,
      });
    });

    it('checkAsset says unknown-asset for what was never added, and never rejects but for an empty id', async () => {
      const t = tenant();
      expect(await store.checkAsset(t, 'staging', 'nope')).toEqual({ readable: false, reason: 'unknown-asset', detail: `staging asset nope of tenant ${t} was never added` });
      expect(await fails(() => store.readAsset(t, 'platform-backup', 'nope'))).toBeInstanceOf(UnknownAssetError);
      await expect(store.checkAsset(t, 'staging', '')).rejects.toBeInstanceOf(TypeError);
      await expect(store.checkAsset('', 'staging', 'x')).rejects.toBeInstanceOf(TypeError);
      await expect(store.addStagingAsset(t, '')).rejects.toBeInstanceOf(TypeError);
      await expect(store.addPlatformBackup(t, 'b', '')).rejects.toBeInstanceOf(TypeError);
      await expect(store.purgeAssets('')).rejects.toBeInstanceOf(TypeError);
      await expect(store.listAssets('')).rejects.toBeInstanceOf(TypeError);
    });

    it('purges every live asset of the tenant and only its own: nothing stored is left, and each is listed with its purge instant', async () => {
      const t = tenant();
      // A tenant whose id starts with the other's: its assets are not the other's.
      const neighbour = `${t}-2`;
      await store.addStagingAsset(t, 'stage-1');
      await store.addStagingAsset(t, 'stage-2');
      await store.addPlatformBackup(t, 'bk-1', 'db');
      await store.addStagingAsset(neighbour, 'stage-1');
      subject.clock.advance(3_600_000);
      const purgedAt = subject.clock.now();
      const purged = await store.purgeAssets(t);
      expect(purged).toEqual([
        { kind: 'platform-backup', id: 'bk-1', purgedAt },
        { kind: 'staging', id: 'stage-1', purgedAt },
        { kind: 'staging', id: 'stage-2', purgedAt },
      ]);
      expect(await store.listAssets(t)).toEqual([]);
      for (const [kind, id] of [['platform-backup', 'bk-1'], ['staging', 'stage-1'], ['staging', 'stage-2']] as const) {
        expect(await subject.stored(t, kind, id)).toBeNull();
        expect(await fails(() => store.readAsset(t, kind, id))).toBeInstanceOf(AssetPurgedError);
        expect(await store.checkAsset(t, kind, id)).toEqual({ readable: false, reason: 'asset-purged', detail: `${kind} asset ${id} of tenant ${t} was purged` });
      }
      expect(await store.listAssets(neighbour)).toEqual([{ kind: 'staging', id: 'stage-1' }]);
      expect((await store.readAsset(neighbour, 'staging', 'stage-1')).toString()).toBe(`lethe-staging:${neighbour}:stage-1`);
      expect(await subject.stored(neighbour, 'staging', 'stage-1')).not.toBeNull();
    });

    it('a retried purge returns the same record; a purged id never comes back; a later asset is purged by the next call', async () => {
      const t = tenant();
      await store.addStagingAsset(t, 'early');
      await store.addPlatformBackup(t, 'bk', 'db');
      const first = await store.purgeAssets(t);
      subject.clock.advance(60_000);
      expect(await store.purgeAssets(t)).toEqual(first);
      expect(await fails(() => store.addStagingAsset(t, 'early'))).toBeInstanceOf(AssetPurgedError);
      expect(await fails(() => store.addPlatformBackup(t, 'bk', 'db'))).toBeInstanceOf(AssetPurgedError);
      expect(await subject.stored(t, 'staging', 'early')).toBeNull();
      await store.addStagingAsset(t, 'late');
      expect(await store.listAssets(t)).toEqual([{ kind: 'staging', id: 'late' }]);
      subject.clock.advance(60_000);
      const later = await store.purgeAssets(t);
      expect(later).toEqual([...first, { kind: 'staging', id: 'late', purgedAt: subject.clock.now() }]);
      expect(await store.purgeAssets(tenant())).toEqual([]);
    });

    it('errors name ids only, never content', () => {
      expect(errorsSeen.length).toBeGreaterThan(0);
      for (const error of errorsSeen) {
        expect(error.message).not.toMatch(/lethe-(staging|backup|sentinel):/);
      }
    });
  });
}
