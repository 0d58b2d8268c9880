// Read model of tenants and their current shred (GET /v1/tenants, /v1/tenants/{id}), and of every
// shred (rm_shreds, shred-view.ts: GET /v1/shreds). The projection
// folds each tenant event into the aggregate's own state with the domain's evolve, and keeps
// the state beside the view, so the read side can never disagree with the deciders.
import type pg from 'pg';
import { Column, Entity, Index, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  evolveTenant,
  initialTenantState,
  keyMaterialPurgeExpectedAt,
  shredProgress,
  tenantCategory,
  tenantStatus,
  type ShredProgress,
  type TenantState,
  type TenantStatus,
} from '@lethe/domain';
import { on, type Delivered, type Processor, type ProjectionRebuilder } from '@lethe/processors';

export interface ShredView {
  readonly shredId: string;
  /** Where this shred stands (a cancelled one leaves the tenant active). */
  readonly status: ShredProgress;
  readonly trigger: TenantState['shred'] extends infer S ? (S extends { trigger: infer T } ? T : never) : never;
  readonly effectiveAt: string;
  readonly deadline: string;
  readonly executeAt: string;
  readonly executedAt: string | null;
  readonly keysDestroyedAt: string | null;
  readonly assetsPurgedAt: string | null;
  /** When every destroyed version's material was purged (a soft-deleting vault purges after the promise). */
  readonly keyMaterialPurgedAt: string | null;
  /** Until then, when the vault is expected to purge it (null if purged, or no date known). */
  readonly keyMaterialPurgeExpectedAt: string | null;
  readonly verifiedAt: string | null;
  readonly cancelledAt: string | null;
  readonly probeAttempts: number;
  readonly breaches: readonly { readonly cause: string; readonly at: string }[];
}

@Entity({ name: 'rm_tenants' })
export class TenantView {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Index()
  @Column({ type: 'text' })
  status!: TenantStatus;

  @Column({ type: 'text' })
  jurisdiction!: string;

  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  @Column({ name: 'key_custody', type: 'text' })
  keyCustody!: string;

  @Column({ name: 'backup_key_mode', type: 'text' })
  backupKeyMode!: string;

  @Column({ name: 'shred_grace_working_days', type: 'int' })
  shredGraceWorkingDays!: number;

  @Column({ type: 'jsonb', nullable: true })
  shred!: ShredView | null;

  @Column({ name: 'onboarded_at', type: 'timestamptz' })
  onboardedAt!: Date;

  @Column({ name: 'last_position', type: 'bigint' })
  lastPosition!: string;

  /** The aggregate's own state, folded with the domain's evolve. */
  @Column({ type: 'jsonb' })
  state!: TenantState;
}

export class CreateTenantView1764400000011 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table rm_tenants (
        tenant_id                text primary key,
        status                   text not null,
        jurisdiction             text not null,
        time_zone                text not null,
        key_custody              text not null,
        backup_key_mode          text not null,
        shred_grace_working_days int not null,
        databases                jsonb not null,
        shred                    jsonb,
        onboarded_at             timestamptz not null,
        last_position            bigint not null,
        state                    jsonb not null
      )`);
    await q.query('create index rm_tenants_status on rm_tenants (status)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table rm_tenants');
  }
}

/** The key ring owns a tenant's databases (one owner per fact): the tenant view no longer copies them. */
export class DropTenantViewDatabases1764400000020 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table rm_tenants drop column databases');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table rm_tenants add column databases jsonb not null default '[]'`);
  }
}

export function shredView(state: TenantState): ShredView | null {
  const s = state.shred;
  if (!s) return null;
  return {
    shredId: s.shredId,
    status: shredProgress(s),
    trigger: s.trigger,
    effectiveAt: s.effectiveAt,
    deadline: s.deadline,
    executeAt: s.executeAt,
    executedAt: s.executedAt,
    keysDestroyedAt: s.keysDestroyedAt,
    assetsPurgedAt: s.assetsPurgedAt,
    keyMaterialPurgedAt: s.keyMaterialPurgedAt ?? null,
    keyMaterialPurgeExpectedAt: keyMaterialPurgeExpectedAt(s),
    verifiedAt: s.verifiedAt,
    cancelledAt: s.cancelledAt,
    probeAttempts: s.probes.length,
    breaches: s.breaches,
  };
}

const INTERESTS = [on(tenantCategory, tenantCategory.types)] as const;

export class TenantsProjection implements Processor<typeof INTERESTS> {
  readonly name = 'projection:tenants';
  readonly interests = INTERESTS;

  /** `rebuildHeldTenants`: how many tenants a rebuild holds in memory before it writes and forgets them. */
  constructor(private readonly options: { readonly rebuildHeldTenants?: number } = {}) {}

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    const tenantId = event.categoryId;
    const current = await tx.query<{ state: TenantState }>('select state from rm_tenants where tenant_id = $1 for update', [tenantId]);
    const before = current.rows[0]?.state ?? initialTenantState;
    const state = evolveTenant(before, event);
    if (!state.exists) return;
    await tx.query(
      `insert into rm_tenants (tenant_id, status, jurisdiction, time_zone, key_custody, backup_key_mode, shred_grace_working_days,
                               shred, onboarded_at, last_position, state)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (tenant_id) do update set
         status = excluded.status, shred = excluded.shred,
         last_position = excluded.last_position, state = excluded.state`,
      [
        tenantId,
        tenantStatus(state),
        state.jurisdiction,
        state.timeZone,
        state.keyCustody,
        state.backupKeyMode,
        state.shredGraceWorkingDays,
        JSON.stringify(shredView(state)),
        state.onboardedAt,
        event.position.toString(),
        JSON.stringify(state),
      ],
    );
    // The shred this event concerns (the tenant's current one) keeps its own row; earlier ones stay.
    const shred = shredView(state);
    if (shred) {
      await tx.query(
        `insert into rm_shreds (tenant_id, shred_id, status, shred) values ($1, $2, $3, $4)
         on conflict (tenant_id, shred_id) do update set status = excluded.status, shred = excluded.shred`,
        [tenantId, shred.shredId, shred.status, JSON.stringify(shred)],
      );
    }
  }

  /** A page at once: one fold (TenantViewFold) for the page, written at its end. */
  async handleBatch(events: readonly Delivered<typeof INTERESTS>[], tx: pg.PoolClient): Promise<void> {
    const fold = new TenantViewFold(Number.POSITIVE_INFINITY);
    await fold.prepare(events, tx);
    for (const event of events) fold.fold(event);
    await fold.flush(tx, true);
  }

  /** A rebuild's fold: tenants held across pages, so most are read never and written once. */
  rebuilder(): ProjectionRebuilder<typeof INTERESTS> {
    return new TenantViewFold(this.options.rebuildHeldTenants ?? REBUILD_HELD_TENANTS);
  }
}

/** Rows written per statement. */
const WRITE_ROWS = 1_000;

const UPSERT_TENANTS = `
  insert into rm_tenants (tenant_id, status, jurisdiction, time_zone, key_custody, backup_key_mode, shred_grace_working_days,
                          shred, onboarded_at, last_position, state)
  select tenant_id, status, jurisdiction, time_zone, key_custody, backup_key_mode, shred_grace_working_days,
         shred::jsonb, onboarded_at, last_position, state
    from jsonb_to_recordset($1::jsonb) as r(tenant_id text, status text, jurisdiction text, time_zone text, key_custody text,
         backup_key_mode text, shred_grace_working_days int, shred text, onboarded_at timestamptz, last_position bigint, state jsonb)
  on conflict (tenant_id) do update set
    status = excluded.status, shred = excluded.shred,
    last_position = excluded.last_position, state = excluded.state`;

const UPSERT_SHREDS = `
  insert into rm_shreds (tenant_id, shred_id, status, shred)
  select tenant_id, shred_id, status, shred from jsonb_to_recordset($1::jsonb) as r(tenant_id text, shred_id text, status text, shred jsonb)
  on conflict (tenant_id, shred_id) do update set status = excluded.status, shred = excluded.shred`;

/** A tenant's row as UPSERT_TENANTS reads it. */
function tenantRow(tenantId: string, state: TenantState, position: bigint) {
  return {
    tenant_id: tenantId,
    status: tenantStatus(state),
    jurisdiction: state.jurisdiction,
    time_zone: state.timeZone,
    key_custody: state.keyCustody,
    backup_key_mode: state.backupKeyMode,
    shred_grace_working_days: state.shredGraceWorkingDays,
    // As text: `handle` stores a missing shred as the JSON null, which the record set would make SQL NULL.
    shred: JSON.stringify(shredView(state)),
    onboarded_at: state.onboardedAt,
    last_position: position.toString(),
    state,
  };
}

/**
 * Tenants a rebuild holds in memory before it writes and forgets them: each is its state (about 2 KB
 * as JSON), so tens of MB at most, and a log of lifecycles that overlap in time is written about
 * once per tenant instead of once per page that touches it.
 */
const REBUILD_HELD_TENANTS = 20_000;

/**
 * Tenant rows folded in memory with the domain's evolve, leaving the rows `handle` leaves one event
 * at a time: each tenant's state is read once (a tenant without a row starts from the initial
 * state), and written at a flush with every shred folded since the last one (earlier shreds keep
 * their rows). A flush before the last writes only once more than `maxHeld` tenants are held, then
 * forgets them all (a later event reads its tenant's row again).
 */
class TenantViewFold implements ProjectionRebuilder<typeof INTERESTS> {
  private readonly states = new Map<string, TenantState>();
  /** Tenants whose state changed since the last write, with the position of the last such event. */
  private readonly changed = new Map<string, bigint>();
  private readonly shreds = new Map<string, { tenantId: string; shred: ShredView }>();

  constructor(private readonly maxHeld: number) {}

  async prepare(events: readonly Delivered<typeof INTERESTS>[], tx: pg.PoolClient): Promise<void> {
    const ids = [...new Set(events.map((e) => e.categoryId))].filter((id) => !this.states.has(id));
    if (ids.length === 0) return;
    const current = await tx.query<{ tenant_id: string; state: TenantState }>('select tenant_id, state from rm_tenants where tenant_id = any($1) for update', [ids]);
    for (const id of ids) this.states.set(id, initialTenantState);
    for (const row of current.rows) this.states.set(row.tenant_id, row.state);
  }

  fold(event: Delivered<typeof INTERESTS>): void {
    const tenantId = event.categoryId;
    const before = this.states.get(tenantId);
    if (!before) throw new Error(`tenant ${tenantId} was not prepared before its event was folded`);
    const state = evolveTenant(before, event);
    // `handle` writes nothing for a state that does not exist: the next event starts again from the stored one.
    if (!state.exists) return;
    this.states.set(tenantId, state);
    this.changed.set(tenantId, event.position);
    const shred = shredView(state);
    if (shred) this.shreds.set(JSON.stringify([tenantId, shred.shredId]), { tenantId, shred });
  }

  async flush(tx: pg.PoolClient, last: boolean): Promise<void> {
    if (!last && this.states.size <= this.maxHeld) return;
    const tenants = [...this.changed].map(([tenantId, position]) => tenantRow(tenantId, this.states.get(tenantId)!, position));
    const shreds = [...this.shreds.values()].map(({ tenantId, shred }) => ({ tenant_id: tenantId, shred_id: shred.shredId, status: shred.status, shred }));
    // In statements of at most WRITE_ROWS rows: PostgreSQL parses one huge JSON parameter far slower than several.
    for (let i = 0; i < tenants.length; i += WRITE_ROWS) await tx.query(UPSERT_TENANTS, [JSON.stringify(tenants.slice(i, i + WRITE_ROWS))]);
    for (let i = 0; i < shreds.length; i += WRITE_ROWS) await tx.query(UPSERT_SHREDS, [JSON.stringify(shreds.slice(i, i + WRITE_ROWS))]);
    this.changed.clear();
    this.shreds.clear();
    this.states.clear();
  }
}
