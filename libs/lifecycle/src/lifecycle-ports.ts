// What the lifecycle needs from the outside world: the ports LifecycleModule.forRoot takes.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import type { DataPlane } from '@lethe/dataplane';
import type { EventStore } from '@lethe/eventstore';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import type { KeyVault, PostgresSigningKeyRegistry, SigningKeyring } from '@lethe/vault';
import type { CrashHook } from './crash-points.js';
import type { Sabotage } from './sabotage.js';
import type { ShredDataPlane, ShredProbe } from './shred/shred-ports.js';

/** The data plane calls the use cases and timers make (the local adapter implements all of them). */
export type LifecycleDataPlane = ShredDataPlane &
  Pick<DataPlane, 'protectDatabase' | 'reprotectDatabase' | 'recordBackup' | 'deleteBackup' | 'restoreCheck' | 'addPlatformBackup' | 'addStagingAsset' | 'checkAsset'>;

export type LifecycleLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface LifecyclePorts {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly deadlines: PostgresDeadlineStore;
  readonly vault: KeyVault;
  readonly dataPlane: LifecycleDataPlane;
  readonly probe: ShredProbe;
  /** How often the vault is asked for versions created outside Lethe. */
  readonly keyDetectionIntervalMs: number;
  /** Where issued certificates are stored (lethe_certificates). */
  readonly pool: pg.Pool;
  /** The key this instance signs certificates with, and the registry of every public key. */
  readonly signing: SigningKeyring;
  readonly signingKeys: PostgresSigningKeyRegistry;
  readonly logger: LifecycleLogger;
  /** LETHE_BREAK_GLASS_APPROVALS: distinct approvals a break-glass grant needs; default 2. */
  readonly breakGlassApprovals?: number;
  /** LETHE_BACKUP_RETENTION_MAX_DAYS: the longest a backup may be kept without a break-glass grant; default DEFAULT_MAX_BACKUP_RETENTION_DAYS. */
  readonly maxBackupRetentionDays?: number;
  /** LETHE_RETIRED_KEY_GRACE_DAYS: how long a retired key version stays disabled before it is destroyed; default DEFAULT_RETIRED_KEY_GRACE_DAYS. */
  readonly retiredKeyGraceDays?: number;
  /** Test-only fault injection between two steps (LETHE_CRASH_AT); default: none. */
  readonly crash?: CrashHook;
  /** Test-only known defect for the fleet simulator's oracle to catch (LETHE_SABOTAGE); default: none. */
  readonly sabotage?: Sabotage;
}
