// The engine settings the simulator runs Lethe with that the oracle's expectations depend on. The
// driver passes each to the engine from here, so the oracle judges against what the engine was told,
// never against what Lethe's code makes of it.

/**
 * LETHE_RETIRED_KEY_GRACE_DAYS: a retired key version stays disabled in the vault this many days
 * (restorable under break-glass), then must be destroyed (P3: it lives no longer than needed).
 */
export const RETIRED_KEY_GRACE_DAYS = 7;
