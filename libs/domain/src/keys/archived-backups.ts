// Bounded key-ring state. A backup whose retention has run out (expired or deleted) and whose every
// needed key version is retired can never matter to P3 again: no retirement waits for it, and no
// version it needs can come back. At each KeyVersionRetired such backups leave the state, which so
// holds the backups of the versions still in use, however old the ring is. What stays of each is a
// fingerprint of the fields a repeated RecordBackup is compared with, so the same body is still a
// replay and another body still a conflict. Archiving is a function of the events alone (the
// retirement's own instant), so every fold of the stream (repository, snapshot, read model) agrees.
import { createHash } from 'node:crypto';
import type { BackupProtection } from './backup-policy.js';

/** The fields of a backup that decide whether a RecordBackup repeats it (instants as stored). */
export interface BackupIdentity {
  readonly databaseId: string;
  readonly kind: string;
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
  readonly protection: BackupProtection;
}

/** The part of the key ring's state archiving reads and writes (KeysState has it). */
export interface ArchivingState {
  readonly versions: readonly { readonly keyVersionId: string; readonly retiredAt: string | null }[];
  readonly backups: readonly (BackupIdentity & { readonly backupId: string; readonly deletedAt: string | null; readonly keyVersionIds: readonly string[] })[];
  readonly archivedBackups: Readonly<Record<string, string>>;
}

/** What an archived backup still answers: its id and protection. */
export interface ArchivedBackup {
  readonly backupId: string;
  readonly protection: BackupProtection;
  readonly archived: true;
}

/**
 * `c` (customer-key) or `p` (platform-key), then 16 base64url characters (96 bits) of the SHA-256
 * of the identity fields: 17 bytes per archived backup.
 */
export function backupFingerprint(b: BackupIdentity): string {
  const digest = createHash('sha256')
    .update([b.databaseId, b.kind, b.coveredFrom, b.takenAt, b.expiresAt, b.protection].join('\u0000'))
    .digest('base64url');
  return `${b.protection === 'platform-key' ? 'p' : 'c'}${digest.slice(0, 16)}`;
}

/** The archived backup of that id, or null when it was never archived. */
export function findArchivedBackup(state: Pick<ArchivingState, 'archivedBackups'>, backupId: string): ArchivedBackup | null {
  if (!Object.hasOwn(state.archivedBackups, backupId)) return null;
  const fingerprint = state.archivedBackups[backupId]!;
  return { backupId, protection: fingerprint.startsWith('p') ? 'platform-key' : 'customer-key', archived: true };
}

/** Whether a RecordBackup with this identity repeats the archived backup of its id. */
export function repeatsArchivedBackup(state: Pick<ArchivingState, 'archivedBackups'>, backupId: string, identity: BackupIdentity): boolean {
  return Object.hasOwn(state.archivedBackups, backupId) && state.archivedBackups[backupId] === backupFingerprint(identity);
}

/** Settled at `at`: its retention ran out, and every key version it needs is retired. */
function isSettled(state: ArchivingState, b: ArchivingState['backups'][number], at: number): boolean {
  const ranOut = b.deletedAt !== null || Date.parse(b.expiresAt) <= at;
  return ranOut && b.keyVersionIds.every((id) => state.versions.find((v) => v.keyVersionId === id)?.retiredAt);
}

/** The state without the backups settled at `at`, each leaving its fingerprint. */
export function archiveSettledBackups<S extends ArchivingState>(state: S, at: string): S {
  const t = Date.parse(at);
  const settled = state.backups.filter((b) => isSettled(state, b, t));
  if (settled.length === 0) return state;
  // fromEntries defines own properties: an id such as "__proto__" stays a plain key.
  const archivedBackups = Object.fromEntries([...Object.entries(state.archivedBackups), ...settled.map((b) => [b.backupId, backupFingerprint(b)])]);
  const gone = new Set(settled.map((b) => b.backupId));
  return { ...state, backups: state.backups.filter((b) => !gone.has(b.backupId)), archivedBackups };
}
