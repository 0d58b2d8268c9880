// The behaviour every KeyVault adapter must show. Adapters run it from their own *.int-spec.ts with a
// factory for a vault; tenants are fresh random ids, so the vault need not be empty.
// It is written for a vault that makes a destroyed version unusable at once
// (deletionWindow.minDaysToUnusable 0); purging may come later (softDeleteOnly).
import { randomBytes, randomUUID } from 'node:crypto';
import type { KeyVault } from '../key-vault.js';
import {
  KeyTombstonedError,
  KeyVersionDestroyedError,
  KeyVersionDisabledError,
  UnknownKeyError,
  UnknownKeyVersionError,
  UnwrapFailedError,
} from '../errors.js';

export interface KeyVaultContractSubject {
  readonly vault: KeyVault;
  /**
   * The shape of the adapter's own ids when they hold long hex runs (Azure Key Vault's version ids are
   * 32 hex digits): messages may name ids, so these are ignored by the no-material check, as UUIDs are.
   */
  readonly ids?: RegExp;
  dispose(): Promise<void>;
}

const tenant = () => `tenant-${randomUUID()}`;

/** Runs `work`, expects it to reject, and returns the error (for class and message checks). */
async function failure(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the call succeeded');
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * True when the text holds a long run of hex (>= 24 digits) or base64/base64url (>= 28 characters), the
 * shapes key material takes when encoded. UUIDs (the ids that messages may name) are ignored.
 */
export function looksLikeKeyMaterial(text: string, ids?: RegExp): boolean {
  const withoutIds = (ids ? text.replace(new RegExp(ids.source, 'g' + ids.flags.replace('g', '')), '<id>') : text).replace(UUID, '<id>');
  return /[0-9a-fA-F]{24,}/.test(withoutIds) || /[A-Za-z0-9+/_-]{28,}/.test(withoutIds);
}

export function keyVaultContract(adapter: string, makeSubject: () => Promise<KeyVaultContractSubject>): void {
  describe(`KeyVault contract: ${adapter}`, () => {
    let subject: KeyVaultContractSubject;
    let vault: KeyVault;
    const errorsSeen: Error[] = [];
    /** failure() that also remembers the error for the no-leak check at the end. */
    const fails = async (work: () => Promise<unknown>) => {
      const error = await failure(work);
      errorsSeen.push(error);
      return error;
    };

    beforeAll(async () => {
      subject = await makeSubject();
      vault = subject.vault;
    });
    afterAll(async () => {
      await subject.dispose();
    });

    it('declares its capabilities', () => {
      expect(typeof vault.capabilities.kind).toBe('string');
      expect(vault.capabilities.kind).not.toBe('');
      expect(typeof vault.capabilities.softDeleteOnly).toBe('boolean');
      expect(vault.capabilities.minPurgeDelayDays).toBeGreaterThanOrEqual(0);
      const window = vault.capabilities.deletionWindow;
      expect(window.minDaysToUnusable).toBe(0);
      expect(window.minDaysToPurged).toBeGreaterThanOrEqual(window.minDaysToUnusable);
      expect(window.minDaysToPurged).toBeGreaterThanOrEqual(vault.capabilities.minPurgeDelayDays);
      if (!vault.capabilities.softDeleteOnly) expect(window.minDaysToPurged).toBe(0);
      expect(window.settings.length).toBeGreaterThan(0);
      for (const setting of window.settings) expect(setting).toMatch(/^[A-Z][A-Z0-9_]*$/);
    });

    it('creates a key with a first version, and createKey is idempotent per tenant', async () => {
      const t = tenant();
      const first = await vault.createKey(t);
      expect(first.keyId).toEqual(expect.any(String));
      expect(first.versionId).toEqual(expect.any(String));
      expect(first.createdAt).toBeInstanceOf(Date);
      expect(await vault.createKey(t)).toEqual(first);
      const other = await vault.createKey(tenant());
      expect(other.keyId).not.toBe(first.keyId);
      expect(other.versionId).not.toBe(first.versionId);
    });

    it('concurrent createKey calls for one tenant agree on one key', async () => {
      const t = tenant();
      const results = await Promise.all(Array.from({ length: 6 }, () => vault.createKey(t)));
      expect(new Set(results.map((r) => r.keyId)).size).toBe(1);
      expect(new Set(results.map((r) => r.versionId)).size).toBe(1);
      expect(await vault.listVersions(results[0].keyId)).toHaveLength(1);
    });

    it('creates versions, lists them oldest first, and createKey then returns the newest', async () => {
      const t = tenant();
      const key = await vault.createKey(t);
      const v2 = await vault.createVersion(key.keyId);
      const v3 = await vault.createVersion(key.keyId);
      expect(new Set([key.versionId, v2.versionId, v3.versionId]).size).toBe(3);
      expect(v3.createdAt.getTime()).toBeGreaterThanOrEqual(v2.createdAt.getTime());
      const versions = await vault.listVersions(key.keyId);
      expect(versions.map((v) => v.versionId)).toEqual([key.versionId, v2.versionId, v3.versionId]);
      expect(versions.map((v) => v.state)).toEqual(['enabled', 'enabled', 'enabled']);
      expect(versions.every((v) => v.unusableAt === null && v.purgedAt === null)).toBe(true);
      const again = await vault.createKey(t);
      expect(again).toEqual({ keyId: key.keyId, versionId: v3.versionId, createdAt: v3.createdAt });
    });

    it('creates one version per request id: a retry of the same request adopts it', async () => {
      const key = await vault.createKey(tenant());
      const first = await vault.createVersion(key.keyId, 'rotate-request-1');
      const again = await vault.createVersion(key.keyId, 'rotate-request-1');
      expect(again).toEqual(first);
      const other = await vault.createVersion(key.keyId, 'rotate-request-2');
      expect(other.versionId).not.toBe(first.versionId);
      const concurrent = await Promise.all(Array.from({ length: 6 }, () => vault.createVersion(key.keyId, 'rotate-request-3')));
      expect(new Set(concurrent.map((v) => v.versionId)).size).toBe(1);
      expect((await vault.listVersions(key.keyId)).map((v) => v.versionId)).toEqual([key.versionId, first.versionId, other.versionId, concurrent[0].versionId]);
    });

    it('answers listings asked at once each with its own key\'s versions; an unknown key among them fails alone', async () => {
      const keys = await Promise.all([1, 2, 3].map(() => vault.createKey(`listed-${randomUUID()}`)));
      const rotated = await vault.createVersion(keys[1].keyId);
      const unknown = `unknown-${randomUUID()}`;
      const listed = await Promise.allSettled([...keys.map((k) => vault.listVersions(k.keyId)), vault.listVersions(unknown), vault.listVersions(keys[0].keyId)]);
      const ids = listed.map((r) => (r.status === 'fulfilled' ? r.value.map((v) => v.versionId) : r.reason));
      expect(ids.slice(0, 3)).toEqual([[keys[0].versionId], [keys[1].versionId, rotated.versionId], [keys[2].versionId]]);
      expect(ids[3]).toBeInstanceOf(UnknownKeyError);
      expect(ids[4]).toEqual([keys[0].versionId]);
    });

    it('refuses unknown keys and versions with typed errors', async () => {
      const keyId = `unknown-${randomUUID()}`;
      const versionId = `unknown-${randomUUID()}`;
      expect(await fails(() => vault.createVersion(keyId))).toBeInstanceOf(UnknownKeyError);
      expect(await fails(() => vault.listVersions(keyId))).toBeInstanceOf(UnknownKeyError);
      expect(await fails(() => vault.destroyKey(keyId))).toBeInstanceOf(UnknownKeyError);
      expect(await fails(() => vault.wrap(versionId, randomBytes(32)))).toBeInstanceOf(UnknownKeyVersionError);
      expect(await fails(() => vault.unwrap(versionId, randomBytes(61)))).toBeInstanceOf(UnknownKeyVersionError);
      expect(await fails(() => vault.disable(versionId))).toBeInstanceOf(UnknownKeyVersionError);
      expect(await fails(() => vault.enable(versionId))).toBeInstanceOf(UnknownKeyVersionError);
      const error = (await fails(() => vault.unwrap(versionId, randomBytes(61)))) as UnknownKeyVersionError;
      expect(error.versionId).toBe(versionId);
      expect(error.message).toContain(versionId);
    });

    it('wraps and unwraps a data key; each wrap is fresh and hides the plaintext', async () => {
      const key = await vault.createKey(tenant());
      const dataKey = randomBytes(32);
      const a = await vault.wrap(key.versionId, dataKey);
      const b = await vault.wrap(key.versionId, dataKey);
      expect(a.equals(b)).toBe(false);
      expect(a.includes(dataKey)).toBe(false);
      expect((await vault.unwrap(key.versionId, a)).equals(dataKey)).toBe(true);
      expect((await vault.unwrap(key.versionId, b)).equals(dataKey)).toBe(true);
      const empty = await vault.wrap(key.versionId, Buffer.alloc(0));
      expect((await vault.unwrap(key.versionId, empty)).length).toBe(0);
    });

    it('a blob wrapped by one version does not unwrap with another, nor when altered', async () => {
      const key = await vault.createKey(tenant());
      const v2 = await vault.createVersion(key.keyId);
      const otherTenant = await vault.createKey(tenant());
      const wrapped = await vault.wrap(key.versionId, randomBytes(32));
      expect(await fails(() => vault.unwrap(v2.versionId, wrapped))).toBeInstanceOf(UnwrapFailedError);
      expect(await fails(() => vault.unwrap(otherTenant.versionId, wrapped))).toBeInstanceOf(UnwrapFailedError);
      const flipped = Buffer.from(wrapped);
      flipped[flipped.length - 1] ^= 0x01;
      expect(await fails(() => vault.unwrap(key.versionId, flipped))).toBeInstanceOf(UnwrapFailedError);
      expect(await fails(() => vault.unwrap(key.versionId, wrapped.subarray(0, 10)))).toBeInstanceOf(UnwrapFailedError);
      expect(await fails(() => vault.unwrap(key.versionId, Buffer.alloc(0)))).toBeInstanceOf(UnwrapFailedError);
      const error = (await fails(() => vault.unwrap(v2.versionId, wrapped))) as UnwrapFailedError;
      expect(error.versionId).toBe(v2.versionId);
    });

    it('a disabled version neither wraps nor unwraps; disable is idempotent and leaves other versions alone', async () => {
      const key = await vault.createKey(tenant());
      const v2 = await vault.createVersion(key.keyId);
      const dataKey = randomBytes(32);
      const wrapped1 = await vault.wrap(key.versionId, dataKey);
      const wrapped2 = await vault.wrap(v2.versionId, dataKey);
      await vault.disable(key.versionId);
      await vault.disable(key.versionId);
      expect(await fails(() => vault.unwrap(key.versionId, wrapped1))).toBeInstanceOf(KeyVersionDisabledError);
      expect(await fails(() => vault.wrap(key.versionId, dataKey))).toBeInstanceOf(KeyVersionDisabledError);
      expect((await vault.unwrap(v2.versionId, wrapped2)).equals(dataKey)).toBe(true);
      const states = await vault.listVersions(key.keyId);
      expect(states.map((v) => v.state)).toEqual(['disabled', 'enabled']);
      expect(states[0].unusableAt).toBeNull();
    });

    it('enable makes a disabled version wrap and unwrap again; enabling an enabled version is a no-op', async () => {
      const key = await vault.createKey(tenant());
      const v2 = await vault.createVersion(key.keyId);
      const dataKey = randomBytes(32);
      const wrapped = await vault.wrap(key.versionId, dataKey);
      await vault.disable(key.versionId);
      expect(await fails(() => vault.unwrap(key.versionId, wrapped))).toBeInstanceOf(KeyVersionDisabledError);
      await vault.enable(key.versionId);
      await vault.enable(key.versionId);
      expect((await vault.unwrap(key.versionId, wrapped)).equals(dataKey)).toBe(true);
      expect((await vault.unwrap(key.versionId, await vault.wrap(key.versionId, dataKey))).equals(dataKey)).toBe(true);
      await vault.enable(v2.versionId);
      expect((await vault.listVersions(key.keyId)).map((v) => v.state)).toEqual(['enabled', 'enabled']);
      // Disabled again: refused again, as the first time.
      await vault.disable(key.versionId);
      expect(await fails(() => vault.unwrap(key.versionId, wrapped))).toBeInstanceOf(KeyVersionDisabledError);
    });

    it('a destroyed version is never enabled again (KeyVersionDestroyedError)', async () => {
      const key = await vault.createKey(tenant());
      await vault.createVersion(key.keyId);
      const wrapped = await vault.wrap(key.versionId, randomBytes(32));
      await vault.disable(key.versionId);
      await vault.destroy(key.versionId);
      const error = (await fails(() => vault.enable(key.versionId))) as KeyVersionDestroyedError;
      expect(error).toBeInstanceOf(KeyVersionDestroyedError);
      expect(error.versionId).toBe(key.versionId);
      expect(await fails(() => vault.unwrap(key.versionId, wrapped))).toBeInstanceOf(KeyVersionDestroyedError);
      expect((await vault.listVersions(key.keyId))[0].state).toBe('destroyed');
    });

    it('a destroyed version never unwraps again; destroy reports when it became unusable and purged', async () => {
      const t = tenant();
      const key = await vault.createKey(t);
      const v2 = await vault.createVersion(key.keyId);
      const dataKey = randomBytes(32);
      const wrapped = await vault.wrap(key.versionId, dataKey);
      const wrapped2 = await vault.wrap(v2.versionId, dataKey);

      const result = await vault.destroy(key.versionId);
      expect(result.outcome).toBe('destroyed');
      expect(result.unusableAt).toBeInstanceOf(Date);
      if (vault.capabilities.softDeleteOnly) {
        // Purged later: when the vault names the instant, it keeps the promised delay.
        const purgeAt = result.purgedAt ?? (result.outcome !== 'unknown' ? result.purgeScheduledAt : null) ?? null;
        if (purgeAt !== null) {
          const days = (purgeAt.getTime() - result.unusableAt!.getTime()) / 86_400_000;
          expect(days).toBeGreaterThanOrEqual(vault.capabilities.minPurgeDelayDays);
        }
      } else {
        expect(result.purgedAt).toBeInstanceOf(Date);
      }

      const destroyed = (await fails(() => vault.unwrap(key.versionId, wrapped))) as KeyVersionDestroyedError;
      expect(destroyed).toBeInstanceOf(KeyVersionDestroyedError);
      expect(destroyed.versionId).toBe(key.versionId);
      expect(await fails(() => vault.wrap(key.versionId, dataKey))).toBeInstanceOf(KeyVersionDestroyedError);

      // Nothing brings it back: disabling, new versions, createKey, a second destroy.
      await vault.disable(key.versionId);
      const v3 = await vault.createVersion(key.keyId);
      expect((await vault.createKey(t)).versionId).toBe(v3.versionId);
      expect(await vault.destroy(key.versionId)).toEqual({ ...result, outcome: 'already-destroyed' });
      expect(await fails(() => vault.unwrap(key.versionId, wrapped))).toBeInstanceOf(KeyVersionDestroyedError);
      const versions = await vault.listVersions(key.keyId);
      expect(versions[0]).toEqual({
        versionId: key.versionId,
        createdAt: key.createdAt,
        state: 'destroyed',
        unusableAt: result.unusableAt,
        purgedAt: result.purgedAt,
      });
      // The other version is untouched.
      expect(versions[1].state).toBe('enabled');
      expect((await vault.unwrap(v2.versionId, wrapped2)).equals(dataKey)).toBe(true);
    });

    it('destroying an unknown version is a no-op reporting unknown', async () => {
      expect(await vault.destroy(`unknown-${randomUUID()}`)).toEqual({ outcome: 'unknown', unusableAt: null, purgedAt: null });
    });

    it('destroyKey destroys every version and tombstones the tenant for ever (resurrection guard)', async () => {
      const t = tenant();
      const key = await vault.createKey(t);
      const v2 = await vault.createVersion(key.keyId);
      const v3 = await vault.createVersion(key.keyId);
      const bystander = await vault.createKey(tenant());
      const dataKey = randomBytes(32);
      const wrapped = await Promise.all([key.versionId, v2.versionId, v3.versionId].map((v) => vault.wrap(v, dataKey)));
      const bystanderWrapped = await vault.wrap(bystander.versionId, dataKey);
      const early = await vault.destroy(key.versionId);
      await vault.disable(v2.versionId);

      const destroyed = await vault.destroyKey(key.keyId);
      expect(destroyed.map((d) => [d.versionId, d.outcome])).toEqual([
        [key.versionId, 'already-destroyed'],
        [v2.versionId, 'destroyed'],
        [v3.versionId, 'destroyed'],
      ]);
      expect(destroyed[0].unusableAt).toEqual(early.unusableAt);
      for (const d of destroyed) expect(d.unusableAt).toBeInstanceOf(Date);
      for (const [i, v] of [key.versionId, v2.versionId, v3.versionId].entries()) {
        expect(await fails(() => vault.unwrap(v, wrapped[i]))).toBeInstanceOf(KeyVersionDestroyedError);
      }
      expect((await vault.listVersions(key.keyId)).map((v) => v.state)).toEqual(['destroyed', 'destroyed', 'destroyed']);

      const refused = (await fails(() => vault.createKey(t))) as KeyTombstonedError;
      expect(refused).toBeInstanceOf(KeyTombstonedError);
      expect(refused.keyId).toBe(key.keyId);
      expect(refused.tenantId).toBe(t);
      expect(await fails(() => vault.createVersion(key.keyId))).toBeInstanceOf(KeyTombstonedError);
      expect(await fails(() => vault.createKey(t))).toBeInstanceOf(KeyTombstonedError);

      // A retry returns the same record.
      const again = await vault.destroyKey(key.keyId);
      expect(again).toEqual(destroyed.map((d) => ({ ...d, outcome: 'already-destroyed' })));
      // Other tenants are untouched.
      expect((await vault.unwrap(bystander.versionId, bystanderWrapped)).equals(dataKey)).toBe(true);
      expect((await vault.listVersions(bystander.keyId)).map((v) => v.state)).toEqual(['enabled']);
    });

    it('concurrent createVersion and destroyKey never leave a usable version behind', async () => {
      const key = await vault.createKey(tenant());
      const attempts = await Promise.allSettled([
        ...Array.from({ length: 4 }, () => vault.createVersion(key.keyId)),
        vault.destroyKey(key.keyId),
        ...Array.from({ length: 4 }, () => vault.createVersion(key.keyId)),
      ]);
      for (const a of attempts) {
        if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(KeyTombstonedError);
      }
      const versions = await vault.listVersions(key.keyId);
      expect(versions.every((v) => v.state === 'destroyed')).toBe(true);
    });

    it('no error message carries anything that looks like key material', () => {
      expect(errorsSeen.length).toBeGreaterThan(20);
      for (const error of errorsSeen) {
        expect(error.message).not.toBe('');
        expect(looksLikeKeyMaterial(error.message, subject.ids)).toBe(false);
        expect(looksLikeKeyMaterial(String(error.stack).split('\n')[0], subject.ids)).toBe(false);
      }
    });
  });
}
