// The compliance watch: turns each judgement of a tenant's key ring (complianceOf) into the
// violations that opened and closed since the last one. Judging the same result twice appends
// nothing; a shredded ring (no promise but P4 applies) closes everything open.
import type { Compliance, P1Violation, P2Violation, P3Violation } from '../compliance.js';
import type { Decider } from '../shared/decider.js';
import type { ComplianceWatchCommand } from './compliance-watch.commands.js';
import type { ComplianceWatchEvent, ViolationDetail, WatchedPromise } from './compliance-watch.events.js';
import { evolveComplianceWatch, initialComplianceWatchState, type ComplianceWatchState } from './compliance-watch.state.js';

/** A violation as the watch identifies it. */
export interface JudgedViolation {
  readonly promise: WatchedPromise;
  readonly violationId: string;
  readonly detail: ViolationDetail;
}

/**
 * The stable id of each kind of violation complianceOf finds: the `violationId` of the watch's
 * ComplianceViolationOpened/-Closed (and their integration events) and of GET /v1/compliance's items,
 * so a report's violation can be matched to its events.
 */
export const violationIdOf = {
  P1: (v: P1Violation): string => `P1:${v.tenantId}:${v.newestKeyVersionId}`,
  P2: (v: P2Violation): string => `P2:${v.tenantId}:${v.keyVersionId}`,
  P3: (v: P3Violation): string => `P3:${v.problem}:${v.tenantId}:${v.problem === 'kept-after-retain-until' ? v.keyVersionId : v.backupId}`,
} as const;

/** Each violation complianceOf found, with its stable id (see ComplianceViolationOpened). */
export function violationsOf(compliance: Compliance): JudgedViolation[] {
  return [
    ...compliance.P1.map((v): JudgedViolation => ({
      promise: 'P1',
      violationId: violationIdOf.P1(v),
      detail: { problem: 'key-version-too-old', keyCustody: v.keyCustody, keyVersionId: v.newestKeyVersionId, createdAt: v.newestCreatedAt, limitDays: v.limitDays },
    })),
    ...compliance.P2.map((v): JudgedViolation => ({
      promise: 'P2',
      violationId: violationIdOf.P2(v),
      detail: { problem: 'databases-not-reprotected', keyVersionId: v.keyVersionId, databaseIds: v.databases.map((d) => d.databaseId) },
    })),
    ...compliance.P3.map((v): JudgedViolation =>
      v.problem === 'kept-after-retain-until'
        ? { promise: 'P3', violationId: violationIdOf.P3(v), detail: { problem: v.problem, keyVersionId: v.keyVersionId, retainUntil: v.retainUntil } }
        : {
            promise: 'P3',
            violationId: violationIdOf.P3(v),
            detail: { problem: v.problem, backupId: v.backupId, keyVersionIds: [...v.keyVersionIds], expiresAt: v.expiresAt },
          },
    ),
  ];
}

export function decideComplianceWatch(command: ComplianceWatchCommand, state: ComplianceWatchState): ComplianceWatchEvent[] {
  const { tenantId, compliance, at } = command.data;
  const found = violationsOf(compliance);
  const seen = new Set(found.map((v) => v.violationId));
  const closed = Object.entries(state.open)
    .filter(([violationId]) => !seen.has(violationId))
    .map(([violationId, open]): ComplianceWatchEvent => ({ type: 'ComplianceViolationClosed', data: { tenantId, promise: open.promise, violationId, openedAt: open.openedAt, at } }));
  const opened = found
    .filter((v) => !Object.hasOwn(state.open, v.violationId))
    .map((v): ComplianceWatchEvent => ({ type: 'ComplianceViolationOpened', data: { tenantId, promise: v.promise, violationId: v.violationId, detail: v.detail, at } }));
  return [...closed, ...opened];
}

export const complianceWatchDecider: Decider<ComplianceWatchCommand, ComplianceWatchEvent, ComplianceWatchState, unknown> = {
  initialState: initialComplianceWatchState,
  evolve: evolveComplianceWatch,
  decide: (command, state) => decideComplianceWatch(command, state),
};
