// The KeyVault port, its `local` adapter (PostgreSQL + master key), `pkcs11` adapter (an HSM) and `azure-keyvault` adapter, the master/signing key loaders,
// the registry of public signing keys and the contract suite every adapter must pass. See libs/vault/README.md.
export type {
  KeyVault,
  KeyVaultCapabilities,
  DeletionWindow,
  KeyVersionState,
  KeyVersionInfo,
  CreatedKey,
  CreatedKeyVersion,
  DestroyResult,
  DestroyedKeyVersion,
} from './key-vault.js';
export {
  KeyVaultError,
  UnknownKeyError,
  UnknownKeyVersionError,
  KeyVersionDisabledError,
  KeyVersionDestroyedError,
  UnwrapFailedError,
  KeyTombstonedError,
  KeyVaultAccessDeniedError,
  DecryptionFailedError,
  InvalidKeySettingError,
  KeyFilePermissionError,
  InvalidKeyFileError,
  MasterKeyCheckError,
  MasterKeySupersededError,
  MasterKeyMissingError,
  RetiredSigningKeyError,
} from './errors.js';
export { KeyVaultUnavailableError, isKeyVaultUnavailable } from './vault-unavailable.js';
export { SecretKey, MasterKey, KEY_BYTES, type KeySource } from './secret-key.js';
export { loadOrCreateKeyFile, type KeyFileSpec, type LoadedKeyFile } from './key-file.js';
export {
  loadMasterKey,
  readMasterKey,
  readMasterKeyFile,
  writeNewMasterKeyFile,
  decodeBase64Key,
  MASTER_KEY_SETTING,
  MASTER_KEY_FILE,
  type LoadMasterKeyOptions,
} from './master-key.js';
export {
  loadOrCreateSigningKey,
  signingKeyId,
  SIGNING_KEY_SETTING,
  SIGNING_KEY_FILE,
  type LoadSigningKeyOptions,
  type SigningKeyPair,
} from './signing-key.js';
export { PostgresSigningKeyRegistry, type PublicSigningKey } from './signing/signing-key-registry.js';
export { SigningKeyring, type ActiveSigningKey } from './signing/signing-keyring.js';
export { rotateSigningKeyFile, type RotateSigningKeyOptions, type RotatedSigningKey } from './signing/signing-key-rotation.js';
export { signingKeyMigrations, CreateSigningKeys1764400000022 } from './signing/migrations.js';
export {
  LocalKeyVault,
  MasterKeyMismatchError,
  localCapabilities,
  LOCAL_UNUSABLE_AFTER_SETTING,
  LOCAL_PURGE_AFTER_SETTING,
  type LocalVaultOptions,
} from './local/local-key-vault.js';
export { vaultMigrations, CreateVaultTables1764400000020, CreateMasterKeyCheck1764400000021, LocalVaultDeletionWindows1764400000170 } from './local/migrations.js';
export {
  checkMasterKey,
  masterKeyCheckValue,
  masterKeyFenceHolds,
  MASTER_KEY_FENCE_CTE,
  requireBoundTo,
  requireStoredCheckValue,
  KEY_CHECK_SCHEME,
  type MasterKeyCheckOutcome,
} from './local/master-key-check.js';
export {
  CurrentMasterKeyMismatchError,
  lockVaultForMasterKeyRotation,
  countSealedKeyMaterial,
  resealKeyMaterial,
  openKeyMaterial,
  storeMasterKeyCheck,
  type MasterKeyBinding,
} from './local/master-key-rotation.js';
export { SealedRowUnreadableError, countSealedRows, resealColumn, openSealedColumn, type SealedColumn, type SealedColumnPass } from './local/reseal.js';
export { keyVaultContract, looksLikeKeyMaterial, type KeyVaultContractSubject } from './contract/key-vault.contract.js';
export {
  Pkcs11KeyVault,
  detectedVersionId,
  objectLabel,
  tenantLabelPrefix,
  type Pkcs11KeyVaultOptions,
  type TokenObject,
} from './pkcs11/pkcs11-key-vault.js';
export { Pkcs11SettingError, KeyObjectMissingError } from './pkcs11/pkcs11-errors.js';
export { loadPkcs11Pin, type Pkcs11PinSource, type LoadedPin } from './pkcs11/pkcs11-pin.js';
export {
  loadPkcs11Binding,
  Pkcs11BindingMissingError,
  PKCS11_BINDING_INSTALL_HINT,
  type Pkcs11Binding,
  type Pkcs11Module,
  type Pkcs11Handle,
} from './pkcs11/pkcs11-binding.js';
export type { Pkcs11TokenSettings } from './pkcs11/pkcs11-token.js';
export { pkcs11VaultMigrations, CreatePkcs11VaultTables1764400000160 } from './pkcs11/migrations.js';
export { createAzureKeyClient, type AzureKeyClient, type AzureCryptographyClient } from './azure/azure-key-client.js';
export {
  AzureKeyVault,
  azureKeyVaultCapabilities,
  AZURE_KEYVAULT_SETTINGS,
  MIN_SOFT_DELETE_RETENTION_DAYS,
  MAX_SOFT_DELETE_RETENTION_DAYS,
  type AzureKeyVaultOptions,
} from './azure/azure-key-vault.js';
export { AzureKeyVaultRefusedError, AzureKeyVaultSettingMismatchError, azureFailure } from './azure/azure-errors.js';
export { keyNameOf, tenantOfKeyName, parseVersionId, DEFAULT_KEY_PREFIX, KEY_PREFIX_PATTERN } from './azure/key-names.js';
export { azureKeyVaultMigrations, CreateAzureKeyVaultTables1764400000171 } from './azure/migrations.js';
