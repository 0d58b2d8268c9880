// The shred saga's next move, decided from the tenant's state and the time alone. The lifecycle
// runs it from durable deadlines: do the step, record it as an event, ask again. Because every
// step is recorded before the next is chosen, a restart resumes exactly where the events say.
import type { ShredStep } from './tenant.events.js';
import type { TenantState } from './tenant.state.js';

export type ShredAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'wait'; readonly until: string; readonly reason: 'execute-at' | 'retry' | 'unusable' }
  | { readonly kind: 'start' }
  | { readonly kind: 'destroy-keys' }
  | { readonly kind: 'purge-assets' }
  | { readonly kind: 'probe'; readonly attempt: number };

/** Retry delays: 1 min, 2, 4 … capped at 1 hour, so retries fit well inside the grace window. */
export function shredRetryDelayMs(failures: number): number {
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, failures - 1));
}

function retryAfter(lastAt: string, failures: number, now: Date): ShredAction | undefined {
  const due = new Date(lastAt).getTime() + shredRetryDelayMs(failures);
  return due > now.getTime() ? { kind: 'wait', until: new Date(due).toISOString(), reason: 'retry' } : undefined;
}

export function nextShredAction(state: TenantState, now: Date): ShredAction {
  const s = state.shred;
  if (!s || s.status === 'cancelled' || s.status === 'verified') return { kind: 'none' };
  if (s.status === 'scheduled') {
    return now.getTime() < new Date(s.executeAt).getTime() ? { kind: 'wait', until: s.executeAt, reason: 'execute-at' } : { kind: 'start' };
  }
  const step: ShredStep = !s.keysDestroyedAt ? 'destroy-keys' : !s.assetsPurgedAt ? 'purge-assets' : 'probe';
  if (s.failures && s.failures.step === step) {
    const wait = retryAfter(s.failures.lastAt, s.failures.count, now);
    if (wait) return wait;
  }
  if (step !== 'probe') return { kind: step };
  // A vault with an unusable window reports when the key becomes unusable: a probe before then
  // proves nothing (the data is still readable by design), so the first probe waits for it.
  const unusableAt = s.destroyedKeyVersions.map((v) => v.unusableAt).sort().at(-1);
  if (unusableAt && new Date(unusableAt).getTime() > now.getTime()) return { kind: 'wait', until: unusableAt, reason: 'unusable' };
  // Probes that were inconclusive or found data readable are retried with the same backoff.
  const last = s.probes[s.probes.length - 1];
  if (last) {
    const wait = retryAfter(last.at, s.probes.length, now);
    if (wait) return wait;
  }
  return { kind: 'probe', attempt: s.probes.length + 1 };
}
