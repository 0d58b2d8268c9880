// Read model of the contract-stream events Lethe refused (GET /v1/rejected-events): which event,
// where, when and which rules it broke. Never the values sent: the event itself stays in the log.
import type pg from 'pg';
import { Column, Entity, Index, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { contractCategory } from '@lethe/domain';
import { on, type Delivered, type Processor } from '@lethe/processors';

@Entity({ name: 'rm_rejected_events' })
export class RejectedEventView {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ name: 'stream_id', type: 'text' }) streamId!: string;
  @Column({ type: 'int' }) revision!: number;
  @Column({ name: 'event_type', type: 'text' }) eventType!: string;
  @Column({ type: 'jsonb' }) errors!: { field: string; rule: string }[];
  @Index() @Column({ name: 'rejected_at', type: 'timestamptz' }) rejectedAt!: Date;
  @Column({ type: 'bigint' }) position!: string;
}

export class CreateRejectedEventsView1764400000024 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table rm_rejected_events (
        event_id uuid primary key, stream_id text not null, revision int not null, event_type text not null,
        errors jsonb not null, rejected_at timestamptz not null, position bigint not null)`);
    await q.query('create index rm_rejected_events_position on rm_rejected_events (position)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table rm_rejected_events');
  }
}

const INTERESTS = [on(contractCategory, ['ContractEventRejected'])] as const;

export class RejectedEventsProjection implements Processor<typeof INTERESTS> {
  readonly name = 'projection:rejected-events';
  readonly interests = INTERESTS;

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    const d = event.data;
    await tx.query(
      `insert into rm_rejected_events (event_id, stream_id, revision, event_type, errors, rejected_at, position)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict (event_id) do nothing`,
      [d.eventId, event.streamId, d.revision, d.eventType, JSON.stringify(d.errors), d.at, event.position.toString()],
    );
  }
}
