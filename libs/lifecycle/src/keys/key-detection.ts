// Detection of key versions created in the vault outside Lethe (a client rotating its own key):
// one durable timer for the whole engine, which lists each live key ring's versions in the vault
// and reschedules itself. Being a timer, it runs on one instance at a time and survives restarts.
import type { Clock } from '@lethe/clock';
import type { Deadline, DeadlineFireContext, PostgresDeadlineStore } from '@lethe/scheduler';
import type { Logger } from 'pino';
import type { KeyVault } from '@lethe/vault';
import type { KeyRingRepository } from './key-ring-repository.js';

export const KEY_DETECTION = 'key-detection';
export const KEY_DETECTION_TIMER = 'key-detection';

export class KeyDetection {
  constructor(
    private readonly keyRings: KeyRingRepository,
    private readonly vault: Pick<KeyVault, 'listVersions'>,
    private readonly deadlines: PostgresDeadlineStore,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
  ) {}

  /** Makes sure the timer exists (at boot); it then keeps itself going. */
  async ensureScheduled(): Promise<void> {
    const existing = await this.deadlines.get(KEY_DETECTION_TIMER);
    if (existing?.status === 'pending') return;
    if (existing?.status === 'failed') await this.deadlines.requeue(KEY_DETECTION_TIMER);
    else await this.deadlines.schedule(KEY_DETECTION_TIMER, this.clock.now(), KEY_DETECTION, {});
  }

  readonly handle = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const rings = await context.client.query<{ tenant_id: string }>('select tenant_id from rm_key_rings where not destroyed order by tenant_id');
    for (const { tenant_id: tenantId } of rings.rows) {
      try {
        const found = await this.detectVersions(tenantId);
        if (found.length > 0) this.logger.info({ tenantId, keyVersionIds: found }, 'key versions detected in the vault');
      } catch (error) {
        this.logger.warn({ tenantId, error: (error as Error).name }, 'key version detection failed for a tenant');
      }
    }
    await this.deadlines.scheduleInTx(context.client, deadline.id, new Date(this.clock.now().getTime() + this.intervalMs), KEY_DETECTION, {});
  };

  /** Records versions that exist in the vault but not in the key ring (created by the client). */
  private async detectVersions(tenantId: string): Promise<string[]> {
    const { state } = await this.keyRings.load(tenantId);
    if (!state.exists || state.destroyed) return [];
    const known = new Set(state.versions.map((v) => v.keyVersionId));
    const found = (await this.vault.listVersions(state.keyId!))
      .filter((v) => !known.has(v.versionId) && v.state === 'enabled')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    for (const v of found) {
      await this.keyRings.execute(
        tenantId,
        { type: 'AddKeyVersion', data: { keyVersionId: v.versionId, source: 'detected', createdAt: v.createdAt.toISOString() } },
        `detected:${v.versionId}`,
      );
    }
    return found.map((v) => v.versionId);
  }
}
