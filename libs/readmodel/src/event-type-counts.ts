// Read model: how many events of each type the log holds, and the last position counted.
// Ops use it to see activity at a glance; it is also the engine's first projection, so the
// processor machinery (lease, checkpoint, dead letters) runs from the first boot.
import type pg from 'pg';
import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { everyStream, on, type Delivered, type Processor } from '@lethe/processors';

@Entity({ name: 'rm_event_type_counts' })
export class EventTypeCount {
  @PrimaryColumn({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ type: 'bigint' })
  count!: string;

  @Column({ name: 'last_position', type: 'bigint' })
  lastPosition!: string;
}

export class CreateEventTypeCounts1764400000010 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table rm_event_type_counts (
        event_type    text primary key,
        count         bigint not null,
        last_position bigint not null
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table rm_event_type_counts');
  }
}

const INTERESTS = [on(everyStream, 'any')] as const;

export class EventTypeCountsProjection implements Processor<typeof INTERESTS> {
  readonly name = 'projection:event-type-counts';
  readonly interests = INTERESTS;

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    await tx.query(
      `insert into rm_event_type_counts (event_type, count, last_position) values ($1, 1, $2)
       on conflict (event_type) do update set count = rm_event_type_counts.count + 1, last_position = excluded.last_position`,
      [event.type, event.position.toString()],
    );
  }

  /** One upsert per page: each type's count in the run and its last position. */
  async handleBatch(events: readonly Delivered<typeof INTERESTS>[], tx: pg.PoolClient): Promise<void> {
    const runs = new Map<string, { count: number; last: bigint }>();
    for (const e of events) {
      const run = runs.get(e.type) ?? { count: 0, last: 0n };
      runs.set(e.type, { count: run.count + 1, last: e.position });
    }
    await tx.query(
      `insert into rm_event_type_counts (event_type, count, last_position)
       select * from unnest($1::text[], $2::bigint[], $3::bigint[])
       on conflict (event_type) do update set count = rm_event_type_counts.count + excluded.count, last_position = excluded.last_position`,
      [[...runs.keys()], [...runs.values()].map((r) => r.count), [...runs.values()].map((r) => r.last.toString())],
    );
  }
}
