// Decisions of the tenant aggregate: onboarding and the shred lifecycle (ARCHITECTURE §2, §3).
// Deadlines are computed here, once, and stored in ShredScheduled with the calendar inputs used.
import { DomainError, type Decider } from '../shared/decider.js';
import type { WorkingDays } from '../shared/working-days.js';
import type { TenantCommand } from './tenant.commands.js';
import type { ProbeOutcome, ShredTrigger, TenantEvent } from './tenant.events.js';
import { decideCertificateIssued } from './certificate.decision.js';
import { evolveTenant, initialTenantState, triggerKey, type ShredState, type TenantState } from './tenant.state.js';

/** The deletion promise: key versions gone within this many working days (P4). */
export const DELETION_WORKING_DAYS = 5;

export interface TenantContext {
  readonly now: Date;
  readonly calendar: WorkingDays;
}

const iso = (d: Date) => d.toISOString();

function requireTenant(state: TenantState): void {
  if (!state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
}

function currentShred(state: TenantState, shredId: string): ShredState {
  const s = state.shred;
  if (!s || s.shredId !== shredId) throw new DomainError('shred-not-found', `no shred ${shredId} for this tenant`);
  return s;
}

export function shredIdOf(trigger: ShredTrigger): string {
  return triggerKey(trigger);
}

function decideSchedule(state: TenantState, trigger: ShredTrigger, effectiveAt: Date, receivedAt: Date, ctx: TenantContext): TenantEvent[] {
  requireTenant(state);
  // A replayed trigger, or a new one while a shred is pending or done, changes nothing.
  if (state.triggers.includes(triggerKey(trigger))) return [];
  if (state.shred && state.shred.status !== 'cancelled') return [];
  const calendar = {
    jurisdiction: state.jurisdiction!,
    timeZone: state.timeZone!,
    excludedHolidayTypes: state.excludedHolidayTypes,
  };
  const grace = state.shredGraceWorkingDays;
  const deadline = ctx.calendar.addWorkingDays(effectiveAt, DELETION_WORKING_DAYS, calendar);
  // Late: the notice itself arrived after the deadline. Execute at once and record why.
  const late = receivedAt.getTime() > deadline.getTime();
  const executeAt = late ? receivedAt : grace === 0 ? effectiveAt : ctx.calendar.addWorkingDays(effectiveAt, grace, calendar);
  const shredId = shredIdOf(trigger);
  const events: TenantEvent[] = [];
  if (trigger.kind === 'deletion-request') {
    events.push({
      type: 'DeletionRequested',
      data: { requestId: trigger.requestId, requestedAt: trigger.requestedAt ?? iso(effectiveAt), receivedAt: iso(receivedAt) },
    });
  }
  events.push({
    type: 'ShredScheduled',
    data: {
      shredId,
      trigger,
      effectiveAt: iso(effectiveAt),
      receivedAt: iso(receivedAt),
      deadline: iso(deadline),
      executeAt: iso(executeAt),
      deletionWorkingDays: DELETION_WORKING_DAYS,
      graceWorkingDays: grace,
      calendar,
    },
  });
  if (late) {
    events.push({ type: 'ShredDeadlineBreached', data: { shredId, cause: 'late-notification', deadline: iso(deadline), at: iso(receivedAt) } });
  }
  return events;
}

function probeOutcome(results: readonly { outcome: ProbeOutcome }[]): ProbeOutcome {
  if (results.some((r) => r.outcome === 'readable')) return 'readable';
  if (results.length > 0 && results.every((r) => r.outcome === 'key-destroyed')) return 'key-destroyed';
  return 'inconclusive';
}

export function decideTenant(command: TenantCommand, state: TenantState, ctx: TenantContext): TenantEvent[] {
  const now = iso(ctx.now);
  switch (command.type) {
    case 'OnboardTenant': {
      if (state.shredded) throw new DomainError('tenant-shredded', 'this tenant was shredded and can never be provisioned again');
      if (state.exists) throw new DomainError('tenant-exists', 'tenant already exists');
      const d = command.data;
      return [
        {
          type: 'TenantOnboarded',
          data: {
            tenantId: d.tenantId,
            jurisdiction: d.jurisdiction,
            timeZone: d.timeZone,
            excludedHolidayTypes: d.excludedHolidayTypes,
            keyCustody: d.keyCustody,
            backupKeyMode: d.backupKeyMode,
            databases: d.databases.map((db) => ({ databaseId: db.databaseId })),
            shredGraceWorkingDays: d.shredGraceWorkingDays,
            at: now,
          },
        },
        { type: 'TenantKeyCreated', data: { keyId: d.key.keyId, keyVersionId: d.key.keyVersionId, source: 'onboarding', at: now } },
        ...d.databases.map(
          (db): TenantEvent => ({ type: 'DatabaseProtected', data: { databaseId: db.databaseId, keyVersionId: d.key.keyVersionId, at: now } }),
        ),
      ];
    }
    case 'ScheduleShred':
      return decideSchedule(state, command.data.trigger, new Date(command.data.effectiveAt), new Date(command.data.receivedAt), ctx);
    case 'CancelShred': {
      requireTenant(state);
      const s = state.shred;
      if (!s || s.status === 'cancelled') throw new DomainError('no-shred-scheduled', 'no shred is scheduled for this tenant');
      if (s.status !== 'scheduled') throw new DomainError('shred-already-executed', 'the shred has already been executed and cannot be cancelled');
      return [{ type: 'ShredCancelled', data: { shredId: s.shredId, reason: command.data.reason, at: now } }];
    }
    case 'StartShredExecution': {
      const s = currentShred(state, command.data.shredId);
      if (s.status !== 'scheduled') return [];
      if (ctx.now.getTime() < new Date(s.executeAt).getTime()) throw new DomainError('shred-not-due', 'the shred is not due yet');
      return [{ type: 'ShredExecutionStarted', data: { shredId: s.shredId, at: now } }];
    }
    case 'RecordKeyDestroyed': {
      const s = currentShred(state, command.data.shredId);
      if (s.status === 'scheduled' || s.status === 'cancelled') throw new DomainError('shred-not-started', 'the shred has not started');
      if (s.keysDestroyedAt) return [];
      return [{ type: 'KeyDestroyed', data: { shredId: s.shredId, keyId: command.data.keyId, versions: command.data.versions, at: now } }];
    }
    case 'RecordAssetsPurged': {
      const s = currentShred(state, command.data.shredId);
      if (!s.keysDestroyedAt) throw new DomainError('keys-not-destroyed', 'assets are purged after the key is destroyed');
      if (s.assetsPurgedAt) return [];
      return [{ type: 'AssetsPurged', data: { shredId: s.shredId, assets: command.data.assets, at: now } }];
    }
    case 'RecordShredStepFailure': {
      const s = currentShred(state, command.data.shredId);
      if (s.status === 'verified' || s.status === 'cancelled') return [];
      const count = s.failures && s.failures.step === command.data.step ? s.failures.count + 1 : 1;
      return [{ type: 'ShredStepFailed', data: { shredId: s.shredId, step: command.data.step, failure: count, error: command.data.error, at: now } }];
    }
    case 'RecordProbe': {
      const s = currentShred(state, command.data.shredId);
      if (!s.assetsPurgedAt) throw new DomainError('shred-not-executed', 'a probe runs after the key is destroyed and assets are purged');
      if (s.status === 'verified') return [];
      const attempt = s.probes.length + 1;
      const outcome = probeOutcome(command.data.results);
      const events: TenantEvent[] = [
        { type: 'ShredProbeRecorded', data: { shredId: s.shredId, attempt, outcome, results: command.data.results, at: now } },
      ];
      if (outcome === 'key-destroyed') events.push({ type: 'ShredVerified', data: { shredId: s.shredId, attempt, at: now } });
      if (outcome === 'readable') {
        const readableDatabases = command.data.results.filter((r) => r.outcome === 'readable').map((r) => r.databaseId);
        events.push({ type: 'ShredVerificationFailed', data: { shredId: s.shredId, attempt, readableDatabases, at: now } });
      }
      return events;
    }
    case 'CheckShredDeadline': {
      const s = currentShred(state, command.data.shredId);
      if (s.status === 'verified' || s.status === 'cancelled') return [];
      if (ctx.now.getTime() <= new Date(s.deadline).getTime()) return [];
      // One breach per shred: a late notice has already recorded why the deadline was missed.
      if (s.breaches.length > 0) return [];
      return [{ type: 'ShredDeadlineBreached', data: { shredId: s.shredId, cause: 'not-verified-by-deadline', deadline: s.deadline, at: now } }];
    }
    case 'RecordCertificateIssued':
      return decideCertificateIssued(currentShred(state, command.data.shredId), command.data);
  }
}

export const tenantDecider: Decider<TenantCommand, TenantEvent, TenantState, TenantContext> = {
  initialState: initialTenantState,
  evolve: evolveTenant,
  decide: decideTenant,
};
