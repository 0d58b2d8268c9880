// Given a key vault's deletion windows and a tenant's grace, when it is onboarded, then it is refused
// only when the vault cannot make the key unusable before the deadline (P4).
import { DELETION_WORKING_DAYS } from '../promises.js';
import { deletionWindowRefusal, leastDaysAfterExecution, type VaultDeletionWindow } from './deletion-window.js';

const window = (minDaysToUnusable: number, minDaysToPurged = minDaysToUnusable): VaultDeletionWindow => ({
  vault: 'azure-keyvault',
  minDaysToUnusable,
  minDaysToPurged,
  settings: ['LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS', 'LETHE_AZURE_KEYVAULT_PURGE_PROTECTION'],
});

describe('deletion windows against the promise', () => {
  it('a shred has the promise minus its grace, in days, at the least, after it executes', () => {
    expect(DELETION_WORKING_DAYS).toBe(5);
    expect([0, 1, 2, 3, 4].map(leastDaysAfterExecution)).toEqual([5, 4, 3, 2, 1]);
  });

  it('a vault that makes keys unusable at once keeps the promise whatever its purge delay and the grace', () => {
    for (const grace of [0, 2, 4]) expect(deletionWindowRefusal(window(0, 90), grace)).toBeUndefined();
  });

  it('a vault slower to make keys unusable than the days left is refused, naming the grace and the settings', () => {
    expect(deletionWindowRefusal(window(3), 2)).toBeUndefined();
    const refusal = deletionWindowRefusal(window(3), 3)!;
    expect(refusal.code).toBe('vault-deletion-window');
    expect(refusal.field).toBe('shredGraceWorkingDays');
    expect(refusal.message).toMatch(/^the key vault \(azure-keyvault\) makes a destroyed key unusable only 3 days after the shred executes/);
    expect(refusal.message).toContain('LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS, LETHE_AZURE_KEYVAULT_PURGE_PROTECTION');
    expect(refusal.message).toContain('a grace of at most 2 working days');
    expect(deletionWindowRefusal(window(5.5), 0)!.message).not.toContain('grace of at most');
  });
});
