// The KeyVault adapter LETHE_VAULT chooses, opened at boot. `local` (the default) keeps tenant keys in
// PostgreSQL sealed by the master key; `pkcs11` keeps them on a PKCS#11 token (docs/adapters/pkcs11.md);
// `azure-keyvault` in Azure Key Vault (docs/adapters/azure-keyvault.md).
// Settings are checked in two steps, so a bad one stops the engine as early as it can be seen: the
// binding and the PIN file before the database is opened (prepareKeyVault), the token after it
// (openKeyVault), which also checks that the token holds the versions this database recorded.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import {
  AzureKeyVault,
  createAzureKeyClient,
  LocalKeyVault,
  Pkcs11KeyVault,
  Pkcs11SettingError,
  loadPkcs11Binding,
  loadPkcs11Pin,
  type KeyVault,
  type LoadedPin,
  type MasterKey,
  type Pkcs11Binding,
} from '@lethe/vault';
import type { VaultConfig } from '../config/engine-config.js';

/** What prepareKeyVault loaded: nothing for `local` and `azure-keyvault`; the binding and the PIN for `pkcs11`. */
export type PreparedKeyVault = { readonly kind: 'local' | 'azure-keyvault' } | { readonly kind: 'pkcs11'; readonly binding: Pkcs11Binding; readonly pin: LoadedPin };

/**
 * Before the database: loads what the adapter needs from this machine. Pkcs11BindingMissingError
 * (naming LETHE_VAULT and how to install the binding), Pkcs11SettingError (the PIN file).
 */
export async function prepareKeyVault(config: VaultConfig): Promise<PreparedKeyVault> {
  if (config.kind !== 'pkcs11') return { kind: config.kind };
  const binding = await loadPkcs11Binding();
  const pin = await loadPkcs11Pin(config.pin);
  return { kind: 'pkcs11', binding, pin };
}

export interface OpenedKeyVault {
  readonly vault: KeyVault;
  close(): Promise<void>;
}

/**
 * After the database: the adapter itself. Pkcs11SettingError when the token cannot be used (library,
 * label, PIN) or holds none of the key objects the database recorded (another token).
 */
export async function openKeyVault(
  config: VaultConfig,
  prepared: PreparedKeyVault,
  pool: pg.Pool,
  masterKey: MasterKey,
  clock: Clock,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<OpenedKeyVault> {
  if (config.kind === 'local') {
    const vault = new LocalKeyVault(pool, masterKey, clock, { unusableAfterDays: config.unusableAfterDays, purgeAfterDays: config.purgeAfterDays });
    if (config.unusableAfterDays > 0 || config.purgeAfterDays > 0) {
      logger.warn(
        { unusableAfterDays: config.unusableAfterDays, purgeAfterDays: config.purgeAfterDays },
        'TEST-ONLY: the local vault stands for a slower one (LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS / LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS)',
      );
    }
    return { vault, close: async () => undefined };
  }
  if (config.kind === 'azure-keyvault') {
    const vault = new AzureKeyVault(await createAzureKeyClient(config.url), pool, clock, {
      vaultUrl: config.url,
      softDeleteRetentionDays: config.softDeleteRetentionDays,
      purgeProtection: config.purgeProtection,
      keyPrefix: config.keyPrefix,
      keyType: config.keyType,
    });
    const { minDaysToUnusable, minDaysToPurged } = vault.capabilities.deletionWindow;
    logger.info({ vault: 'azure-keyvault', purgeProtection: config.purgeProtection, minDaysToUnusable, minDaysToPurged }, 'key vault: Azure Key Vault');
    return { vault, close: async () => undefined };
  }
  if (prepared.kind !== 'pkcs11') throw new Error('the PKCS#11 vault was not prepared (prepareKeyVault)');
  const vault = await Pkcs11KeyVault.open({
    pool,
    clock,
    binding: prepared.binding,
    token: { modulePath: config.modulePath, tokenLabel: config.tokenLabel, pin: prepared.pin.pin, pinSetting: prepared.pin.setting },
  });
  try {
    const { checked, missing } = await vault.checkToken();
    if (checked.length > 0 && missing.length === checked.length) {
      throw new Pkcs11SettingError(
        'LETHE_PKCS11_TOKEN_LABEL',
        `the token ${JSON.stringify(config.tokenLabel)} holds none of the newest key versions this database recorded (${missing.join(', ')}): another token, or one restored without them`,
      );
    }
    if (missing.length > 0) logger.warn({ tokenLabel: config.tokenLabel, keyVersionIds: missing }, 'key objects of recorded key versions are missing from the PKCS#11 token');
  } catch (error) {
    await vault.close();
    throw error;
  }
  logger.info({ vault: 'pkcs11', module: config.modulePath, tokenLabel: config.tokenLabel, pinFrom: prepared.pin.setting }, 'key vault: PKCS#11 token');
  return { vault, close: () => vault.close() };
}
