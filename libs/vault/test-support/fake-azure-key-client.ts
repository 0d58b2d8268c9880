// A fake Azure Key Vault behind the SDK boundary (AzureKeyClient), for tests where no vault can run:
// it keeps keys, versions and deleted keys in memory the way Key Vault does, and answers with the
// SDK's own RestError (statusCode and service error code). Real RSA-OAEP-256 with SHA-256; to keep
// tests fast, one RSA-2048 pair serves every version, each ciphertext bound to its version by the OAEP
// label (the version's identifier), so a blob unwraps with its own version only, as in Key Vault.
// What it models, as documented by Azure:
// - names are case-insensitive; creating a live name adds a version; creating a soft-deleted name is
//   409 Conflict; createdOn/deletedOn have one-second resolution;
// - a disabled version refuses every cryptographic operation with 403 Forbidden;
// - a delete takes every version; the deleted key is kept for the retention, then purged by the vault
//   (here when first looked at after its scheduledPurgeDate); purge before that is 403 under purge
//   protection; a purged name is free again;
// - unwrap of what the version did not wrap is 400 BadParameter.
// Faults: failNext(operation, error) makes the next call of an operation throw.
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { RestError } from '@azure/core-rest-pipeline';
import type { DeletedKey, KeyProperties, KeyVaultKey } from '@azure/keyvault-keys';
import type { Clock } from '@lethe/clock';
import type { AzureCryptographyClient, AzureKeyClient } from '../src/azure/azure-key-client.js';

interface FakeVersion {
  readonly version: string;
  readonly createdOn: Date;
  enabled: boolean;
  readonly tags: Record<string, string>;
}

let rsaPair: { readonly privateKey: KeyObject; readonly publicKey: KeyObject } | undefined;
const rsa = () => (rsaPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 }));

interface FakeKey {
  readonly name: string;
  readonly versions: FakeVersion[];
}

interface FakeDeletedKey {
  readonly key: FakeKey;
  readonly deletedOn: Date;
  readonly scheduledPurgeDate: Date;
}

export type FakeOperation =
  | 'createRsaKey'
  | 'listPropertiesOfKeyVersions'
  | 'updateKeyProperties'
  | 'beginDeleteKey'
  | 'getDeletedKey'
  | 'purgeDeletedKey'
  | 'wrapKey'
  | 'unwrapKey';

export interface FakeVaultOptions {
  readonly vaultUrl?: string;
  readonly softDeleteRetentionDays?: number;
  readonly purgeProtection?: boolean;
}

const DAY_MS = 86_400_000;
const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

/** The errors Key Vault answers with, as the SDK throws them. */
export const azureErrors = {
  notFound: (what: string) => new RestError(`${what} was not found in this key vault`, { code: 'KeyNotFound', statusCode: 404 }),
  forbidden: (message: string) => new RestError(message, { code: 'Forbidden', statusCode: 403 }),
  conflict: (message: string) => new RestError(message, { code: 'Conflict', statusCode: 409 }),
  badParameter: (message: string) => new RestError(message, { code: 'BadParameter', statusCode: 400 }),
  throttled: () => new RestError('Too many requests', { code: 'Throttled', statusCode: 429 }),
  unavailable: () => new RestError('Service unavailable', { code: 'ServiceUnavailable', statusCode: 503 }),
  connection: () => new RestError('connect ECONNREFUSED', { code: 'REQUEST_SEND_ERROR' }),
};

export class FakeAzureKeyClient implements AzureKeyClient {
  readonly vaultUrl: string;
  readonly retentionDays: number;
  readonly purgeProtection: boolean;
  /** Every call made, by operation name. */
  readonly calls: FakeOperation[] = [];
  private readonly keys = new Map<string, FakeKey>();
  private readonly deleted = new Map<string, FakeDeletedKey>();
  private readonly faults: { operation: FakeOperation; error: Error }[] = [];

  constructor(
    private readonly clock: Clock,
    options: FakeVaultOptions = {},
  ) {
    this.vaultUrl = options.vaultUrl ?? 'https://fake-vault.vault.azure.net';
    this.retentionDays = options.softDeleteRetentionDays ?? 90;
    this.purgeProtection = options.purgeProtection ?? true;
  }

  /** The next call of `operation` throws `error` (queued: several faults apply in order). */
  failNext(operation: FakeOperation, error: Error): void {
    this.faults.push({ operation, error });
  }

  /** Disables a version outside Lethe, as an operator in the Azure portal could. */
  disableOutside(name: string, version: string): void {
    this.liveVersion(name, version).enabled = false;
  }

  /** Recovers a soft-deleted key outside Lethe (what Lethe must notice). */
  recoverOutside(name: string): void {
    const deleted = this.deleted.get(name.toLowerCase());
    if (!deleted) throw new Error(`no deleted key ${name}`);
    this.deleted.delete(name.toLowerCase());
    this.keys.set(name.toLowerCase(), deleted.key);
  }

  /** Whether any trace of the key (live or deleted) is left. */
  holds(name: string): 'live' | 'deleted' | 'none' {
    this.purgeDue();
    return this.keys.has(name.toLowerCase()) ? 'live' : this.deleted.has(name.toLowerCase()) ? 'deleted' : 'none';
  }

  async createRsaKey(name: string, options: { keySize?: number; tags?: Record<string, string> } = {}): Promise<KeyVaultKey> {
    this.enter('createRsaKey');
    if (this.deleted.has(name.toLowerCase())) throw azureErrors.conflict(`Key ${name} is currently in a deleted but recoverable state, and its name cannot be reused`);
    const key = this.keys.get(name.toLowerCase()) ?? { name, versions: [] };
    this.keys.set(name.toLowerCase(), key);
    if (options.keySize !== undefined && options.keySize !== 2048) throw azureErrors.badParameter('this fake makes 2048-bit keys only');
    const version: FakeVersion = { version: randomBytes(16).toString('hex'), createdOn: seconds(this.clock.now()), enabled: true, tags: { ...(options.tags ?? {}) } };
    key.versions.push(version);
    return { name: key.name, id: this.idOf(key.name, version.version), keyType: 'RSA', keyOperations: ['wrapKey', 'unwrapKey'], properties: this.propertiesOf(key, version) };
  }

  listPropertiesOfKeyVersions(name: string): AsyncIterable<KeyProperties> {
    const list = async () => {
      this.enter('listPropertiesOfKeyVersions');
      const key = this.liveKey(name);
      // Key Vault lists in no particular order.
      return [...key.versions].reverse().map((v) => this.propertiesOf(key, v));
    };
    return {
      async *[Symbol.asyncIterator]() {
        yield* await list();
      },
    };
  }

  async updateKeyProperties(name: string, keyVersion: string, options: { enabled?: boolean } = {}): Promise<KeyVaultKey> {
    this.enter('updateKeyProperties');
    const key = this.liveKey(name);
    const version = this.liveVersion(name, keyVersion);
    if (options.enabled !== undefined) version.enabled = options.enabled;
    return { name: key.name, id: this.idOf(key.name, version.version), properties: this.propertiesOf(key, version) };
  }

  async beginDeleteKey(name: string): Promise<{ pollUntilDone(): Promise<DeletedKey> }> {
    this.enter('beginDeleteKey');
    const key = this.liveKey(name);
    this.keys.delete(name.toLowerCase());
    const deletedOn = seconds(this.clock.now());
    const record: FakeDeletedKey = { key, deletedOn, scheduledPurgeDate: new Date(deletedOn.getTime() + this.retentionDays * DAY_MS) };
    this.deleted.set(name.toLowerCase(), record);
    return { pollUntilDone: async () => this.deletedKeyOf(record) };
  }

  async getDeletedKey(name: string): Promise<DeletedKey> {
    this.enter('getDeletedKey');
    const record = this.deleted.get(name.toLowerCase());
    if (!record) throw azureErrors.notFound(`Deleted key ${name}`);
    return this.deletedKeyOf(record);
  }

  async purgeDeletedKey(name: string): Promise<void> {
    this.enter('purgeDeletedKey');
    if (!this.deleted.has(name.toLowerCase())) throw azureErrors.notFound(`Deleted key ${name}`);
    if (this.purgeProtection) throw azureErrors.forbidden(`Operation "purge" is not allowed on key ${name}: purge protection is enabled`);
    this.deleted.delete(name.toLowerCase());
  }

  getCryptographyClient(keyName: string, options: { keyVersion?: string } = {}): AzureCryptographyClient {
    const usable = (operation: 'wrapKey' | 'unwrapKey', algorithm: string): FakeVersion => {
      this.enter(operation);
      if (algorithm !== 'RSA-OAEP-256') throw azureErrors.badParameter(`algorithm ${algorithm} is not supported here`);
      const version = this.liveVersion(keyName, options.keyVersion ?? '');
      if (!version.enabled) throw azureErrors.forbidden(`Operation ${operation} is not allowed on a disabled key.`);
      return version;
    };
    return {
      wrapKey: async (algorithm, key) => {
        const version = usable('wrapKey', algorithm);
        const result = publicEncrypt({ key: rsa().publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: this.label(keyName, version) }, key);
        return { result: new Uint8Array(result), algorithm, keyID: this.idOf(keyName, version.version) };
      },
      unwrapKey: async (algorithm, encryptedKey) => {
        const version = usable('unwrapKey', algorithm);
        try {
          const result = privateDecrypt({ key: rsa().privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256', oaepLabel: this.label(keyName, version) }, encryptedKey);
          return { result: new Uint8Array(result), algorithm, keyID: this.idOf(keyName, version.version) };
        } catch {
          throw azureErrors.badParameter('Error occurred while decrypting the value');
        }
      },
    };
  }

  private enter(operation: FakeOperation): void {
    this.calls.push(operation);
    this.purgeDue();
    const at = this.faults.findIndex((f) => f.operation === operation);
    if (at >= 0) {
      const [fault] = this.faults.splice(at, 1);
      throw fault.error;
    }
  }

  /** Key Vault's own purge of deleted keys whose retention ended. */
  private purgeDue(): void {
    const now = this.clock.now().getTime();
    for (const [name, record] of this.deleted) if (record.scheduledPurgeDate.getTime() <= now) this.deleted.delete(name);
  }

  private liveKey(name: string): FakeKey {
    const key = this.keys.get(name.toLowerCase());
    if (!key) throw azureErrors.notFound(`Key ${name}`);
    return key;
  }

  private liveVersion(name: string, version: string): FakeVersion {
    const found = this.liveKey(name).versions.find((v) => v.version === version);
    if (!found) throw azureErrors.notFound(`Key ${name}/${version}`);
    return found;
  }

  /** What binds a ciphertext to its version (names are case-insensitive). */
  private label(name: string, version: FakeVersion): Buffer {
    return Buffer.from(this.idOf(name.toLowerCase(), version.version));
  }

  private idOf(name: string, version: string): string {
    return `${this.vaultUrl}/keys/${name}/${version}`;
  }

  private recoveryLevel(): string {
    const custom = this.retentionDays < 90 ? 'CustomizedRecoverable' : 'Recoverable';
    return this.purgeProtection ? custom : `${custom}+Purgeable`;
  }

  private propertiesOf(key: FakeKey, version: FakeVersion): KeyProperties {
    return {
      name: key.name,
      vaultUrl: this.vaultUrl,
      id: this.idOf(key.name, version.version),
      version: version.version,
      enabled: version.enabled,
      createdOn: version.createdOn,
      updatedOn: version.createdOn,
      tags: { ...version.tags },
      recoverableDays: this.retentionDays,
      recoveryLevel: this.recoveryLevel(),
    };
  }

  private deletedKeyOf(record: FakeDeletedKey): DeletedKey {
    const newest = record.key.versions[record.key.versions.length - 1];
    return {
      name: record.key.name,
      id: this.idOf(record.key.name, newest.version),
      properties: {
        ...this.propertiesOf(record.key, newest),
        recoveryId: `${this.vaultUrl}/deletedkeys/${record.key.name}`,
        deletedOn: record.deletedOn,
        scheduledPurgeDate: record.scheduledPurgeDate,
      },
    };
  }
}
