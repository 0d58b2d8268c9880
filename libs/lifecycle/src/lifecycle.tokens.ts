// Injection tokens of the ports the lifecycle is built on, and of what it hands back to the engine
// (its processors and deadline handlers). The event store and the clock use their libs' own tokens
// (EVENT_STORE, CLOCK).

/** KeyVault. */
export const VAULT = Symbol('lifecycle:vault');
/** LifecycleDataPlane: the data plane the use cases call. */
export const DATA_PLANE = Symbol('lifecycle:data-plane');
/** ShredProbe: the read probe that verifies a shred. */
export const READ_PROBE = Symbol('lifecycle:read-probe');
/** PostgresDeadlineStore: durable timers. */
export const DEADLINES = Symbol('lifecycle:deadlines');
/** SigningKeyring: the key this instance signs certificates with. */
export const SIGNING_KEYRING = Symbol('lifecycle:signing-keyring');
/** PostgresSigningKeyRegistry: every public signing key. */
export const SIGNING_KEYS = Symbol('lifecycle:signing-keys');
/** pg.Pool: where issued certificates (lethe_certificates), snapshots (lethe_snapshots) and the read models are. */
export const LIFECYCLE_POOL = Symbol('lifecycle:pool');
/** LifecycleLogger. */
export const LIFECYCLE_LOGGER = Symbol('lifecycle:logger');
/** CrashHook: test-only fault injection between two steps (LETHE_CRASH_AT). */
export const CRASH_HOOK = Symbol('lifecycle:crash-hook');
/** Sabotage | null: test-only known defect (LETHE_SABOTAGE). */
export const SABOTAGE = Symbol('lifecycle:sabotage');
/** number: how often (ms) the vault is listed for versions created outside Lethe. */
export const KEY_DETECTION_INTERVAL_MS = Symbol('lifecycle:key-detection-interval-ms');
/** KeyRingSettings: the fleet's settings the key ring decides with (LETHE_BACKUP_RETENTION_MAX_DAYS, LETHE_RETIRED_KEY_GRACE_DAYS). */
export const KEY_RING_SETTINGS = Symbol('lifecycle:key-ring-settings');

/** SnapshotOptions: the aggregates' snapshot store (built from LIFECYCLE_POOL). */
export const SNAPSHOTS = Symbol('lifecycle:snapshots');

/** Processor[]: what follows the log (projections, sagas, the certificate issuer), for the ProcessorHost. */
export const LIFECYCLE_PROCESSORS = Symbol('lifecycle:processors');
/** DeadlineHandlers: what each durable timer kind runs, for the deadline poller. */
export const LIFECYCLE_DEADLINE_HANDLERS = Symbol('lifecycle:deadline-handlers');
