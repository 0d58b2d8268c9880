// Decisions of the tenant aggregate: onboarding and the shred lifecycle (ARCHITECTURE §2, §3).
// Deadlines are computed here, once, and stored in ShredScheduled with the calendar inputs used.
import { OutsideCalendarYearsError } from '@lethe/calendar';
import { DomainError, type Decider } from '../shared/decider.js';
import type { CalendarInputs, CalendarOverrideInput, CalendarRequest, WorkingDays } from '../shared/working-days.js';
import { sameJson } from '../shared/same-json.js';
import { DELETION_WORKING_DAYS } from '../promises.js';
import type { OnboardTenant, ScheduleShred, TenantCommand } from './tenant.commands.js';
import type { ProbeOutcome, TenantEvent, TenantProfile, TriggerDisposition } from './tenant.events.js';
import { decideCertificateIssued } from './certificate.decision.js';
import { deletionWindowRefusal, type VaultDeletionWindow } from './deletion-window.js';
import { evolveTenant, initialTenantState, triggerKey, type ShredState, type TenantState } from './tenant.state.js';


export interface TenantContext {
  readonly now: Date;
  readonly calendar: WorkingDays;
  /** Operator overrides in force for the tenant's jurisdiction at decision time (default none). */
  readonly calendarOverrides?: readonly CalendarOverrideInput[];
  /** The key vault's deletion windows, for onboarding (absent: not checked). */
  readonly vaultDeletion?: VaultDeletionWindow;
}

const iso = (d: Date) => d.toISOString();

/**
 * The deadline of `n` working days from `effectiveAt`; an effective instant the calendar does not cover
 * (years outside it, or a deadline running past them) is the caller's error, naming the field.
 */
function deadlineFrom(ctx: TenantContext, effectiveAt: Date, n: number, request: CalendarRequest) {
  try {
    return ctx.calendar.deadlineOf(effectiveAt, n, request);
  } catch (error) {
    if (!(error instanceof OutsideCalendarYearsError)) throw error;
    throw new DomainError(
      'instant-outside-calendar',
      `must be an instant the working-day calendar covers (years ${error.minYear} to ${error.maxYear}, with room for ${n} working days)`,
      'effectiveAt',
    );
  }
}

function requireTenant(state: TenantState): void {
  if (!state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
}

function currentShred(state: TenantState, shredId: string): ShredState {
  const s = state.shred;
  if (!s || s.shredId !== shredId) throw new DomainError('shred-not-found', `no shred ${shredId} for this tenant`);
  return s;
}

/**
 * Whether a cancel already withdrew this trigger (P4: a cancel withdraws every trigger received before
 * it). Only a trigger read from the contract stream can be decided after a cancel that followed it:
 * it is withdrawn when it was stored there before the cancel was decided, or says it was received
 * before the cancel. A trigger decided when received is ordered by the tenant stream itself.
 */
function withdrawnByCancel(state: TenantState, contractRevision: number | undefined, receivedAt: Date): boolean {
  const cancel = state.lastCancel;
  if (contractRevision === undefined || !cancel) return false;
  if (cancel.contractRevision !== null && contractRevision <= cancel.contractRevision) return true;
  return receivedAt.getTime() < new Date(cancel.at).getTime();
}

interface PlannedShred {
  readonly deadline: Date;
  readonly executeAt: Date;
  readonly calendar: CalendarInputs;
  /** The notice itself arrived after its deadline: execute at once and record why. */
  readonly late: boolean;
}

/** The deadline and execution time a trigger is owed on its own (P4, ARCHITECTURE §2), with the calendar inputs used. */
function plannedShred(state: TenantState, effectiveAt: Date, receivedAt: Date, ctx: TenantContext): PlannedShred {
  const request: CalendarRequest = {
    jurisdiction: state.jurisdiction!,
    timeZone: state.timeZone!,
    excludedHolidayTypes: state.excludedHolidayTypes,
    partialHolidays: state.partialHolidays,
    overrides: ctx.calendarOverrides ?? [],
  };
  const grace = state.shredGraceWorkingDays;
  const decided = deadlineFrom(ctx, effectiveAt, DELETION_WORKING_DAYS, request);
  const deadline = decided.deadline;
  // The grace days are among the deadline's days, so the deadline's weekends and overrides cover them.
  const calendar: CalendarInputs = {
    jurisdiction: request.jurisdiction,
    timeZone: request.timeZone,
    excludedHolidayTypes: request.excludedHolidayTypes,
    weekends: decided.weekends,
    partialHolidays: request.partialHolidays,
    overrideIds: decided.overrideIds,
  };
  const late = receivedAt.getTime() > deadline.getTime();
  const executeAt = late ? receivedAt : grace === 0 ? effectiveAt : deadlineFrom(ctx, effectiveAt, grace, request).deadline;
  return { deadline, executeAt, calendar, late };
}

/**
 * A trigger while a shred is scheduled joins it (a cancel of the shred withdraws it too), and is still
 * owed its own deadline (P4): when that, or its execution time, is earlier than the shred's, the shred
 * moves earlier (the earliest wins for each); a late notice executes at once and records its breach.
 * A trigger that changes neither is only recorded.
 */
function decideJoin(s: ShredState, command: ScheduleShred['data'], own: PlannedShred, ctx: TenantContext): TenantEvent[] {
  const deadline = Math.min(own.deadline.getTime(), new Date(s.deadline).getTime());
  const executeAt = Math.min(own.executeAt.getTime(), new Date(s.executeAt).getTime());
  const effectiveAt = iso(new Date(command.effectiveAt));
  const receivedAt = iso(new Date(command.receivedAt));
  if (deadline === new Date(s.deadline).getTime() && executeAt === new Date(s.executeAt).getTime()) {
    return [
      {
        type: 'ShredTriggerRecorded',
        data: { trigger: command.trigger, effectiveAt, receivedAt, disposition: 'already-scheduled', shredId: s.shredId, at: iso(ctx.now) },
      },
    ];
  }
  const events: TenantEvent[] = [
    {
      type: 'ShredAdvanced',
      data: {
        shredId: s.shredId,
        trigger: command.trigger,
        effectiveAt,
        receivedAt,
        deadline: iso(new Date(deadline)),
        executeAt: iso(new Date(executeAt)),
        previousDeadline: s.deadline,
        previousExecuteAt: s.executeAt,
        // The inputs of the deadline now binding: the new trigger's when it moved the deadline.
        calendar: deadline < new Date(s.deadline).getTime() ? own.calendar : s.calendar,
        at: iso(ctx.now),
      },
    },
  ];
  // One breach per shred (as CheckShredDeadline): a late notice records why it cannot be met.
  if (own.late && s.breaches.length === 0) {
    events.push({ type: 'ShredDeadlineBreached', data: { shredId: s.shredId, cause: 'late-notification', deadline: iso(own.deadline), at: receivedAt } });
  }
  return events;
}

function decideSchedule(state: TenantState, command: ScheduleShred['data'], ctx: TenantContext): TenantEvent[] {
  requireTenant(state);
  const { trigger, contractRevision } = command;
  const effectiveAt = new Date(command.effectiveAt);
  const receivedAt = new Date(command.receivedAt);
  // A replayed trigger changes nothing, whatever happened since.
  if (state.triggers.includes(triggerKey(trigger))) return [];
  const recorded = (disposition: TriggerDisposition, shredId: string | null): TenantEvent[] => [
    {
      type: 'ShredTriggerRecorded',
      data: { trigger, effectiveAt: iso(effectiveAt), receivedAt: iso(receivedAt), disposition, shredId, at: iso(ctx.now) },
    },
  ];
  if (withdrawnByCancel(state, contractRevision, receivedAt)) return recorded('withdrawn', null);
  const s = state.shred;
  // A trigger while a shred is executing or done joins it: a cancel of that shred withdraws it too.
  if (s && s.status !== 'cancelled' && s.status !== 'scheduled') return recorded(s.status === 'shredding' ? 'already-scheduled' : 'already-shredded', s.shredId);
  const { deadline, executeAt, calendar, late } = plannedShred(state, effectiveAt, receivedAt, ctx);
  if (s && s.status === 'scheduled') return decideJoin(s, command, { deadline, executeAt, calendar, late }, ctx);
  const shredId = triggerKey(trigger);
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
      graceWorkingDays: state.shredGraceWorkingDays,
      calendar,
    },
  });
  if (late) {
    events.push({ type: 'ShredDeadlineBreached', data: { shredId, cause: 'late-notification', deadline: iso(deadline), at: iso(receivedAt) } });
  }
  return events;
}

/**
 * The probe's verdict (P5): readable anywhere is a failure; verified only when every database the key
 * ring knows was probed and found key-destroyed; anything else (a timeout, a database not probed) is
 * inconclusive.
 */
function probeOutcome(results: readonly { databaseId: string; outcome: ProbeOutcome }[], databases: readonly string[]): ProbeOutcome {
  if (results.some((r) => r.outcome === 'readable')) return 'readable';
  const destroyed = new Set(results.filter((r) => r.outcome === 'key-destroyed').map((r) => r.databaseId));
  if (databases.length > 0 && databases.every((db) => destroyed.has(db))) return 'key-destroyed';
  return 'inconclusive';
}

/** The onboarding request as stored (also what a repeated request is compared with). */
function profileOf(d: OnboardTenant['data']): TenantProfile {
  return {
    tenantId: d.tenantId,
    jurisdiction: d.jurisdiction,
    timeZone: d.timeZone,
    excludedHolidayTypes: d.excludedHolidayTypes,
    partialHolidays: d.partialHolidays ?? 'working',
    keyCustody: d.keyCustody,
    backupKeyMode: d.backupKeyMode,
    databases: d.databases.map((db) => ({ databaseId: db.databaseId })),
    shredGraceWorkingDays: d.shredGraceWorkingDays,
    rotationPeriodDays: d.rotationPeriodDays,
    pitrRetentionDays: d.pitrRetentionDays,
  };
}

export function decideTenant(command: TenantCommand, state: TenantState, ctx: TenantContext): TenantEvent[] {
  const now = iso(ctx.now);
  switch (command.type) {
    case 'OnboardTenant': {
      if (state.shredded) throw new DomainError('tenant-shredded', 'this tenant was shredded and can never be provisioned again');
      const profile = profileOf(command.data);
      // The same request again (a retry, or a racing duplicate) gets the same answer; another body loses.
      if (state.exists) {
        if (state.profile && sameJson(state.profile, profile)) return [];
        throw new DomainError('tenant-exists', 'tenant already exists');
      }
      // P4 is promised at onboarding: a vault too slow to make the key unusable in time refuses the tenant.
      const refusal = ctx.vaultDeletion && deletionWindowRefusal(ctx.vaultDeletion, profile.shredGraceWorkingDays);
      if (refusal) throw refusal;
      return [{ type: 'TenantOnboarded', data: { ...profile, at: now } }];
    }
    case 'ScheduleShred':
      return decideSchedule(state, command.data, ctx);
    case 'CancelShred': {
      requireTenant(state);
      const s = state.shred;
      if (!s || s.status === 'cancelled') throw new DomainError('no-shred-scheduled', 'no shred is scheduled for this tenant');
      if (s.status !== 'scheduled') throw new DomainError('shred-already-executed', 'the shred has already been executed and cannot be cancelled');
      return [
        { type: 'ShredCancelled', data: { shredId: s.shredId, reason: command.data.reason, withdrawsContractRevision: command.data.contractRevision, at: now } },
      ];
    }
    case 'ExecuteShredNow': {
      requireTenant(state);
      const s = state.shred;
      if (!s || s.status === 'cancelled') throw new DomainError('no-shred-scheduled', 'no shred is scheduled for this tenant');
      if (s.status !== 'scheduled') throw new DomainError('shred-already-executed', 'the shred has already been executed');
      // Already due: its timer fires (or fired) anyway.
      if (new Date(s.executeAt).getTime() <= ctx.now.getTime()) return [];
      return [{ type: 'ShredExecutionForced', data: { shredId: s.shredId, executeAt: now, previousExecuteAt: s.executeAt, grantId: command.data.grantId, at: now } }];
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
    case 'RecordKeyMaterialPurged': {
      const s = currentShred(state, command.data.shredId);
      if (!s.keysDestroyedAt) throw new DomainError('keys-not-destroyed', 'key material is purged after the key is destroyed');
      if (s.keyMaterialPurgedAt) return [];
      const reported = new Map(command.data.versions.map((v) => [v.keyVersionId, v.purgedAt]));
      // Recorded once the vault reports every destroyed version purged; until then nothing changes.
      const versions = s.destroyedKeyVersions.map((v) => ({ keyVersionId: v.keyVersionId, purgedAt: v.purgedAt ?? reported.get(v.keyVersionId) ?? null }));
      if (versions.some((v) => v.purgedAt === null)) return [];
      return [
        {
          type: 'KeyMaterialPurged',
          data: {
            shredId: s.shredId,
            keyId: s.destroyedKeyId ?? '',
            versions: versions.map((v) => ({ keyVersionId: v.keyVersionId, purgedAt: v.purgedAt! })),
            at: now,
          },
        },
      ];
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
      const outcome = probeOutcome(command.data.results, command.data.databases);
      const events: TenantEvent[] = [
        { type: 'ShredProbeRecorded', data: { shredId: s.shredId, attempt, outcome, results: command.data.results, at: now } },
      ];
      if (outcome === 'key-destroyed') {
        // Verified after the deadline (the engine was down, or the deadline timer had not fired yet):
        // P4 was broken, whichever timer fires first. Recorded before ShredVerified, so the
        // certificate built from the events up to it names the breach.
        if (ctx.now.getTime() > new Date(s.deadline).getTime() && s.breaches.length === 0) {
          events.push({ type: 'ShredDeadlineBreached', data: { shredId: s.shredId, cause: 'not-verified-by-deadline', deadline: s.deadline, at: now } });
        }
        events.push({ type: 'ShredVerified', data: { shredId: s.shredId, attempt, at: now } });
      }
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
