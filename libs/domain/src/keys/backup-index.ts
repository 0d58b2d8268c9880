// Finding a backup of a key ring by id without a scan. After years a ring's state holds thousands of
// backups (every backup of a version a long-term backup still needs), and each RecordBackup looks its
// id up several times (the decision, the archive check, the answer): a scan per lookup made a ring's
// backups cost more the older it was. The index is kept beside the state, never in it (the state stays
// plain JSON for snapshots): a position per id, shared by the arrays evolve derives from one another
// by appending or by replacing an element in place, so recording a backup adds one entry instead of
// rebuilding the index.
//
// Sharing is safe because positions are only ever checked, never trusted: an id absent from the
// index is in none of the arrays that share it (ids are only added), and an id whose position does not
// hold it in this array (two states derived from one, each appending) falls back to a scan.

interface HasBackupId {
  readonly backupId: string;
}

/** backupId → position; shared along appends and in-place replacements. */
type Positions = Map<string, number>;

const indexOf = new WeakMap<readonly HasBackupId[], Positions>();

function positions(backups: readonly HasBackupId[]): Positions {
  let index = indexOf.get(backups);
  if (!index) {
    index = new Map();
    // The first of an id wins, as a scan finds it.
    for (let i = 0; i < backups.length; i++) if (!index.has(backups[i]!.backupId)) index.set(backups[i]!.backupId, i);
    indexOf.set(backups, index);
  }
  return index;
}

/** The backup with this id in `backups`, or undefined: O(1) once the array's index exists. */
export function backupById<B extends HasBackupId>(backups: readonly B[], backupId: string): B | undefined {
  // An empty array gets no index: every ring opens on the initial state's one empty array, and an
  // index shared from it would collect every ring's backup ids for the life of the process.
  if (backups.length === 0) return undefined;
  const at = positions(backups).get(backupId);
  if (at === undefined) return undefined;
  const hit = backups[at];
  if (hit?.backupId === backupId) return hit;
  return backups.find((b) => b.backupId === backupId);
}

/** `backups` with `backup` appended; the result shares the index of `backups`, if it has one. */
export function appendBackup<B extends HasBackupId>(backups: readonly B[], backup: B): readonly B[] {
  const next = [...backups, backup];
  const index = backups.length === 0 ? new Map<string, number>() : indexOf.get(backups);
  if (index) {
    if (!index.has(backup.backupId)) index.set(backup.backupId, backups.length);
    indexOf.set(next, index);
  }
  return next;
}

/** `backups` with the one of this id replaced by `change(it)` (same id, same position); unknown id: unchanged. */
export function replaceBackup<B extends HasBackupId>(backups: readonly B[], backupId: string, change: (b: B) => B): readonly B[] {
  const index = indexOf.get(backups);
  const next = backups.map((b) => (b.backupId === backupId ? change(b) : b));
  if (index && next.length > 0) indexOf.set(next, index);
  return next;
}
