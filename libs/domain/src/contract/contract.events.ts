// The contract stream (`contract-<tenantId>`). The contract system may append ContractTerminated
// here itself; the shred saga follows stored events, so it reacts the same way as to the HTTP call.
import type { DomainEvent } from '../shared/decider.js';

export type ContractTerminated = DomainEvent<
  'ContractTerminated',
  {
    readonly terminationId: string;
    readonly contractId: string;
    /** ISO 8601 instant the termination takes effect (the deletion clock starts then). */
    readonly effectiveAt: string;
    readonly reason?: string;
  }
>;

export type ContractEvent = ContractTerminated;

export const contractStream = (tenantId: string) => `contract-${tenantId}`;
export const CONTRACT_STREAM_PREFIX = 'contract-';
