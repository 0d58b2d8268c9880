import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { DomainError } from '@lethe/domain';
import { READ_PROBE } from '../../lifecycle.tokens.js';
import { KeyRingRepository } from '../../keys/key-ring-repository.js';
import type { ShredProbe } from '../../shred/shred-ports.js';
import { TenantRepository } from '../tenant-repository.js';
import { ReadSentinelQuery, type SentinelRead } from './read-sentinel.query.js';

@QueryHandler(ReadSentinelQuery)
export class ReadSentinelHandler implements IQueryHandler<ReadSentinelQuery> {
  constructor(
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(READ_PROBE) private readonly probe: ShredProbe,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, databaseId }: ReadSentinelQuery): Promise<SentinelRead> {
    if (!(await this.tenants.load(tenantId)).state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
    const ring = (await this.keyRings.load(tenantId)).state;
    if (!ring.exists || !ring.databases.some((d) => d.databaseId === databaseId)) throw new DomainError('unknown-database', `tenant ${tenantId} has no database ${databaseId}`);
    const { outcome, detail } = await this.probe.probe(tenantId, databaseId);
    return { tenantId, databaseId, outcome, detail, at: this.clock.now().toISOString() };
  }
}
