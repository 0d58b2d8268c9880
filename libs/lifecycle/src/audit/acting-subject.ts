// Who caused what is being written: the subject of the API call being served (a person of the
// OIDC issuer, or the named machine of a static token). The HTTP layer runs each call's handler
// inside `actAs`; every event appended while it runs records the subject in its metadata
// (`subject`), so the audit trail can say who did what without each command carrying it. Work a
// processor or a timer does has no subject: its cause is an event or a timer.
import { AsyncLocalStorage } from 'node:async_hooks';

const acting = new AsyncLocalStorage<string>();

/** Runs `work` (and everything it awaits) as `subject`. */
export function actAs<T>(subject: string, work: () => T): T {
  return acting.run(subject, work);
}

/** The subject of the call being served; undefined outside one. */
export function actingSubject(): string | undefined {
  return acting.getStore();
}

/** The metadata field that names the subject of an event's cause. */
export const SUBJECT_METADATA = 'subject';

/** The subject an event's metadata records; null when none (a timer, a processor, an event older than identities). */
export function subjectOf(metadata: Readonly<Record<string, unknown>>): string | null {
  const value = metadata[SUBJECT_METADATA];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The metadata fields naming the acting subject, to spread into an event's metadata: none outside a call. */
export function subjectMetadata(): { readonly subject?: string } {
  const subject = acting.getStore();
  return subject === undefined ? {} : { [SUBJECT_METADATA]: subject };
}

/**
 * `work` run outside any call: what a timer or a processor does. Either can start inside a call's
 * async context (a call that moves the manual clock or appends wakes this process's timers and
 * subscriptions at once), yet nobody caused it but the timer or the event it follows.
 */
export function unattended<A extends unknown[], R>(work: (...args: A) => R): (...args: A) => R {
  return (...args: A) => acting.exit(() => work(...args));
}
