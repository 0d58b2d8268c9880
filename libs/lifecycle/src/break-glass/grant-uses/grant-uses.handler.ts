// Who used a break-glass grant, on which tenant and for what, and who was refused with it and why:
// read from the grant's own stream (its events are its audit trail), so a grant's whole activity can
// be shown even when the tenant's trail holds none of it (uses and refusals naming a grant live there).
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { breakGlassCategory, type BreakGlassUsed, type BreakGlassUseRefused } from '@lethe/domain';
import { EVENT_STORE, type EventStore } from '@lethe/eventstore';
import { isGrantId } from '../grant-of.js';
import { GetGrantUsesQuery, type GrantUseRecord } from './grant-uses.query.js';

@QueryHandler(GetGrantUsesQuery)
export class GetGrantUsesHandler implements IQueryHandler<GetGrantUsesQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ grantId }: GetGrantUsesQuery): Promise<readonly GrantUseRecord[] | null> {
    if (!isGrantId(grantId)) return null;
    const events = await this.store.readStream(breakGlassCategory.stream(grantId));
    if (events.length === 0) return null;
    return events.flatMap((e): GrantUseRecord[] => {
      if (e.type === 'BreakGlassUsed') {
        const d = e.data as unknown as BreakGlassUsed['data'];
        return [{ outcome: 'used', by: d.by, tenantId: d.tenantId, operation: d.operation, reason: null, at: d.at }];
      }
      if (e.type === 'BreakGlassUseRefused') {
        const d = e.data as unknown as BreakGlassUseRefused['data'];
        return [{ outcome: 'refused', by: d.by, tenantId: d.tenantId, operation: d.operation, reason: d.reason, at: d.at }];
      }
      return [];
    });
  }
}
