// Bounded key-ring state. A backup whose retention has run out (expired or deleted) and whose every
// needed key version is retired can never matter to P3 again: no retirement waits for it, and a
// version it needs that comes back (break-glass `key-version.enable`) is held by its grant's window,
// never by a backup whose retention already ran out. At each KeyVersionRetired such backups leave the state, which so
// holds the backups of the versions still in use, however old the ring is; the state counts them
// only. The event that recorded an archived backup stays in the stream: a command naming a backup
// the state does not hold is given that event (the decision context's `archived`, looked up by its
// id), so a repeated RecordBackup is still a replay and another body still a conflict. Archiving
// is a function of the events alone (the retirement's own instant), so every fold agrees.
import type { BackupProtection } from './backup-policy.js';

/** The fields of a backup a repeated RecordBackup is compared with (instants as stored). */
export interface BackupIdentity {
  readonly databaseId: string;
  readonly kind: string;
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
  readonly protection: BackupProtection;
}

/** An archived backup as it was first recorded (its BackupRecorded event's data, upcast). */
export interface ArchivedBackup extends BackupIdentity {
  readonly backupId: string;
}

/** The part of the key ring's state archiving reads and writes (KeyRingState has it). */
export interface ArchivingState {
  readonly versions: readonly { readonly keyVersionId: string; readonly retiredAt: string | null }[];
  readonly backups: readonly { readonly backupId: string; readonly expiresAt: string; readonly deletedAt: string | null; readonly keyVersionIds: readonly string[] }[];
  readonly archivedBackups: number;
}

/** Whether a RecordBackup with this identity repeats the archived backup, as first recorded. */
export function repeatsArchivedBackup(archived: ArchivedBackup, identity: BackupIdentity): boolean {
  return (
    archived.databaseId === identity.databaseId &&
    archived.kind === identity.kind &&
    archived.coveredFrom === identity.coveredFrom &&
    archived.takenAt === identity.takenAt &&
    archived.expiresAt === identity.expiresAt &&
    archived.protection === identity.protection
  );
}

/** Settled at `at`: its retention ran out, and every key version it needs is retired. */
function isSettled(state: ArchivingState, b: ArchivingState['backups'][number], at: number): boolean {
  const ranOut = b.deletedAt !== null || Date.parse(b.expiresAt) <= at;
  return ranOut && b.keyVersionIds.every((id) => state.versions.find((v) => v.keyVersionId === id)?.retiredAt);
}

/** The state without the backups settled at `at`, counted in `archivedBackups`. */
export function archiveSettledBackups<S extends ArchivingState>(state: S, at: string): S {
  const t = Date.parse(at);
  const kept = state.backups.filter((b) => !isSettled(state, b, t));
  if (kept.length === state.backups.length) return state;
  return { ...state, backups: kept, archivedBackups: state.archivedBackups + state.backups.length - kept.length };
}
