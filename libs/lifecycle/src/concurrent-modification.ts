// What a command answers when other writers kept changing its aggregate: every retry found a newer
// revision. The caller may simply try again; nothing of this command was stored.

export class ConcurrentModificationError extends Error {
  readonly code = 'concurrent-modification';

  constructor(
    readonly streamId: string,
    readonly attempts: number,
    /** Seconds after which a retry is likely to succeed (the HTTP layer sends it as Retry-After). */
    readonly retryAfterSeconds: number,
  ) {
    super(`stream ${streamId} kept changing under this command (${attempts} attempts); try again`);
    this.name = 'ConcurrentModificationError';
  }
}

/** Attempts a command makes against a stream that others keep writing, before answering a conflict. */
export const MAX_COMMAND_ATTEMPTS = 12;

/**
 * Full-jitter backoff before retry `attempt` (1-based): a random delay in [0, min(cap, base·2^attempt)) ms.
 * Random, so writers that collided once do not collide again in lockstep (AWS "Exponential Backoff
 * And Jitter"). `random` is injectable for tests.
 */
export function conflictBackoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(250, 4 * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
