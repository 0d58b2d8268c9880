// Whether a key vault's deletion windows can keep the deletion promise (P4) for a tenant: checked at
// onboarding (ARCHITECTURE §3 "Deletion": flag a vault whose minimum windows cannot meet the promise).
//
// The promise is about the key becoming UNUSABLE within DELETION_WORKING_DAYS working days of the
// effective instant. A shred executes after `shredGraceWorkingDays` of them and must be done by the
// end of the last; the working days left may follow each other on consecutive calendar days, so the
// vault can count on no more than (DELETION_WORKING_DAYS - grace) x 24 hours. A vault that needs
// longer than that to make a destroyed key unusable cannot keep the promise: the tenant is refused.
// A PURGE later than the promise (a soft-deleting vault) is not a refusal: the shred records when
// it is expected, the certificate says so, and a timer confirms it (key-purge.workflow.ts).
import { DomainError } from '../shared/decider.js';
import { DELETION_WORKING_DAYS } from '../promises.js';

/** A vault's deletion windows, as the lifecycle passes them in (from the vault port's capabilities). */
export interface VaultDeletionWindow {
  /** The vault adapter, e.g. 'local', 'azure-keyvault'. */
  readonly vault: string;
  /** Least days from destroy until the material is unusable. */
  readonly minDaysToUnusable: number;
  /** Least days from destroy until the material is purged for good. */
  readonly minDaysToPurged: number;
  /** The settings the windows follow from (named in the refusal). */
  readonly settings: readonly string[];
}

/** Days a shred with this grace can count on between its execution and its deadline, at the least. */
export function leastDaysAfterExecution(graceWorkingDays: number): number {
  return DELETION_WORKING_DAYS - graceWorkingDays;
}

/**
 * The refusal for a tenant whose shred the vault could not make unusable in time, else undefined.
 * DomainError 'vault-deletion-window' naming shredGraceWorkingDays (what the caller may change) and,
 * in its message, the vault and the settings its window follows from.
 */
export function deletionWindowRefusal(window: VaultDeletionWindow, graceWorkingDays: number): DomainError | undefined {
  const available = leastDaysAfterExecution(graceWorkingDays);
  if (window.minDaysToUnusable <= available) return undefined;
  const fix =
    window.minDaysToUnusable <= DELETION_WORKING_DAYS
      ? `a grace of at most ${Math.floor(DELETION_WORKING_DAYS - window.minDaysToUnusable)} working days, or a vault configured to delete sooner (${window.settings.join(', ')})`
      : `a vault configured to delete sooner (${window.settings.join(', ')})`;
  return new DomainError(
    'vault-deletion-window',
    `the key vault (${window.vault}) makes a destroyed key unusable only ${window.minDaysToUnusable} days after the shred executes ` +
      `(${window.settings.join(', ')}), but with ${graceWorkingDays} grace working days a shred may have only ${available} days before its deadline ` +
      `(P4: ${DELETION_WORKING_DAYS} working days): the promise cannot be kept; needs ${fix}`,
    'shredGraceWorkingDays',
  );
}
