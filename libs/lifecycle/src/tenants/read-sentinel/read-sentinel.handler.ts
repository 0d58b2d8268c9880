// Break-glass `probe.read`: an unknown tenant (404) or database (400) is answered without touching the
// grant; then the grant's use is recorded (PrivilegedUse), then the probe reads.
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { DomainError, type PrivilegedOperation } from '@lethe/domain';
import { PrivilegedUse } from '../../break-glass/privileged-use.js';
import { READ_PROBE } from '../../lifecycle.tokens.js';
import { KeyRingRepository } from '../../keys/key-ring-repository.js';
import type { ShredProbe } from '../../shred/shred-ports.js';
import { TenantRepository } from '../tenant-repository.js';
import { ReadSentinelQuery, type SentinelRead } from './read-sentinel.query.js';

const PROBE_READ: PrivilegedOperation = 'probe.read';

@QueryHandler(ReadSentinelQuery)
export class ReadSentinelHandler implements IQueryHandler<ReadSentinelQuery> {
  constructor(
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(READ_PROBE) private readonly probe: ShredProbe,
    @Inject(PrivilegedUse) private readonly privileged: PrivilegedUse,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** DomainError 'tenant-not-found' / 'unknown-database' (nothing recorded); BreakGlassRequiredError (its refusal recorded) without a grant covering it. */
  async execute({ tenantId, databaseId, breakGlass }: ReadSentinelQuery): Promise<SentinelRead> {
    if (!(await this.tenants.load(tenantId)).state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
    const ring = (await this.keyRings.load(tenantId)).state;
    if (!ring.exists || !ring.databases.some((d) => d.databaseId === databaseId)) throw new DomainError('unknown-database', `tenant ${tenantId} has no database ${databaseId}`);
    await this.privileged.require(PROBE_READ, tenantId, breakGlass);
    const { outcome, detail } = await this.probe.probe(tenantId, databaseId);
    return { tenantId, databaseId, outcome, detail, at: this.clock.now().toISOString() };
  }
}
