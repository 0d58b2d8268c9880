// Test-only (LETHE_SIMULATED_VAULT_OUTAGES): stretches of simulated time, read on the engine's own
// (manual) clock, during which every call to the vault fails — at once (`fail`: the vault answers
// "unavailable") or after a wait (`timeout`: the call hangs until the client gives up). The real vault
// behind still does the work outside them. A bounded wait stands for the client's request timeout:
// Lethe's callers set none of their own, and a call that never returned would hold a request or a
// timer for good (the deadline poller's own limit is 60 s of real time).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '@lethe/clock';
import { KeyVaultUnavailableError, type KeyVault } from '@lethe/vault';

export interface SimulatedVaultOutage {
  readonly from: Date;
  readonly until: Date;
  readonly mode: 'fail' | 'timeout';
}

/** Real time (ms) a call waits in a `timeout` outage before it fails. */
export const SIMULATED_VAULT_TIMEOUT_MS = 100;

/** The vault did not answer: what a vault client throws when the service is down or unreachable. */
export class SimulatedVaultUnavailableError extends KeyVaultUnavailableError {
  constructor(readonly mode: SimulatedVaultOutage['mode']) {
    super(
      mode === 'fail' ? 'unavailable' : 'timeout',
      mode === 'fail' ? 'the key vault is unavailable (simulated outage)' : 'the key vault did not answer in time (simulated outage)',
    );
    this.name = 'SimulatedVaultUnavailableError';
  }
}

const METHODS = ['createKey', 'createVersion', 'listVersions', 'wrap', 'unwrap', 'disable', 'enable', 'destroy', 'destroyKey'] as const;

/** The vault, failing every call made while the clock is inside one of `outages` ([from, until)). */
export function withSimulatedOutages(vault: KeyVault, clock: Clock, outages: readonly SimulatedVaultOutage[], timeoutMs = SIMULATED_VAULT_TIMEOUT_MS): KeyVault {
  if (outages.length === 0) return vault;
  const outageAt = (now: Date) => outages.find((o) => now >= o.from && now < o.until);
  const guarded = { capabilities: vault.capabilities } as KeyVault;
  for (const method of METHODS) {
    const call = (vault[method] as (...args: unknown[]) => Promise<unknown>).bind(vault);
    (guarded as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      const outage = outageAt(clock.now());
      if (outage?.mode === 'fail') throw new SimulatedVaultUnavailableError('fail');
      if (outage?.mode === 'timeout') {
        await sleep(timeoutMs);
        throw new SimulatedVaultUnavailableError('timeout');
      }
      return call(...args);
    };
  }
  return guarded;
}
