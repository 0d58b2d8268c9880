// Detection of key versions created in the vault outside Lethe (a client rotating its own key).
//
// One durable timer per key ring (`key-detection:<tenantId>`), not one for the whole fleet. Each
// firing lists one ring's versions in the vault, records the new ones and moves its own timer one
// interval on (context.rescheduleAt, applied by the poller with the outcome of its claim). So:
// - a claim covers one ring's work, never the fleet's: one vault call, however many tenants there are;
// - instances share the rings (each row claimed by one poller at a time), and a slow or failing vault
//   call for one tenant delays nobody else's check;
// - there is no cursor to keep consistent with the rings: the rows are the schedule, durable (a
//   restart resumes them as they were) and fired once across instances like every deadline.
// Batches with a persisted cursor would also bound a transaction, but they keep a fleet-wide loop whose
// cursor must be repaired when rings open or close mid-pass, and one failing tenant still delays its
// batch; per-ring rows need none of that, at the cost of one row per ring.
//
// Each ring's first check falls at a point of the interval derived from its tenant id, so the checks
// spread over the interval instead of all asking the vault at once. The key ring saga ensures the
// timer when the ring opens and cancels it when a shred destroys the ring; at boot, ensureScheduled()
// ensures one for every live ring the read model knows (rings opened before per-ring timers) and
// retires the former fleet-wide timer. A firing that finds no live ring ends its timer.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import type { Deadline, DeadlineFireContext, PostgresDeadlineStore } from '@lethe/scheduler';
import type { KeyVault } from '@lethe/vault';
import type { KeyRingRepository } from './key-ring-repository.js';

export const KEY_DETECTION = 'key-detection';
/** The fleet-wide timer of earlier versions (no payload); retired at boot. */
export const FLEET_DETECTION_TIMER = 'key-detection';
export const keyDetectionTimerId = (tenantId: string) => `${KEY_DETECTION}:${tenantId}`;

interface DetectionPayload {
  readonly tenantId?: string;
}

/** Live rings read per query at boot. */
const BOOT_PAGE = 500;
/**
 * Rings whose vault key and known versions this instance remembers between checks. Past it the memory
 * starts over (a forgotten ring costs one load at its next check): 100,000 rings hold a few tens of MB.
 */
const REMEMBERED_RINGS = 100_000;

/** What a check needs to tell that the vault holds nothing new: the ring's vault key and the versions its ring knew. */
interface RememberedRing {
  readonly keyId: string;
  readonly known: ReadonlySet<string>;
}

export class KeyDetection {
  /**
   * A cache, never the truth: a check whose vault listing holds only versions remembered here ends
   * without loading the ring (nearly every check: a fleet's rings are checked every interval and
   * rarely change), and any other listing loads the ring and decides against it as before. Stale
   * entries cost a load, never a missed version: a ring's vault key never changes, and its versions
   * are only ever added.
   */
  private readonly remembered = new Map<string, RememberedRing>();

  constructor(
    private readonly keyRings: KeyRingRepository,
    private readonly vault: Pick<KeyVault, 'listVersions'>,
    private readonly deadlines: PostgresDeadlineStore,
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
  ) {}

  /**
   * At boot (poller role): a timer for every live ring the key-ring read model lists, existing ones
   * left as they are; parked ones brought back; the former fleet-wide timer cancelled.
   */
  async ensureScheduled(): Promise<void> {
    const fleet = await this.deadlines.get(FLEET_DETECTION_TIMER);
    if (fleet?.status === 'pending') await this.deadlines.cancel(FLEET_DETECTION_TIMER);
    for (let after = ''; ; ) {
      const page = await this.pool.query<{ tenant_id: string }>(
        'select tenant_id from rm_key_rings where not destroyed and tenant_id > $1 order by tenant_id limit $2',
        [after, BOOT_PAGE],
      );
      for (const { tenant_id: tenantId } of page.rows) await this.ensureFor(tenantId);
      if (page.rows.length < BOOT_PAGE) break;
      after = page.rows[page.rows.length - 1].tenant_id;
    }
    for (const parked of await this.deadlines.list({ status: 'failed', kind: KEY_DETECTION, limit: 1000 })) {
      await this.deadlines.requeue(parked.id);
    }
  }

  /** Starts the ring's checks unless its timer exists (in the caller's transaction when given). */
  async ensureFor(tenantId: string, tx?: pg.ClientBase): Promise<void> {
    const payload: DetectionPayload = { tenantId };
    await this.deadlines.scheduleIfAbsent(keyDetectionTimerId(tenantId), this.firstCheckAt(tenantId), KEY_DETECTION, payload, tx);
  }

  /** Stops the ring's checks (its ring was destroyed). */
  async cancelFor(tenantId: string, tx: pg.ClientBase): Promise<void> {
    await this.deadlines.cancelInTx(tx, keyDetectionTimerId(tenantId));
  }

  /**
   * Checks one ring and moves its timer one interval on. A vault failure is logged (tenant id and
   * error name only) and the ring is checked again at the next interval; a ring that is gone ends
   * its timer.
   */
  readonly handle = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId } = (deadline.payload ?? {}) as DetectionPayload;
    if (!tenantId) return; // the former fleet-wide timer: per-ring timers replace it
    let live = true;
    try {
      const found = await this.detectVersions(tenantId);
      live = found !== null;
      if (found && found.length > 0) this.logger.info({ tenantId, keyVersionIds: found }, 'key versions detected in the vault');
    } catch (error) {
      this.logger.warn({ tenantId, error: (error as Error).name }, 'key version detection failed for a tenant');
    }
    if (!live) return;
    const next = new Date(this.clock.now().getTime() + this.intervalMs);
    context.rescheduleAt(next);
  };

  /** A point within the next interval fixed by the tenant id: checks spread over the interval. */
  private firstCheckAt(tenantId: string): Date {
    const offset = createHash('sha256').update(tenantId).digest().readUIntBE(0, 6) % Math.max(1, this.intervalMs);
    return new Date(this.clock.now().getTime() + offset);
  }

  /**
   * Whether the ring is remembered and the vault lists, besides the versions it knew, nothing enabled:
   * then the check is over. A key with no enabled version left (destroyed by a shred) or a listing that
   * fails is not judged here: the ring is forgotten and loaded, which ends a destroyed ring's timer and
   * reports a vault failure as before.
   */
  private async holdsNothingNew(tenantId: string): Promise<boolean> {
    const ring = this.remembered.get(tenantId);
    if (!ring) return false;
    try {
      const enabled = (await this.vault.listVersions(ring.keyId)).filter((v) => v.state === 'enabled');
      if (enabled.length > 0 && enabled.every((v) => ring.known.has(v.versionId))) return true;
    } catch {
      // Decided by the full check below, which calls the vault again and reports its failure.
    }
    this.remembered.delete(tenantId);
    return false;
  }

  /**
   * Records versions that exist in the vault but not in the key ring (created by the client); returns
   * their ids, or null when the tenant has no live key ring (never opened, or destroyed by a shred).
   */
  private async detectVersions(tenantId: string): Promise<string[] | null> {
    if (await this.holdsNothingNew(tenantId)) return [];
    const loaded = await this.keyRings.load(tenantId);
    if (!loaded.state.exists || loaded.state.destroyed) {
      this.remembered.delete(tenantId);
      return null;
    }
    const known = new Set(loaded.state.versions.map((v) => v.keyVersionId));
    const found = (await this.vault.listVersions(loaded.state.keyId!))
      .filter((v) => !known.has(v.versionId) && v.state === 'enabled')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    let at = loaded;
    for (const v of found) {
      at = await this.keyRings.execute(
        tenantId,
        { type: 'AddKeyVersion', data: { keyVersionId: v.versionId, source: 'detected', createdAt: v.createdAt.toISOString() } },
        `detected:${v.versionId}`,
        { loaded: at },
      );
    }
    if (this.remembered.size >= REMEMBERED_RINGS) this.remembered.clear();
    this.remembered.set(tenantId, { keyId: at.state.keyId!, known: new Set(at.state.versions.map((v) => v.keyVersionId)) });
    return found.map((v) => v.versionId);
  }
}
