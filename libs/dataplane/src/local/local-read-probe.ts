// The `local` read probe: reads the database's wrapped data key and sentinel, asks the vault to unwrap
// the key, and decrypts the sentinel. Classification (by error class, never by message):
//   KeyVersionDestroyedError from unwrap          → 'key-destroyed' (the expected failure)
//   data key unwrapped and sentinel decrypted    → 'readable'
//   everything else                              → 'inconclusive', in particular:
//     KeyVersionDisabledError (unreadable now, but the key still exists and could be re-enabled),
//     UnknownKeyVersionError, UnwrapFailedError, an unknown database, a sentinel that does not decrypt
//     or does not match, a database or vault error, and no verdict within the timeout (default 5 s).
// `detail` names ids and error classes/codes only; a foreign error's message is never copied.
import type pg from 'pg';
import {
  DecryptionFailedError,
  KeyVersionDestroyedError,
  KeyVersionDisabledError,
  SecretKey,
  UnknownKeyVersionError,
  UnwrapFailedError,
  type KeyVault,
} from '@lethe/vault';
import type { ProbeResult, ReadProbe } from '../data-plane.js';
import { describeError } from './describe-error.js';
import { sentinelContext, sentinelPlaintext } from './envelope.js';

export interface LocalReadProbeOptions {
  /** No verdict within this many milliseconds → inconclusive. Default 5000. */
  readonly timeoutMs?: number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

const inconclusive = (detail: string): ProbeResult => ({ outcome: 'inconclusive', detail });

export class LocalReadProbe implements ReadProbe {
  private readonly timeoutMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly vault: KeyVault,
    options: LocalReadProbeOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    if (!(this.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
  }

  async probe(tenantId: string, databaseId: string): Promise<ProbeResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(
        () => resolve(inconclusive(`no verdict on database ${databaseId} of tenant ${tenantId} within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      timer.unref();
    });
    const attempt = this.attempt(tenantId, databaseId).catch((error: unknown) =>
      inconclusive(`probe of database ${databaseId} of tenant ${tenantId} failed unexpectedly: ${describeError(error)}`),
    );
    try {
      return await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async attempt(tenantId: string, databaseId: string): Promise<ProbeResult> {
    const where = `database ${databaseId} of tenant ${tenantId}`;
    let row: { key_version_id: string; wrapped_data_key: Buffer; sentinel: Buffer } | undefined;
    try {
      const result = await this.pool.query<{ key_version_id: string; wrapped_data_key: Buffer; sentinel: Buffer }>(
        'select key_version_id, wrapped_data_key, sentinel from dataplane_databases where tenant_id = $1 and database_id = $2',
        [tenantId, databaseId],
      );
      row = result.rows[0];
    } catch (error) {
      return inconclusive(`could not read the data plane record of ${where}: ${describeError(error)}`);
    }
    if (!row) return inconclusive(`${where} is not known to the data plane: nothing to read, nothing proven`);
    const version = row.key_version_id;

    let raw: Buffer;
    try {
      raw = await this.vault.unwrap(version, row.wrapped_data_key);
    } catch (error) {
      if (error instanceof KeyVersionDestroyedError) {
        return {
          outcome: 'key-destroyed',
          detail: `key version ${version} is destroyed: the data key of ${where} cannot be unwrapped, its data is unreadable`,
        };
      }
      if (error instanceof KeyVersionDisabledError) {
        return inconclusive(`key version ${version} of ${where} is disabled, not destroyed: unreadable now, but the key still exists`);
      }
      if (error instanceof UnknownKeyVersionError) return inconclusive(`the vault does not know key version ${version} of ${where}`);
      if (error instanceof UnwrapFailedError) return inconclusive(`the data key of ${where} did not unwrap with key version ${version} (altered record?)`);
      return inconclusive(`the vault could not unwrap the data key of ${where} with key version ${version}: ${describeError(error)}`);
    }

    let dataKey: SecretKey;
    try {
      dataKey = SecretKey.fromBytes(raw);
    } catch {
      return inconclusive(`the unwrapped data key of ${where} has the wrong length`);
    } finally {
      raw.fill(0);
    }
    let plaintext: Buffer;
    try {
      plaintext = dataKey.open(row.sentinel, sentinelContext(tenantId, databaseId));
    } catch (error) {
      if (error instanceof DecryptionFailedError) return inconclusive(`the sentinel of ${where} did not decrypt with its data key (altered record?)`);
      return inconclusive(`the sentinel of ${where} could not be decrypted: ${describeError(error)}`);
    }
    if (!plaintext.equals(sentinelPlaintext(tenantId, databaseId))) {
      return inconclusive(`the sentinel of ${where} decrypted to something unexpected`);
    }
    return { outcome: 'readable', detail: `the data of ${where} is readable: key version ${version} unwrapped its data key and the sentinel decrypted` };
  }
}
