// Named places between two steps of a use case where a test can have the engine killed (kill -9),
// to prove that a restart ends where an uninterrupted run would (ARCHITECTURE §4: nothing that must
// happen later lives only in memory). Set by LETHE_CRASH_AT, a test-only setting; unset, every
// crash point is a no-op.

export const CRASH_POINTS = [
  /** TenantOnboarded stored; the key ring not opened yet. */
  'onboard:tenant-recorded',
  /** The tenant key exists in the vault; no database protected, no ring recorded. */
  'onboard:key-created',
  /** The termination is in the contract stream; the tenant has not decided on it yet. */
  'terminate:contract-recorded',
  /** A broker message's event is stored (apps/engine/src/intake); the message not yet acknowledged. */
  'intake:recorded',
  /** ShredCancelled stored; the shred's timers not yet cancelled, the caller not yet answered. */
  'cancel:recorded',
  /** KeyVersionRetired stored; the vault version still enabled. */
  'retire:recorded',
  /** KeyVersionDestroyed stored (the retired version's grace over); the vault version disabled, not yet destroyed. */
  'destroy:recorded',
  /** Integration events stored in the outbox and claimed for delivery; nothing sent to the sink yet. */
  'outbound:stored',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** Called at each crash point; the engine passes one that kills the process at the configured point. */
export type CrashHook = (point: CrashPoint) => void;

export const noCrash: CrashHook = () => undefined;

/** A hook that kills this process with SIGKILL (no cleanup, no flush) when `point` is reached. */
export function killAt(point: CrashPoint): CrashHook {
  return (reached) => {
    if (reached === point) process.kill(process.pid, 'SIGKILL');
  };
}
