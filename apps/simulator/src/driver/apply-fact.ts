// One fleet fact made to happen: an HTTP call to the engine as its real callers make it (the contract
// system's terminations, an operator's backup records and policy changes), or, for a client-held
// key's own rotation, a new version made in the vault outside Lethe.
import { ManualClock } from '@lethe/clock';
import { LocalKeyVault, MasterKey } from '@lethe/vault';
import type pg from 'pg';
import type { BackupSchedule, FleetFact, TenantSpec } from '../fleet/fleet-facts.js';
import type { ApiRole } from '../../../engine/src/config/engine-config.js';
import type { EngineApi } from './engine-api.js';


export interface FactContext {
  readonly api: EngineApi;
  readonly tokens: Readonly<Record<ApiRole, string>>;
  /** The engine's database: a client's own rotation reaches the vault's tables directly. */
  readonly pool: pg.Pool;
  /** The engine's master key (the local vault seals with it). */
  readonly masterKey: Buffer;
  /** Simulated now (ms). */
  readonly now: number;
}

/** How a fact went: every delivery's status, and whether each was what the caller expects. */
export interface FactOutcome {
  readonly fact: FleetFact;
  readonly statuses: readonly number[];
  /** Every delivery was answered as the API promises for it. */
  readonly ok: boolean;
  /** The engine said to try again later (503): the driver applies the fact again at its next step. */
  readonly retryLater: boolean;
  /** The first unexpected answer's text, for the report. */
  readonly detail?: string;
}

/** The engine's backup kinds for the fleet's schedules: long-term retention for monthly and yearly. */
const BACKUP_KIND: Readonly<Record<BackupSchedule, 'pitr' | 'full' | 'ltr'>> = { pitr: 'pitr', 'weekly-full': 'full', monthly: 'ltr', yearly: 'ltr' };

const tenantPath = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`;

interface Call {
  readonly method: string;
  readonly path: string;
  readonly role: ApiRole;
  readonly body?: unknown;
  /** The statuses the API promises for the call. */
  readonly expect: readonly number[];
}

/** The body of POST /v1/tenants that onboards `t`. */
export function onboardingBody(t: TenantSpec): Record<string, unknown> {
  return {
    tenantId: t.tenantId,
    jurisdiction: t.jurisdiction,
    ...(t.timeZone ? { timeZone: t.timeZone } : {}),
    keyCustody: t.keyCustody,
    backupKeyMode: t.backupKeyMode,
    databases: t.databases.map((databaseId) => ({ databaseId })),
    rotationPeriodDays: t.rotationPeriodDays,
    pitrRetentionDays: t.pitrRetentionDays,
  };
}

function callsOf(f: Exclude<FleetFact, { kind: 'client-rotation' }>): Call[] {
  switch (f.kind) {
    case 'onboard': {
      const body = onboardingBody(f.tenant);
      // 202: recorded while the vault is down; its key ring opens once the vault is back.
      return [{ method: 'POST', path: '/v1/tenants', role: 'operator', body, expect: [201, 202] }];
    }
    case 'add-database':
      return [{ method: 'POST', path: `${tenantPath(f.tenantId)}/databases`, role: 'operator', body: { databaseId: f.databaseId }, expect: [201] }];
    case 'backup': {
      const body = { backupId: f.backupId, databaseId: f.databaseId, kind: BACKUP_KIND[f.schedule], coveredFrom: f.coveredFrom, takenAt: f.takenAt, expiresAt: f.expiresAt };
      return [{ method: 'POST', path: `${tenantPath(f.tenantId)}/backups`, role: 'operator', body, expect: [201] }];
    }
    case 'backup-deleted':
      return [{ method: 'POST', path: `${tenantPath(f.tenantId)}/backups/${encodeURIComponent(f.backupId)}/deleted`, role: 'operator', expect: [200] }];
    case 'backup-retention-changed':
      return [{ method: 'PATCH', path: `${tenantPath(f.tenantId)}/backups/${encodeURIComponent(f.backupId)}`, role: 'operator', body: { expiresAt: f.expiresAt }, expect: [200] }];
    case 'rotation-period-changed':
      return [{ method: 'PATCH', path: tenantPath(f.tenantId), role: 'operator', body: { rotationPeriodDays: f.rotationPeriodDays }, expect: [200] }];
    case 'pitr-retention-changed':
      return [{ method: 'PATCH', path: tenantPath(f.tenantId), role: 'operator', body: { pitrRetentionDays: f.pitrRetentionDays }, expect: [200] }];
    case 'termination': {
      const body = { terminationId: f.terminationId, contractId: f.contractId, effectiveAt: f.effectiveAt };
      return Array.from({ length: f.deliveries }, () => ({ method: 'POST', path: `${tenantPath(f.tenantId)}/terminations`, role: 'contract-system' as const, body, expect: [202] }));
    }
    case 'deletion-request':
      return Array.from({ length: f.deliveries }, () => ({
        method: 'POST',
        path: `${tenantPath(f.tenantId)}/deletion-requests`,
        role: 'contract-system' as const,
        body: { requestId: f.requestId },
        expect: [202],
      }));
    case 'cancel-shred':
      return [{ method: 'POST', path: `${tenantPath(f.tenantId)}/shred/cancel`, role: 'operator', body: { reason: 'contract renewed' }, expect: [200] }];
  }
}

/** Applies `fact` at simulated time `ctx.now` (the engine's clock is already there). */
export async function applyFact(fact: FleetFact, ctx: FactContext): Promise<FactOutcome> {
  if (fact.kind === 'client-rotation') {
    const key = await ctx.pool.query<{ key_id: string }>('select key_id from vault_keys where tenant_id = $1 and tombstoned_at is null', [fact.tenantId]);
    if (key.rowCount === 0) return { fact, statuses: [404], ok: false, retryLater: false, detail: 'the tenant has no live key in the vault' };
    const vault = new LocalKeyVault(ctx.pool, MasterKey.fromBytes(ctx.masterKey), new ManualClock(new Date(ctx.now)));
    await vault.createVersion(key.rows[0].key_id);
    return { fact, statuses: [201], ok: true, retryLater: false };
  }
  const statuses: number[] = [];
  let detail: string | undefined;
  for (const call of callsOf(fact)) {
    const answer = await ctx.api(call.method, call.path, ctx.tokens[call.role], call.body);
    statuses.push(answer.status);
    if (answer.status === 503) return { fact, statuses, ok: false, retryLater: true, detail: answer.text };
    if (!call.expect.includes(answer.status) && detail === undefined) detail = `${call.method} ${call.path}: ${answer.status} ${answer.text}`;
  }
  return { fact, statuses, ok: detail === undefined, retryLater: false, ...(detail === undefined ? {} : { detail }) };
}
