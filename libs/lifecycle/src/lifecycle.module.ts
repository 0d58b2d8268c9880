// The tenant lifecycle as a Nest module: the ports come in as values (LifecycleModule.forRoot), each
// use case is a command or query handler on @nestjs/cqrs's buses, and what must survive a restart
// (processors following the log, durable timers' handlers) is handed back to the engine under
// LIFECYCLE_PROCESSORS and LIFECYCLE_DEADLINE_HANDLERS for its ProcessorHost and DeadlineTicker.
// Nothing here uses the in-memory EventBus or RxJS sagas: events drive work only through processors.
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type pg from 'pg';
import { HolidayCache } from '@lethe/calendar';
import { CLOCK, type Clock } from '@lethe/clock';
import { EVENT_STORE, type EventStore } from '@lethe/eventstore';
import type { Processor } from '@lethe/processors';
import { BreakGlassProjection, KeyRingsProjection, RejectedEventsProjection, TenantsProjection } from '@lethe/readmodel';
import type { DeadlineHandler, DeadlineHandlers, PostgresDeadlineStore } from '@lethe/scheduler';
import type { KeyVault, SigningKeyring } from '@lethe/vault';
import type { SnapshotOptions } from './aggregate-repository.js';
import { CalendarRepository } from './calendars/calendar-repository.js';
import { overrideInputsInForce } from './calendars/calendar-overrides.js';
import { CalendarDaysHandler } from './calendars/calendar-days/calendar-days.handler.js';
import { DeadlinePreviewHandler } from './calendars/deadline-preview/deadline-preview.handler.js';
import { DeclareOverrideHandler } from './calendars/declare-override/declare-override.handler.js';
import { WithdrawOverrideHandler } from './calendars/withdraw-override/withdraw-override.handler.js';
import { CertificateIssuer } from './certificate/certificate-issuer.js';
import { PostgresCertificateStore } from './certificate/certificate-store.js';
import { GetCertificateHandler } from './certificate/get-certificate/get-certificate.handler.js';
import { CurrentSigningKeyHandler, SigningKeysHandler } from './certificate/signing-keys/signing-keys.handler.js';
import { CountFleetHandler } from './fleet/count-fleet/count-fleet.handler.js';
import { CountComplianceHandler } from './compliance/count-compliance/count-compliance.handler.js';
import { GetComplianceHandler } from './compliance/get-compliance/get-compliance.handler.js';
import { ComplianceCheckHandler } from './compliance/watch/compliance-check.handler.js';
import { ComplianceJudge } from './compliance/watch/compliance-judge.js';
import { COMPLIANCE_CHECK } from './compliance/watch/compliance-timers.js';
import { ComplianceWatchProcessor } from './compliance/watch/compliance-watch.processor.js';
import { ComplianceWatchRepository } from './compliance/watch/compliance-watch-repository.js';
import { noCrash, type CrashHook } from './crash-points.js';
import { AddDatabaseHandler } from './keys/add-database/add-database.handler.js';
import { ChangeBackupRetentionHandler } from './keys/change-backup-retention/change-backup-retention.handler.js';
import { ChangeKeyRingPolicyHandler } from './keys/change-key-ring-policy/change-key-ring-policy.handler.js';
import { DeleteBackupHandler } from './keys/delete-backup/delete-backup.handler.js';
import { GetKeysHandler } from './keys/get-keys/get-keys.handler.js';
import { GetKeyTimelineHandler } from './keys/key-timeline/key-timeline.handler.js';
import { KeyDetection, KEY_DETECTION } from './keys/key-detection.js';
import { KeyRingOpener } from './keys/key-ring-opener.js';
import { KeyRingRepository, type KeyRingSettings } from './keys/key-ring-repository.js';
import { KeyRingHandlers } from './keys/key-ring.handlers.js';
import { KeyRingSaga } from './keys/key-ring.saga.js';
import { KEY_DESTROY, KEY_REPROTECT, KEY_REPROTECT_OVERDUE, KEY_RETIRE, KEY_RING_OPEN, KEY_ROTATION } from './keys/key-timers.js';
import { ListBackupsHandler } from './keys/list-backups/list-backups.handler.js';
import { ListStagingAssetsHandler } from './keys/list-staging-assets/list-staging-assets.handler.js';
import { RecordBackupHandler } from './keys/record-backup/record-backup.handler.js';
import { RegisterStagingAssetHandler } from './keys/register-staging-asset/register-staging-asset.handler.js';
import { RestoreCheckHandler } from './keys/restore-check/restore-check.handler.js';
import { RotateKeyHandler } from './keys/rotate-key/rotate-key.handler.js';
import { EnableKeyVersionHandler } from './keys/enable-key-version/enable-key-version.handler.js';
import type { LifecycleDataPlane, LifecycleLogger, LifecyclePorts } from './lifecycle-ports.js';
import {
  CRASH_HOOK,
  DATA_PLANE,
  DEADLINES,
  KEY_DETECTION_INTERVAL_MS,
  KEY_RING_SETTINGS,
  LIFECYCLE_DEADLINE_HANDLERS,
  LIFECYCLE_LOGGER,
  LIFECYCLE_POOL,
  LIFECYCLE_PROCESSORS,
  READ_PROBE,
  SABOTAGE,
  SIGNING_KEYRING,
  SIGNING_KEYS,
  VAULT,
  SNAPSHOTS,
} from './lifecycle.tokens.js';
import { GetTenantEventsHandler } from './audit/tenant-events/tenant-events.handler.js';
import { unattended } from './audit/acting-subject.js';
import { BreakGlassRepository, DEFAULT_BREAK_GLASS_APPROVALS } from './break-glass/break-glass-repository.js';
import { BreakGlassSaga } from './break-glass/break-glass.saga.js';
import { BreakGlassExpiryHandler } from './break-glass/break-glass-expiry.handler.js';
import { BREAK_GLASS_EXPIRY } from './break-glass/break-glass-timers.js';
import { RequestGrantHandler } from './break-glass/request-grant/request-grant.handler.js';
import { ApproveGrantHandler } from './break-glass/approve-grant/approve-grant.handler.js';
import { RevokeGrantHandler } from './break-glass/revoke-grant/revoke-grant.handler.js';
import { GetGrantHandler } from './break-glass/get-grant/get-grant.handler.js';
import { GetGrantUsesHandler } from './break-glass/grant-uses/grant-uses.handler.js';
import { ListGrantsHandler } from './break-glass/list-grants/list-grants.handler.js';
import { UseGrantHandler } from './break-glass/use-grant/use-grant.handler.js';
import { PrivilegedUse } from './break-glass/privileged-use.js';
import { ReadSentinelHandler } from './tenants/read-sentinel/read-sentinel.handler.js';
import { ExecuteShredNowHandler } from './tenants/execute-shred-now/execute-shred-now.handler.js';

import { GetScheduleHandler } from './schedule/get-schedule/get-schedule.handler.js';
import type { TimerKind } from './schedule/timer-kinds.js';
import { vaultDeletionWindow } from './tenants/vault-deletion-window.js';
import { ListRejectedEventsHandler } from './rejected-events/list-rejected-events/list-rejected-events.handler.js';
import { ShredDeadlineHandler } from './shred/shred-deadline.handler.js';
import { KEY_PURGE_CHECK, SHRED_DEADLINE, SHRED_STEP } from './shred/shred-deadlines.js';
import { KeyPurgeCheckHandler } from './shred/key-purge-check.handler.js';
import type { ShredProbe } from './shred/shred-ports.js';
import { ShredStepHandler } from './shred/shred-step.handler.js';
import { ShredSaga } from './shred/shred.saga.js';
import { noHolidays, retirementLeadMs, type Sabotage } from './sabotage.js';
import { PostgresSnapshotStore } from './snapshots/snapshot-store.js';
import { CancelShredHandler } from './tenants/cancel-shred/cancel-shred.handler.js';
import { GetTenantHandler } from './tenants/get-tenant/get-tenant.handler.js';
import { ListShredsHandler } from './tenants/list-shreds/list-shreds.handler.js';
import { ListTenantsHandler } from './tenants/list-tenants/list-tenants.handler.js';
import { OnboardTenantHandler } from './tenants/onboard-tenant/onboard-tenant.handler.js';
import { RequestDeletionHandler } from './tenants/request-deletion/request-deletion.handler.js';
import { TenantRepository } from './tenants/tenant-repository.js';
import { TerminateContractHandler } from './tenants/terminate-contract/terminate-contract.handler.js';
import { CalendarWorkingDays } from './tenants/working-days.adapter.js';

/** Every command and query handler: one per use case. */
export const LIFECYCLE_HANDLERS = [
  OnboardTenantHandler,
  TerminateContractHandler,
  RequestDeletionHandler,
  CancelShredHandler,
  GetTenantHandler,
  ListTenantsHandler,
  ListShredsHandler,
  RotateKeyHandler,
  EnableKeyVersionHandler,
  ChangeKeyRingPolicyHandler,
  AddDatabaseHandler,
  RecordBackupHandler,
  ChangeBackupRetentionHandler,
  DeleteBackupHandler,
  RestoreCheckHandler,
  RegisterStagingAssetHandler,
  ListStagingAssetsHandler,
  GetKeysHandler,
  ListBackupsHandler,
  GetComplianceHandler,
  CountComplianceHandler,
  CountFleetHandler,
  DeclareOverrideHandler,
  WithdrawOverrideHandler,
  CalendarDaysHandler,
  DeadlinePreviewHandler,
  GetCertificateHandler,
  SigningKeysHandler,
  CurrentSigningKeyHandler,
  ListRejectedEventsHandler,
  GetTenantEventsHandler,
  GetScheduleHandler,
  GetKeyTimelineHandler,
  RequestGrantHandler,
  ApproveGrantHandler,
  RevokeGrantHandler,
  GetGrantHandler,
  GetGrantUsesHandler,
  ListGrantsHandler,
  UseGrantHandler,
  ReadSentinelHandler,
  ExecuteShredNowHandler,
];

function portProviders(ports: LifecyclePorts): Provider[] {
  return [
    { provide: EVENT_STORE, useValue: ports.store },
    { provide: CLOCK, useValue: ports.clock },
    { provide: DEADLINES, useValue: ports.deadlines },
    { provide: VAULT, useValue: ports.vault },
    { provide: DATA_PLANE, useValue: ports.dataPlane },
    { provide: READ_PROBE, useValue: ports.probe },
    { provide: LIFECYCLE_POOL, useValue: ports.pool },
    { provide: SIGNING_KEYRING, useValue: ports.signing },
    { provide: SIGNING_KEYS, useValue: ports.signingKeys },
    { provide: LIFECYCLE_LOGGER, useValue: ports.logger },
    { provide: CRASH_HOOK, useValue: ports.crash ?? noCrash },
    { provide: SABOTAGE, useValue: ports.sabotage ?? null },
    { provide: KEY_DETECTION_INTERVAL_MS, useValue: ports.keyDetectionIntervalMs },
    {
      provide: KEY_RING_SETTINGS,
      useValue: { maxBackupRetentionDays: ports.maxBackupRetentionDays, retiredKeyGraceDays: ports.retiredKeyGraceDays } satisfies KeyRingSettings,
    },
    {
      provide: BreakGlassRepository,
      useFactory: (snapshots: SnapshotOptions) => new BreakGlassRepository(ports.store, ports.clock, ports.breakGlassApprovals ?? DEFAULT_BREAK_GLASS_APPROVALS, snapshots),
      inject: [SNAPSHOTS],
    },
  ];
}

/** The aggregates' repositories and the collaborators that processors, timers and handlers share. */
const sharedProviders: Provider[] = [
  {
    provide: CalendarWorkingDays,
    useFactory: (sabotage: Sabotage | null) =>
      new CalendarWorkingDays(sabotage === 'holiday-as-working-day' ? new HolidayCache(noHolidays) : undefined),
    inject: [SABOTAGE],
  },
  {
    // Aggregate snapshots (lethe_snapshots): a load costs the same at any stream length.
    provide: SNAPSHOTS,
    useFactory: (pool: pg.Pool, logger: LifecycleLogger): SnapshotOptions => ({ store: new PostgresSnapshotStore(pool), logger }),
    inject: [LIFECYCLE_POOL, LIFECYCLE_LOGGER],
  },
  {
    provide: CalendarRepository,
    useFactory: (store: EventStore, clock: Clock, snapshots: SnapshotOptions) => new CalendarRepository(store, clock, snapshots),
    inject: [EVENT_STORE, CLOCK, SNAPSHOTS],
  },
  {
    provide: TenantRepository,
    useFactory: (store: EventStore, clock: Clock, workingDays: CalendarWorkingDays, calendars: CalendarRepository, snapshots: SnapshotOptions, vault: KeyVault) =>
      new TenantRepository(store, clock, workingDays, (jurisdiction) => overrideInputsInForce(calendars, jurisdiction), snapshots, vaultDeletionWindow(vault)),
    inject: [EVENT_STORE, CLOCK, CalendarWorkingDays, CalendarRepository, SNAPSHOTS, VAULT],
  },
  {
    provide: KeyRingRepository,
    useFactory: (store: EventStore, clock: Clock, snapshots: SnapshotOptions, settings: KeyRingSettings) => new KeyRingRepository(store, clock, snapshots, settings),
    inject: [EVENT_STORE, CLOCK, SNAPSHOTS, KEY_RING_SETTINGS],
  },
  // The grant check of privileged operations, for routes (the API's PrivilegedAccess) and use cases alike.
  PrivilegedUse,
  {
    provide: ComplianceJudge,
    useFactory: (store: EventStore, clock: Clock, snapshots: SnapshotOptions, keyRings: KeyRingRepository) =>
      new ComplianceJudge(keyRings, new ComplianceWatchRepository(store, clock, snapshots), clock),
    inject: [EVENT_STORE, CLOCK, SNAPSHOTS, KeyRingRepository],
  },
  { provide: PostgresCertificateStore, useFactory: (pool: pg.Pool) => new PostgresCertificateStore(pool), inject: [LIFECYCLE_POOL] },
  {
    provide: KeyRingOpener,
    useFactory: (tenants: TenantRepository, keyRings: KeyRingRepository, vault: KeyVault, dataPlane: LifecycleDataPlane, crash: CrashHook) =>
      new KeyRingOpener(tenants, keyRings, vault, dataPlane, crash),
    inject: [TenantRepository, KeyRingRepository, VAULT, DATA_PLANE, CRASH_HOOK],
  },
  {
    provide: KeyDetection,
    useFactory: (keyRings: KeyRingRepository, vault: KeyVault, deadlines: PostgresDeadlineStore, pool: pg.Pool, clock: Clock, intervalMs: number, logger: LifecycleLogger) =>
      new KeyDetection(keyRings, vault, deadlines, pool, clock, intervalMs, logger),
    inject: [KeyRingRepository, VAULT, DEADLINES, LIFECYCLE_POOL, CLOCK, KEY_DETECTION_INTERVAL_MS, LIFECYCLE_LOGGER],
  },
];

/** A processor whose work names no subject, even when a call's append woke it (acting-subject.ts). */
function unattendedProcessor(processor: Processor): Processor {
  const batch = processor.handleBatch;
  return {
    name: processor.name,
    interests: processor.interests,
    handle: unattended((event, tx) => processor.handle(event, tx)),
    ...(batch ? { handleBatch: unattended((events, tx) => batch.call(processor, events, tx)) } : {}),
  };
}

const processorsProvider: Provider = {
  provide: LIFECYCLE_PROCESSORS,
  useFactory: (
    store: EventStore,
    clock: Clock,
    deadlines: PostgresDeadlineStore,
    tenants: TenantRepository,
    keyRings: KeyRingRepository,
    certificates: PostgresCertificateStore,
    signing: SigningKeyring,
    logger: LifecycleLogger,
    detection: KeyDetection,
    sabotage: Sabotage | null,
    judge: ComplianceJudge,
  ): readonly Processor[] =>
    [
      new TenantsProjection(),
      new KeyRingsProjection(),
      new RejectedEventsProjection(),
      new BreakGlassProjection(),
      new ShredSaga(tenants, deadlines, store, clock),
      new KeyRingSaga(keyRings, deadlines, detection, clock, retirementLeadMs(sabotage)),
      new CertificateIssuer(store, tenants, certificates, signing, clock, logger),
      new BreakGlassSaga(deadlines),
      new ComplianceWatchProcessor(judge, deadlines),
    ].map(unattendedProcessor),
  inject: [EVENT_STORE, CLOCK, DEADLINES, TenantRepository, KeyRingRepository, PostgresCertificateStore, SIGNING_KEYRING, LIFECYCLE_LOGGER, KeyDetection, SABOTAGE, ComplianceJudge],
};

const deadlineHandlersProvider: Provider = {
  provide: LIFECYCLE_DEADLINE_HANDLERS,
  useFactory: (
    tenants: TenantRepository,
    keyRings: KeyRingRepository,
    opener: KeyRingOpener,
    detection: KeyDetection,
    vault: KeyVault,
    dataPlane: LifecycleDataPlane,
    probe: ShredProbe,
    clock: Clock,
    logger: LifecycleLogger,
    crash: CrashHook,
    sabotage: Sabotage | null,
    grants: BreakGlassRepository,
    judge: ComplianceJudge,
    deadlines: PostgresDeadlineStore,
  ): DeadlineHandlers => {
    const keyHandlers = new KeyRingHandlers(keyRings, vault, dataPlane, clock, logger, crash, retirementLeadMs(sabotage));
    // Over TimerKind: a timer kind handled here without a public name in GET /v1/schedule does not compile.
    const handlers: { readonly [K in TimerKind]: DeadlineHandler } = {
      [SHRED_STEP]: new ShredStepHandler(tenants, keyRings, vault, dataPlane, probe, clock, logger, sabotage).handle,
      [SHRED_DEADLINE]: new ShredDeadlineHandler(tenants).handle,
      [KEY_PURGE_CHECK]: new KeyPurgeCheckHandler(tenants, keyRings, vault, clock, logger).handle,
      [KEY_ROTATION]: keyHandlers.rotate,
      [KEY_REPROTECT]: keyHandlers.reprotect,
      [KEY_REPROTECT_OVERDUE]: keyHandlers.flagOverdue,
      [KEY_RETIRE]: keyHandlers.retire,
      [KEY_DESTROY]: keyHandlers.destroy,
      [KEY_DETECTION]: detection.handle,
      [KEY_RING_OPEN]: opener.handle,
      [BREAK_GLASS_EXPIRY]: new BreakGlassExpiryHandler(grants).handle,
      [COMPLIANCE_CHECK]: new ComplianceCheckHandler(judge, deadlines, clock, logger).handle,
    };
    return Object.fromEntries(Object.entries(handlers).map(([kind, handle]) => [kind, unattended(handle)])) as typeof handlers;
  },
  inject: [TenantRepository, KeyRingRepository, KeyRingOpener, KeyDetection, VAULT, DATA_PLANE, READ_PROBE, CLOCK, LIFECYCLE_LOGGER, CRASH_HOOK, SABOTAGE, BreakGlassRepository, ComplianceJudge, DEADLINES],
};

@Module({})
export class LifecycleModule {
  /**
   * The lifecycle over these ports. Registers the command and query handlers (CqrsModule, global), and
   * exports LIFECYCLE_PROCESSORS, LIFECYCLE_DEADLINE_HANDLERS and KeyDetection (ensureScheduled at boot).
   * Read-model queries use TypeORM's DataSource: the importing application configures TypeOrmModule.
   */
  static forRoot(ports: LifecyclePorts): DynamicModule {
    return {
      module: LifecycleModule,
      imports: [CqrsModule.forRoot()],
      providers: [...portProviders(ports), ...sharedProviders, processorsProvider, deadlineHandlersProvider, ...LIFECYCLE_HANDLERS],
      exports: [LIFECYCLE_PROCESSORS, LIFECYCLE_DEADLINE_HANDLERS, KeyDetection, PrivilegedUse],
    };
  }
}
