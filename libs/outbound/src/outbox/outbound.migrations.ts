import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox: each integration event once (its body as sent, byte for byte on every attempt), and one
 * delivery row per (sink, event), which is the sink's durable queue: pending in position order per
 * tenant, then delivered or dead (retries exhausted; visible to ops until replayed).
 */
export class CreateOutboundTables1764400000190 implements MigrationInterface {
  name = 'CreateOutboundTables1764400000190';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table lethe_outbound_events (
        id         uuid primary key,
        tenant_id  text not null,
        type       text not null,
        position   bigint not null,
        body       text not null,
        stored_at  timestamptz not null default now()
      )`);
    await q.query('create index lethe_outbound_events_tenant on lethe_outbound_events (tenant_id, position)');
    await q.query(`
      create table lethe_outbound_deliveries (
        sink            text not null,
        event_id        uuid not null references lethe_outbound_events (id),
        tenant_id       text not null,
        position        bigint not null,
        state           text not null default 'pending' check (state in ('pending', 'delivered', 'dead')),
        attempts        int not null default 0,
        next_attempt_at timestamptz not null default now(),
        last_error      text,
        delivered_at    timestamptz,
        dead_at         timestamptz,
        replays         int not null default 0,
        primary key (sink, event_id)
      )`);
    await q.query(`create index lethe_outbound_deliveries_queue on lethe_outbound_deliveries (sink, tenant_id, position) where state = 'pending'`);
    await q.query(`create index lethe_outbound_deliveries_dead on lethe_outbound_deliveries (sink, dead_at) where state = 'dead'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table lethe_outbound_deliveries');
    await q.query('drop table lethe_outbound_events');
  }
}

/** Pruning (outbox-pruning.ts) finds old events by age without reading the whole outbox. */
export class IndexOutboundEventAge1764400000230 implements MigrationInterface {
  name = 'IndexOutboundEventAge1764400000230';

  async up(q: QueryRunner): Promise<void> {
    await q.query('create index lethe_outbound_events_stored_at on lethe_outbound_events (stored_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index lethe_outbound_events_stored_at');
  }
}

export const outboundMigrations = [CreateOutboundTables1764400000190, IndexOutboundEventAge1764400000230];
