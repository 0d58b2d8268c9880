// What a purge deletes of a listing, for the account features Azurite does not emulate (blob
// versioning, blob soft delete): listings written as Blob Storage returns them with those features on.
import { planPurge, type ListedBlob } from './blob-purge.js';

const blob = (name: string, extra: Partial<ListedBlob> = {}): ListedBlob => ({ name, deleted: false, ...extra });

describe('planPurge', () => {
  it('given plain blobs, when planned, then each is deleted (with its snapshots) and every name is recorded', () => {
    const plan = planPurge([blob('t/a'), blob('t/b/c')]);
    expect(plan.deletions).toEqual([
      { kind: 'blob', name: 't/a' },
      { kind: 'blob', name: 't/b/c' },
    ]);
    expect(plan.names).toEqual(['t/a', 't/b/c']);
    expect(plan.softDeleted.size).toBe(0);
  });

  it('given snapshots, when planned, then each snapshot is deleted before its blob', () => {
    const plan = planPurge([blob('t/a', { snapshot: '2026-01-01T00:00:00.0000000Z' }), blob('t/a')]);
    expect(plan.deletions).toEqual([
      { kind: 'snapshot', name: 't/a', snapshot: '2026-01-01T00:00:00.0000000Z' },
      { kind: 'blob', name: 't/a' },
    ]);
    expect(plan.names).toEqual(['t/a']);
  });

  it('given versioning, when planned, then previous versions are deleted by id and the current one as the blob', () => {
    const plan = planPurge([
      blob('t/a', { versionId: 'v1', isCurrentVersion: false }),
      blob('t/a', { versionId: 'v2', isCurrentVersion: true }),
      // A blob deleted already, whose previous versions remain: listed once for its name.
      blob('t/gone', { hasVersionsOnly: true }),
      blob('t/gone', { versionId: 'v0', isCurrentVersion: false }),
    ]);
    expect(plan.deletions).toEqual([
      { kind: 'version', name: 't/a', versionId: 'v1' },
      { kind: 'version', name: 't/gone', versionId: 'v0' },
      { kind: 'blob', name: 't/a' },
    ]);
    expect(plan.names).toEqual(['t/a', 't/gone']);
  });

  it('given soft-deleted objects, when planned, then none is deleted (no call can before the retention ends) and each is counted by name', () => {
    const plan = planPurge([
      blob('t/a', { deleted: true }),
      blob('t/a', { deleted: true, snapshot: '2026-01-01T00:00:00.0000000Z' }),
      blob('t/b', { deleted: true, versionId: 'v1', isCurrentVersion: false }),
    ]);
    expect(plan.deletions).toEqual([]);
    expect([...plan.softDeleted]).toEqual([
      ['t/a', 2],
      ['t/b', 1],
    ]);
    expect(plan.names).toEqual(['t/a', 't/b']);
  });

  it('given nothing, when planned, then nothing is deleted', () => {
    expect(planPurge([])).toEqual({ deletions: [], softDeleted: new Map(), names: [] });
  });
});
