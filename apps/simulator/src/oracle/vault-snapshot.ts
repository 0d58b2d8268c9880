// What the local vault (and the data plane's asset store) holds, read from their tables: per tenant,
// its key's versions with their states and instants, and a summary of its platform-key backups.
// The oracle compares it with what the promises allow; it never sees key material (the column that
// holds the sealed material is not read).
import type pg from 'pg';
import { takeVaultChanges } from './vault-change-feed.js';

export interface VaultVersion {
  readonly versionId: string;
  readonly createdAt: Date;
  readonly state: 'enabled' | 'disabled' | 'destroyed';
  readonly disabledAt: Date | null;
  /** When it became unusable by destroy (retirement's second step, or the shred). */
  readonly unusableAt: Date | null;
  readonly purgedAt: Date | null;
}

export interface VaultKey {
  readonly tenantId: string;
  readonly keyId: string;
  /** Set when the whole key was destroyed (the shred): it can never get a version again. */
  readonly tombstonedAt: Date | null;
  /** Oldest first. */
  readonly versions: readonly VaultVersion[];
}

/** A tenant's platform-key backups in the asset store (the shred must purge them: P4). */
export interface PlatformBackupAssets {
  readonly total: number;
  readonly unpurged: number;
  /** The latest purge instant, null when none was purged. */
  readonly lastPurgedAt: Date | null;
}

export interface VaultSnapshot {
  /** By tenant id. */
  readonly keys: ReadonlyMap<string, VaultKey>;
  /** By tenant id; only for the tenants asked for (all when not restricted). */
  readonly platformBackups: ReadonlyMap<string, PlatformBackupAssets>;
  /**
   * The tenants whose key may differ from the previous snapshot given to the oracle; undefined: not
   * known (the oracle then compares every key).
   */
  readonly changed?: ReadonlySet<string>;
}

export interface ReadVaultSnapshotOptions {
  /**
   * Read the asset store only for these tenants (those whose shred the oracle is judging); default
   * all. A fleet's platform backups run into millions of rows; its keys into thousands.
   */
  readonly platformBackupsOf?: readonly string[];
}

interface VersionRow {
  tenant_id: string;
  key_id: string;
  tombstoned_at: Date | null;
  version_id: string | null;
  created_at: Date | null;
  state: VaultVersion['state'] | null;
  disabled_at: Date | null;
  unusable_at: Date | null;
  purged_at: Date | null;
}

type AssetRow = { tenant_id: string; total: string; unpurged: string; last_purged_at: Date | null };

/**
 * Reads the vault step after step for the oracle: the first read takes every key, each later one
 * only the keys the change feed (vault-change-feed.ts) names, and keeps the rest as last read. Each
 * read is one consistent snapshot of the vault and the asset store.
 */
export class VaultReader {
  private readonly keys = new Map<string, VaultKey>();
  private first = true;

  constructor(private readonly pool: pg.Pool) {}

  /**
   * The vault as it stands, with `changed`: the tenants whose key was created or changed since the
   * previous read (every tenant at the first).
   */
  async read(options: ReadVaultSnapshotOptions = {}): Promise<VaultSnapshot> {
    const client = await this.pool.connect();
    try {
      await client.query('begin isolation level repeatable read');
      // The feed first: a change it names is in this snapshot; one committed later stays for the next read.
      const changedKeys = await takeVaultChanges(client);
      const rows =
        this.first || changedKeys.size > 0
          ? (
              await client.query<VersionRow>(
                `select k.tenant_id, k.key_id, k.tombstoned_at, v.version_id, v.created_at, v.state, v.disabled_at, v.unusable_at, v.purged_at
                   from vault_keys k left join vault_key_versions v on v.key_id = k.key_id
                  where $1::text[] is null or k.key_id = any($1::text[])
                  order by k.tenant_id, v.seq`,
                [this.first ? null : [...changedKeys]],
              )
            ).rows
          : [];
      const restrict = options.platformBackupsOf;
      const assets =
        restrict !== undefined && restrict.length === 0
          ? []
          : (
              await client.query<AssetRow>(
                `select tenant_id, count(*) as total, count(*) filter (where purged_at is null) as unpurged, max(purged_at) as last_purged_at
                   from dataplane_assets
                  where kind = 'platform-backup' and ($1::text[] is null or tenant_id = any($1::text[]))
                  group by tenant_id`,
                [restrict === undefined ? null : [...restrict]],
              )
            ).rows;
      await client.query('commit');
      this.first = false;
      const changed = new Set<string>();
      for (const key of keysOf(rows)) {
        this.keys.set(key.tenantId, key);
        changed.add(key.tenantId);
      }
      const platformBackups = new Map<string, PlatformBackupAssets>();
      for (const r of assets) {
        platformBackups.set(r.tenant_id, { total: Number(r.total), unpurged: Number(r.unpurged), lastPurgedAt: r.last_purged_at });
      }
      return { keys: this.keys, platformBackups, changed };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Rows ordered by tenant and version sequence, as keys with their versions oldest first. */
function keysOf(rows: readonly VersionRow[]): VaultKey[] {
  const keys = new Map<string, { tenantId: string; keyId: string; tombstonedAt: Date | null; versions: VaultVersion[] }>();
  for (const r of rows) {
    let key = keys.get(r.tenant_id);
    if (!key) {
      key = { tenantId: r.tenant_id, keyId: r.key_id, tombstonedAt: r.tombstoned_at, versions: [] };
      keys.set(r.tenant_id, key);
    }
    if (r.version_id !== null) {
      key.versions.push({
        versionId: r.version_id,
        createdAt: r.created_at!,
        state: r.state!,
        disabledAt: r.disabled_at,
        unusableAt: r.unusable_at,
        purgedAt: r.purged_at,
      });
    }
  }
  return [...keys.values()];
}
