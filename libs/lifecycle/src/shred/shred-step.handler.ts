// Runs the shred's next steps when its timer fires: start, destroy every key version, purge the
// assets the key does not protect, probe. Each step is recorded as an event before the next is
// chosen (nextShredAction), so after a crash the re-fired timer resumes exactly where it stopped.
// External calls are idempotent (destroying a destroyed key is a no-op) and recorded after success.
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import type { DestroyedKeyVersion } from '@lethe/vault';
import { DomainError, nextShredAction, type TenantCommand, type TenantEvent, type TenantState } from '@lethe/domain';
import type { Loaded } from '../aggregate-repository.js';
import type { Deadline, DeadlineFireContext } from '@lethe/scheduler';
import type { KeyRingRepository } from '../keys/key-ring-repository.js';
import { databasesToProbe, type Sabotage } from '../sabotage.js';
import type { TenantRepository } from '../tenants/tenant-repository.js';
import { SHRED_STEP, type ShredTimerPayload } from './shred-deadlines.js';
import type { ShredDataPlane, ShredProbe, ShredVault } from './shred-ports.js';

const MAX_STEPS_PER_FIRE = 12;
const DAY_MS = 86_400_000;

/** The error's class name only: messages from adapters are not ours to put into events. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

export class ShredStepHandler {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly keyRings: KeyRingRepository,
    private readonly vault: ShredVault,
    private readonly dataPlane: ShredDataPlane,
    private readonly probe: ShredProbe,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>,
    /** Test-only known defect (LETHE_SABOTAGE=skip-probe); default none. */
    private readonly sabotage: Sabotage | null = null,
  ) {}

  readonly handle = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId, shredId } = deadline.payload as ShredTimerPayload;
    const log = { tenantId, shredId };
    // One read per fire: each step carries on from the state its own command returned.
    let loaded: Loaded<TenantState> = await this.tenants.load(tenantId);
    for (let i = 0; i < MAX_STEPS_PER_FIRE; i++) {
      const { state } = loaded;
      if (!state.shred || state.shred.shredId !== shredId) return;
      const action = nextShredAction(state, this.clock.now());
      switch (action.kind) {
        case 'none':
          return;
        case 'wait':
          // Keep this timer and move it: it stays pending and fires again then.
          context.rescheduleAt(new Date(action.until));
          return;
        case 'start':
          loaded = await this.run(tenantId, { type: 'StartShredExecution', data: { shredId } }, `${deadline.id}:start`, loaded);
          this.logger.info(log, 'shred execution started');
          break;
        case 'destroy-keys':
          loaded = await this.step(loaded, 'destroy-keys', async () => {
            const keyId = await this.keyIdOf(tenantId);
            const versions = await this.vault.destroyKey(keyId);
            const after = await this.run(
              tenantId,
              {
                type: 'RecordKeyDestroyed',
                data: {
                  shredId,
                  keyId,
                  versions: versions.map((v) => ({
                    keyVersionId: v.versionId,
                    unusableAt: v.unusableAt.toISOString(),
                    purgedAt: v.purgedAt ? v.purgedAt.toISOString() : null,
                    purgeExpectedAt: this.purgeExpectedAt(v),
                  })),
                },
              },
              `${deadline.id}:destroy-keys`,
              loaded,
            );
            this.logger.info({ ...log, versions: versions.length }, 'tenant key destroyed');
            return after;
          });
          break;
        case 'purge-assets':
          loaded = await this.step(loaded, 'purge-assets', async () => {
            const assets = await this.dataPlane.purgeAssets(tenantId);
            const after = await this.run(
              tenantId,
              {
                type: 'RecordAssetsPurged',
                data: { shredId, assets: assets.map((a) => ({ kind: a.kind, id: a.id, purgedAt: a.purgedAt.toISOString() })) },
              },
              `${deadline.id}:purge-assets`,
              loaded,
            );
            this.logger.info({ ...log, assets: assets.length }, 'assets not protected by the tenant key purged');
            return after;
          });
          break;
        case 'probe': {
          // Every database the key ring knows (it owns them, those added later included); the shred
          // is verified only when each of them is. All at once: one hung database must not eat the
          // timer's time limit.
          const databases = await this.databasesOf(tenantId, state);
          const results = await Promise.all(
            databases.map(async (databaseId) => {
              try {
                const r = await this.probe.probe(tenantId, databaseId);
                return { databaseId, outcome: r.outcome, detail: r.detail };
              } catch (error) {
                return { databaseId, outcome: 'inconclusive' as const, detail: `probe failed: ${errorName(error)}` };
              }
            }),
          );
          const { appended, loaded: after } = await this.execute(
            tenantId,
            { type: 'RecordProbe', data: { shredId, databases, results } },
            `${deadline.id}:probe:${action.attempt}`,
            loaded,
          );
          loaded = after;
          const outcome = appended.find((e) => e.type === 'ShredProbeRecorded');
          if (appended.some((e) => e.type === 'ShredVerified')) this.logger.info({ ...log, attempt: action.attempt }, 'shred verified');
          else if (appended.some((e) => e.type === 'ShredVerificationFailed'))
            this.logger.error({ ...log, attempt: action.attempt }, 'ALERT: tenant data still readable after its key was destroyed');
          else if (outcome) this.logger.warn({ ...log, attempt: action.attempt }, 'shred probe inconclusive; will retry');
          break;
        }
      }
    }
  };

  /**
   * When a version not purged yet is expected to be: the vault's own date, else the least delay its
   * deletion window promises after the version became unusable.
   */
  private purgeExpectedAt(v: DestroyedKeyVersion): string | null {
    if (v.purgedAt) return null;
    if (v.purgeScheduledAt) return v.purgeScheduledAt.toISOString();
    const { minDaysToUnusable, minDaysToPurged } = this.vault.capabilities.deletionWindow;
    return new Date(v.unusableAt.getTime() + Math.max(0, minDaysToPurged - minDaysToUnusable) * DAY_MS).toISOString();
  }

  /**
   * The tenant key's id, from the key ring. A tenant shredded before its ring was opened still gets
   * its key destroyed: the vault returns (or creates) the tenant's key, and destroying it tombstones it.
   */
  private async keyIdOf(tenantId: string): Promise<string> {
    const { state: ring } = await this.keyRings.load(tenantId);
    return ring.keyId ?? (await this.vault.createKey(tenantId)).keyId;
  }

  /** The databases to probe: the key ring's, or onboarding's when the ring was never opened. */
  private async databasesOf(tenantId: string, tenant: TenantState): Promise<string[]> {
    const { state: ring } = await this.keyRings.load(tenantId);
    const databases = ring.exists ? ring.databases.map((d) => d.databaseId) : (tenant.profile?.databases ?? []).map((d) => d.databaseId);
    return databasesToProbe(databases, this.sabotage);
  }

  /**
   * Decides against the state in hand (a concurrent write makes the repository read again) and
   * returns the state after the command with the revision it now stands at.
   */
  private async execute(
    tenantId: string,
    command: TenantCommand,
    causeId: string,
    loaded: Loaded<TenantState>,
  ): Promise<{ appended: readonly TenantEvent[]; loaded: Loaded<TenantState> }> {
    const { state, appended, revision } = await this.tenants.execute(tenantId, command, causeId, { loaded });
    return { appended, loaded: { state, revision } };
  }

  private async run(tenantId: string, command: TenantCommand, causeId: string, loaded: Loaded<TenantState>): Promise<Loaded<TenantState>> {
    return (await this.execute(tenantId, command, causeId, loaded)).loaded;
  }

  private async step(
    loaded: Loaded<TenantState>,
    step: 'destroy-keys' | 'purge-assets',
    run: () => Promise<Loaded<TenantState>>,
  ): Promise<Loaded<TenantState>> {
    const { state } = loaded;
    const shred = state.shred!;
    try {
      return await run();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      const failures = shred.failures && shred.failures.step === step ? shred.failures.count + 1 : 1;
      this.logger.warn({ tenantId: state.tenantId, shredId: shred.shredId, step, failures, error: errorName(error) }, 'shred step failed; will retry');
      return this.run(
        state.tenantId!,
        { type: 'RecordShredStepFailure', data: { shredId: shred.shredId, step, error: errorName(error) } },
        `${shredStepCause(shred.shredId, step)}:failure:${failures}`,
        loaded,
      );
    }
  }
}

const shredStepCause = (shredId: string, step: string) => `${SHRED_STEP}:${shredId}:${step}`;
