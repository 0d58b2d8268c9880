// A tenant's compliance watch aggregate (stream `compliance-<tenantId>`): the violations open now.
import type { Clock } from '@lethe/clock';
import {
  COMPLIANCE_WATCH_STATE_VERSION,
  complianceCategory,
  decideComplianceWatch,
  evolveComplianceWatch,
  initialComplianceWatchState,
  type ComplianceWatchCommand,
  type ComplianceWatchEvent,
  type ComplianceWatchState,
} from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository, type SnapshotOptions } from '../../aggregate-repository.js';

export class ComplianceWatchRepository extends AggregateRepository<ComplianceWatchCommand, ComplianceWatchEvent, ComplianceWatchState, undefined> {
  constructor(store: EventStore, clock: Clock, snapshots?: SnapshotOptions) {
    super(
      store,
      clock,
      {
        stream: complianceCategory.stream,
        stateVersion: COMPLIANCE_WATCH_STATE_VERSION,
        initialState: initialComplianceWatchState,
        evolve: evolveComplianceWatch,
        decide: (command, state) => decideComplianceWatch(command, state),
        context: () => undefined,
      },
      snapshots,
    );
  }
}
