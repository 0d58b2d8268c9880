import { Query } from '@nestjs/cqrs';

/** A privileged call that named the grant: allowed (`used`) or `refused`, and why. */
export interface GrantUseRecord {
  readonly outcome: 'used' | 'refused';
  /** The caller's subject (never its token). */
  readonly by: string;
  readonly tenantId: string;
  /** The privileged operation (`probe.read`, `shred.execute-now`, `key-version.enable`, `backup.extend-retention`). */
  readonly operation: string;
  /** Why it was refused (`not-approved`, `expired`, `tenant-out-of-scope`, …); null for a use. */
  readonly reason: string | null;
  /** ISO 8601 instant. */
  readonly at: string;
}

/** Every use and refusal of one grant, oldest first; null when there is no grant of that id. */
export class GetGrantUsesQuery extends Query<readonly GrantUseRecord[] | null> {
  constructor(readonly grantId: string) {
    super();
  }
}
