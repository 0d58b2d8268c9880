// Wires the tenant lifecycle together: the aggregate's repository, the application services the
// API calls, the processors that follow the log and the handlers of durable timers.
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import type { EventStore } from '@lethe/eventstore';
import type { Processor } from '@lethe/processors';
import { TenantsProjection } from '@lethe/readmodel';
import type { DeadlineHandlers, PostgresDeadlineStore } from '@lethe/scheduler';
import type { KeyVault } from '@lethe/vault';
import { CertificateService } from './certificate/certificate.service.js';
import { SHRED_DEADLINE, SHRED_STEP } from './shred/shred-deadlines.js';
import { ShredDeadlineHandler } from './shred/shred-deadline.handler.js';
import type { ShredDataPlane, ShredProbe } from './shred/shred-ports.js';
import { ShredStepHandler } from './shred/shred-step.handler.js';
import { ShredSaga } from './shred/shred.saga.js';
import { TenantRepository } from './tenants/tenant-repository.js';
import { TenantService, type ProtectingDataPlane } from './tenants/tenant.service.js';
import { CalendarWorkingDays } from './tenants/working-days.adapter.js';

export interface LifecycleDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly deadlines: PostgresDeadlineStore;
  readonly vault: KeyVault;
  readonly dataPlane: ShredDataPlane & ProtectingDataPlane;
  readonly probe: ShredProbe;
  readonly signing: { readonly privateKey: KeyObject; readonly publicKey: KeyObject };
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface Lifecycle {
  readonly tenants: TenantService;
  readonly repository: TenantRepository;
  readonly certificates: CertificateService;
  readonly processors: readonly Processor[];
  readonly deadlineHandlers: DeadlineHandlers;
}

export function createLifecycle(deps: LifecycleDependencies): Lifecycle {
  const repository = new TenantRepository(deps.store, deps.clock, new CalendarWorkingDays());
  const step = new ShredStepHandler(repository, deps.deadlines, deps.vault, deps.dataPlane, deps.probe, deps.clock, deps.logger);
  const deadline = new ShredDeadlineHandler(repository);
  return {
    repository,
    tenants: new TenantService(repository, deps.store, deps.vault, deps.dataPlane, deps.clock),
    certificates: new CertificateService(deps.store, deps.signing),
    processors: [new TenantsProjection(), new ShredSaga(repository, deps.deadlines, deps.clock)],
    deadlineHandlers: { [SHRED_STEP]: step.handle, [SHRED_DEADLINE]: deadline.handle },
  };
}
