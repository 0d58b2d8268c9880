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

/**
 * A contract-stream event Lethe refused: its data broke a rule, or it names no tenant. Recorded in the
 * same stream (so ops see it beside what was sent) and never triggers a shred. It names each bad field
 * and rule, never the values sent.
 */
export type ContractEventRejected = DomainEvent<
  'ContractEventRejected',
  {
    readonly eventId: string;
    readonly eventType: string;
    readonly revision: number;
    readonly errors: readonly { readonly field: string; readonly rule: string }[];
    readonly at: string;
  }
>;

export type ContractEvent = ContractTerminated | ContractEventRejected;
