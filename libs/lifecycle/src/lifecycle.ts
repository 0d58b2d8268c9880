// Wires the tenant lifecycle together: the aggregate's repository, the application services the
// API calls, the processors that follow the log and the handlers of durable timers.
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import type { EventStore } from '@lethe/eventstore';
import type { Processor } from '@lethe/processors';
import { KeyRingsProjection, RejectedEventsProjection, TenantsProjection } from '@lethe/readmodel';
import type { DeadlineHandlers, PostgresDeadlineStore } from '@lethe/scheduler';
import type { KeyVault, PostgresSigningKeyRegistry, SigningKeyring } from '@lethe/vault';
import { CertificateIssuer } from './certificate/certificate-issuer.js';
import { PostgresCertificateStore } from './certificate/certificate-store.js';
import { CertificateService } from './certificate/certificate.service.js';
import { SHRED_DEADLINE, SHRED_STEP } from './shred/shred-deadlines.js';
import { ShredDeadlineHandler } from './shred/shred-deadline.handler.js';
import type { ShredDataPlane, ShredProbe } from './shred/shred-ports.js';
import { ShredStepHandler } from './shred/shred-step.handler.js';
import { ShredSaga } from './shred/shred.saga.js';
import { PostgresSnapshotStore } from './snapshots/snapshot-store.js';
import { TenantRepository } from './tenants/tenant-repository.js';
import { TenantService } from './tenants/tenant.service.js';
import { CalendarWorkingDays } from './tenants/working-days.adapter.js';
import { CalendarRepository } from './calendars/calendar-repository.js';
import { CalendarService } from './calendars/calendar.service.js';
import { KeyDetection, KEY_DETECTION } from './keys/key-detection.js';
import { KeyRingHandlers } from './keys/key-ring.handlers.js';
import { KeyRingRepository } from './keys/key-ring-repository.js';
import { KeyRingSaga } from './keys/key-ring.saga.js';
import { KEY_REPROTECT, KEY_REPROTECT_OVERDUE, KEY_RETIRE, KEY_RING_OPEN, KEY_ROTATION } from './keys/key-timers.js';
import { KeyRingOpener, type ProtectingDataPlane } from './keys/key-ring-opener.js';
import { noCrash, type CrashHook } from './crash-points.js';
import { KeysService, type BackupDataPlane } from './keys/keys.service.js';
import { tenantFactsFrom } from './keys/tenant-facts.js';
import type { ReprotectingDataPlane } from './keys/key-ring.handlers.js';

export interface LifecycleDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly deadlines: PostgresDeadlineStore;
  readonly vault: KeyVault;
  readonly dataPlane: ShredDataPlane & ProtectingDataPlane & BackupDataPlane & ReprotectingDataPlane;
  /** How often the vault is asked for versions created outside Lethe. */
  readonly keyDetectionIntervalMs: number;
  readonly probe: ShredProbe;
  /** Where issued certificates (lethe_certificates) and aggregate snapshots (lethe_snapshots) are stored. */
  readonly pool: pg.Pool;
  /** The key this instance signs certificates with, and the registry of every public key. */
  readonly signing: SigningKeyring;
  readonly signingKeys: PostgresSigningKeyRegistry;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Test-only fault injection between two steps (LETHE_CRASH_AT); default: none. */
  readonly crash?: CrashHook;
}

export interface Lifecycle {
  readonly tenants: TenantService;
  readonly repository: TenantRepository;
  readonly keys: KeysService;
  readonly keyRings: KeyRingRepository;
  readonly keyDetection: KeyDetection;
  readonly certificates: CertificateService;
  readonly calendars: CalendarService;
  readonly processors: readonly Processor[];
  readonly deadlineHandlers: DeadlineHandlers;
}

export function createLifecycle(deps: LifecycleDependencies): Lifecycle {
  const crash = deps.crash ?? noCrash;
  const workingDays = new CalendarWorkingDays();
  const snapshots = { store: new PostgresSnapshotStore(deps.pool), logger: deps.logger };
  const calendars = new CalendarService(new CalendarRepository(deps.store, deps.clock, snapshots), workingDays, deps.clock);
  const repository = new TenantRepository(deps.store, deps.clock, workingDays, (jurisdiction) => calendars.overrideInputsFor(jurisdiction), snapshots);
  const keyRings = new KeyRingRepository(deps.store, deps.clock, snapshots);
  const keys = new KeysService(keyRings, deps.vault, deps.dataPlane, deps.clock, tenantFactsFrom(repository));
  const keyHandlers = new KeyRingHandlers(keyRings, deps.deadlines, deps.vault, deps.dataPlane, deps.clock, deps.logger, crash);
  const keyDetection = new KeyDetection(keys, deps.deadlines, deps.pool, deps.clock, deps.keyDetectionIntervalMs, deps.logger);
  const opener = new KeyRingOpener(repository, keyRings, deps.vault, deps.dataPlane, crash);
  const step = new ShredStepHandler(repository, keyRings, deps.deadlines, deps.vault, deps.dataPlane, deps.probe, deps.clock, deps.logger);
  const deadline = new ShredDeadlineHandler(repository);
  const certificateStore = new PostgresCertificateStore(deps.pool);
  return {
    repository,
    keys,
    keyRings,
    keyDetection,
    tenants: new TenantService(repository, opener, deps.store, deps.clock, crash),
    certificates: new CertificateService(certificateStore, deps.signingKeys),
    calendars,
    processors: [
      new TenantsProjection(),
      new KeyRingsProjection(),
      new RejectedEventsProjection(),
      new ShredSaga(repository, deps.deadlines, deps.store, deps.clock),
      new KeyRingSaga(keyRings, deps.deadlines, keyDetection, deps.clock),
      new CertificateIssuer(deps.store, repository, certificateStore, deps.signing, deps.clock, deps.logger),
    ],
    deadlineHandlers: {
      [SHRED_STEP]: step.handle,
      [SHRED_DEADLINE]: deadline.handle,
      [KEY_ROTATION]: keyHandlers.rotate,
      [KEY_REPROTECT]: keyHandlers.reprotect,
      [KEY_REPROTECT_OVERDUE]: keyHandlers.flagOverdue,
      [KEY_RETIRE]: keyHandlers.retire,
      [KEY_DETECTION]: keyDetection.handle,
      [KEY_RING_OPEN]: opener.handle,
    },
  };
}
