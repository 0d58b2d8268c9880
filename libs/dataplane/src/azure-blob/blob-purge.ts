// Purging everything under a prefix of one container: every blob, registered with Lethe or not, with
// its snapshots and previous versions. Listing includes snapshots, versions and soft-deleted objects;
// each round deletes what it listed (snapshots and versions one by one, then each blob with what is
// left of its snapshots), then lists again: with blob versioning on, deleting a blob turns its current
// version into a previous one, which the next round deletes. Done when a listing finds nothing to
// delete. What it then still finds is soft-deleted (blob soft delete): no client call removes it
// before its retention ends (undeleting it to delete it again only soft-deletes it again), so it is
// counted, not deleted. It cannot be read without being undeleted first.
import type { ContainerClient } from '@azure/storage-blob';
import { azureFailure, blobStoreError, BlobStoreError } from './blob-store-error.js';

/** What a listing tells about one object (a blob, a snapshot or a version): the SDK's BlobItem fits. */
export interface ListedBlob {
  readonly name: string;
  /** Soft-deleted (blob soft delete). */
  readonly deleted?: boolean;
  /** Set for a snapshot: its instant. */
  readonly snapshot?: string;
  /** Set with blob versioning on: which version; isCurrentVersion tells the blob's current one. */
  readonly versionId?: string;
  readonly isCurrentVersion?: boolean;
  /** Listed only because versions remain of a deleted blob. */
  readonly hasVersionsOnly?: boolean;
}

/** One object to delete: a blob (with its snapshots), one snapshot, or one previous version. */
export type BlobDeletion =
  | { readonly kind: 'blob'; readonly name: string }
  | { readonly kind: 'snapshot'; readonly name: string; readonly snapshot: string }
  | { readonly kind: 'version'; readonly name: string; readonly versionId: string };

export interface PurgePlan {
  /** Snapshots and previous versions first, then the blobs themselves. */
  readonly deletions: readonly BlobDeletion[];
  /** Soft-deleted objects by blob name: left until the account's soft delete retention ends. */
  readonly softDeleted: ReadonlyMap<string, number>;
  /** Every blob name listed, soft-deleted ones included, in listing order. */
  readonly names: readonly string[];
}

/** What to delete of a listing, and what must be left (soft-deleted objects). */
export function planPurge(items: readonly ListedBlob[]): PurgePlan {
  const parts: BlobDeletion[] = [];
  const blobs: BlobDeletion[] = [];
  const softDeleted = new Map<string, number>();
  const names = new Set<string>();
  for (const item of items) {
    names.add(item.name);
    if (item.deleted) {
      softDeleted.set(item.name, (softDeleted.get(item.name) ?? 0) + 1);
    } else if (item.snapshot) {
      parts.push({ kind: 'snapshot', name: item.name, snapshot: item.snapshot });
    } else if (item.versionId && item.isCurrentVersion !== true) {
      parts.push({ kind: 'version', name: item.name, versionId: item.versionId });
    } else if (!item.hasVersionsOnly) {
      // The blob itself (its current version when versioning is on). A name listed only because it
      // has versions left (hasVersionsOnly) has no blob to delete: its versions are listed apart.
      blobs.push({ kind: 'blob', name: item.name });
    }
  }
  return { deletions: [...parts, ...blobs], softDeleted, names: [...names] };
}

export interface PrefixPurgeHooks {
  /** Called with every name a round listed, before it deletes anything: the record survives a crash. */
  found(names: readonly string[]): Promise<void>;
  /** Called after a round with the objects it deleted, by blob name. */
  deleted(counts: ReadonlyMap<string, number>): Promise<void>;
}

export interface PrefixPurgeResult {
  /** Objects deleted by blob name, over every round. */
  readonly deleted: ReadonlyMap<string, number>;
  /** Soft-deleted objects still listed at the end, by blob name (see the file's comment). */
  readonly softDeleted: ReadonlyMap<string, number>;
}

/** Listings at most: a prefix still filling up after this many rounds is a failure (retried by the caller). */
export const MAX_PURGE_ROUNDS = 5;
const DELETE_CONCURRENCY = 8;

/**
 * Deletes every object under `prefix` in the container (see the file's comment).
 * @throws BlobStoreError when Blob Storage fails or refuses a deletion (an immutability policy or a
 * legal hold, permissions), or when objects still appear after MAX_PURGE_ROUNDS listings.
 */
export async function purgePrefix(container: ContainerClient, prefix: string, hooks: PrefixPurgeHooks): Promise<PrefixPurgeResult> {
  const deleted = new Map<string, number>();
  for (let round = 0; round < MAX_PURGE_ROUNDS; round++) {
    const plan = planPurge(await listEverything(container, prefix));
    await hooks.found(plan.names);
    if (plan.deletions.length === 0) return { deleted, softDeleted: plan.softDeleted };
    const counts = await deleteAll(container, plan.deletions);
    await hooks.deleted(counts);
    for (const [name, n] of counts) deleted.set(name, (deleted.get(name) ?? 0) + n);
  }
  throw new BlobStoreError(`purge of prefix ${prefix}`, container.containerName, null, undefined, 'PurgeDidNotConverge');
}

/** Every object under the prefix: blobs, snapshots, previous versions and soft-deleted ones. */
export async function listEverything(container: ContainerClient, prefix: string): Promise<ListedBlob[]> {
  const items: ListedBlob[] = [];
  try {
    for await (const item of container.listBlobsFlat({
      prefix,
      includeSnapshots: true,
      includeVersions: true,
      includeDeleted: true,
      includeDeletedWithVersions: true,
    })) {
      items.push(item);
    }
  } catch (error) {
    throw blobStoreError(`listing of prefix ${prefix}`, container.containerName, null, error);
  }
  return items;
}

async function deleteAll(container: ContainerClient, deletions: readonly BlobDeletion[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  // Snapshots and versions before the blobs: a blob with snapshots left refuses a plain delete.
  const phases = [deletions.filter((d) => d.kind !== 'blob'), deletions.filter((d) => d.kind === 'blob')];
  for (const phase of phases) {
    let next = 0;
    const worker = async () => {
      while (next < phase.length) {
        const deletion = phase[next++];
        if (await deleteOne(container, deletion)) counts.set(deletion.name, (counts.get(deletion.name) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, phase.length) }, worker));
  }
  return counts;
}

/** True when this call deleted it; false when it was already gone (404). */
async function deleteOne(container: ContainerClient, deletion: BlobDeletion): Promise<boolean> {
  const blob = container.getBlobClient(deletion.name);
  const run = () =>
    deletion.kind === 'snapshot'
      ? blob.withSnapshot(deletion.snapshot).delete()
      : deletion.kind === 'version'
        ? blob.withVersion(deletion.versionId).delete()
        : blob.delete({ deleteSnapshots: 'include' });
  try {
    await run();
    return true;
  } catch (error) {
    const { statusCode, azureCode } = azureFailure(error);
    if (statusCode === 404) return false;
    // A leased blob (someone else's, or a lease left behind) refuses deletion without its lease id:
    // breaking the lease is the owner's right, and the purge's.
    if (statusCode === 412 && deletion.kind === 'blob' && azureCode?.startsWith('LeaseId')) {
      try {
        await blob.getBlobLeaseClient().breakLease(0);
        await run();
        return true;
      } catch (retryError) {
        if (azureFailure(retryError).statusCode === 404) return false;
        throw blobStoreError('deletion', container.containerName, deletion.name, retryError);
      }
    }
    throw blobStoreError('deletion', container.containerName, deletion.name, error);
  }
}
