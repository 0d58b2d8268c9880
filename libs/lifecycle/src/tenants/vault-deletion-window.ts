// The vault port's deletion windows as the tenant decider checks them at onboarding (P4).
import type { VaultDeletionWindow } from '@lethe/domain';
import type { KeyVault } from '@lethe/vault';

export function vaultDeletionWindow(vault: Pick<KeyVault, 'capabilities'>): VaultDeletionWindow {
  const { kind, deletionWindow } = vault.capabilities;
  return { vault: kind, minDaysToUnusable: deletionWindow.minDaysToUnusable, minDaysToPurged: deletionWindow.minDaysToPurged, settings: deletionWindow.settings };
}
