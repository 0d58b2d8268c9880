// Simulated vault outages as the oracle allows for them (see VAULT_RECOVERY_SLACK_MS).
import type { VaultOutage } from '../fleet/fleet-facts.js';
import { VAULT_RECOVERY_SLACK_MS } from './slack.js';

export interface OutageSpan {
  readonly from: number;
  readonly until: number;
}

export function outageSpans(outages: readonly VaultOutage[]): OutageSpan[] {
  return outages.map((o) => ({ from: Date.parse(o.from), until: Date.parse(o.until) })).sort((a, b) => a.from - b.from);
}

/**
 * The limit for work that needs the vault, may start at `from` and is given until `limit`: Lethe gets
 * the same vault-up time, so the limit moves past every outage met on the way (an outage holding the
 * very instant of a zero-length window included), plus the recovery slack when any was met.
 * Unchanged when none was.
 */
export function withVaultOutages(spans: readonly OutageSpan[], from: number, limit: number): number {
  if (spans.length === 0 || !Number.isFinite(limit)) return limit;
  let need = limit - from;
  let t = from;
  let met = false;
  for (const s of spans) {
    if (s.until <= t) continue;
    if (s.from > t + need) break;
    met = true;
    need -= Math.max(0, s.from - t);
    t = Math.max(t, s.until);
  }
  return met ? t + need + VAULT_RECOVERY_SLACK_MS : limit;
}
