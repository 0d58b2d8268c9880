// Judges one tenant's key ring now (complianceOf at the engine clock's instant) and records what
// opened and closed on its compliance watch. Shared by the watch's processor (a key-ring event) and
// its timer (the time alone), so both judge the same way.
import type { Clock } from '@lethe/clock';
import { complianceOf, keyRingFactsOf, nextComplianceCheckAt, type KeyRingFacts } from '@lethe/domain';
import type { KeyRingRepository } from '../../keys/key-ring-repository.js';
import type { ComplianceWatchRepository } from './compliance-watch-repository.js';

/** What a judgement found: the facts judged, and when to judge again with no new event (null: never). */
export interface Judged {
  readonly facts: KeyRingFacts;
  readonly nextCheckAt: Date | null;
  /** Violations opened or closed by this judgement. */
  readonly changed: number;
}

export class ComplianceJudge {
  constructor(
    private readonly keyRings: KeyRingRepository,
    private readonly watches: ComplianceWatchRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * The tenant's key ring as compliance sees it now (as of ring revision `atLeast` or later, when
   * given: a processor's event); null when it has none open yet.
   */
  async factsOf(tenantId: string, atLeast?: bigint): Promise<KeyRingFacts | null> {
    const { state } = atLeast === undefined ? await this.keyRings.load(tenantId) : await this.keyRings.loadAtLeast(tenantId, atLeast);
    return state.exists ? keyRingFactsOf(state) : null;
  }

  /**
   * Judges `facts` (or the tenant's ring as it is now, or as of ring revision `atLeast` or later)
   * at the clock's instant and appends the difference to the watch, its event ids derived from
   * `causeId` (a replay appends nothing). Null when the tenant has no key ring open.
   */
  async judge(tenantId: string, causeId: string, known?: KeyRingFacts, atLeast?: bigint): Promise<Judged | null> {
    const facts = known ?? (await this.factsOf(tenantId, atLeast));
    if (!facts) return null;
    const now = this.clock.now();
    const { appended } = await this.watches.execute(tenantId, { type: 'JudgeCompliance', data: { tenantId, compliance: complianceOf(facts, now), at: now.toISOString() } }, causeId);
    const next = nextComplianceCheckAt(facts, now);
    return { facts, nextCheckAt: next === null ? null : new Date(next), changed: appended.length };
  }
}
