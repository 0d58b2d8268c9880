// What a tenant's compliance watch remembers: the violations open now, by violation id.
import type { ComplianceWatchEvent, WatchedPromise } from './compliance-watch.events.js';

export interface OpenViolation {
  readonly promise: WatchedPromise;
  readonly openedAt: string;
}

export interface ComplianceWatchState {
  readonly open: Readonly<Record<string, OpenViolation>>;
}

/** The version of ComplianceWatchState's shape and of evolveComplianceWatch: raise it with either (snapshots). */
export const COMPLIANCE_WATCH_STATE_VERSION = 1;

export const initialComplianceWatchState: ComplianceWatchState = { open: {} };

export function evolveComplianceWatch(state: ComplianceWatchState, event: ComplianceWatchEvent): ComplianceWatchState {
  if (event.type === 'ComplianceViolationOpened') {
    return { open: { ...state.open, [event.data.violationId]: { promise: event.data.promise, openedAt: event.data.at } } };
  }
  const { [event.data.violationId]: _closed, ...rest } = state.open;
  return { open: rest };
}
