// Where aggregate snapshots live (lethe_snapshots): one row per stream, the newest wins.
import type pg from 'pg';

/** A stream's state as folded up to `revision` (inclusive), in the aggregate's state schema `stateVersion`. */
export interface Snapshot {
  readonly streamId: string;
  readonly revision: bigint;
  readonly stateVersion: number;
  /** The state as JSON: what JSON.parse(JSON.stringify(state)) gives. */
  readonly state: unknown;
}

export interface SnapshotStore {
  /** The stream's snapshot, or null when none was written. */
  read(streamId: string): Promise<Snapshot | null>;
  /**
   * Keeps the snapshot unless the stored one is newer: a higher state schema version, or the same
   * version at a revision at least as high. Safe with concurrent writers of one stream.
   */
  write(snapshot: Snapshot): Promise<void>;
}

interface Row {
  revision: string;
  state_version: number;
  state: unknown;
}

export class PostgresSnapshotStore implements SnapshotStore {
  constructor(private readonly pool: pg.Pool) {}

  async read(streamId: string): Promise<Snapshot | null> {
    const res = await this.pool.query<Row>('select revision, state_version, state from lethe_snapshots where stream_id = $1', [streamId]);
    const row = res.rows[0];
    return row ? { streamId, revision: BigInt(row.revision), stateVersion: row.state_version, state: row.state } : null;
  }

  async write(snapshot: Snapshot): Promise<void> {
    // Compared as (state_version, revision): a newer engine's schema is never replaced by an older
    // engine's snapshot during a rolling deploy, and within one schema the higher revision wins.
    await this.pool.query({
      text: `insert into lethe_snapshots (stream_id, revision, state_version, state, written_at)
             values ($1, $2, $3, $4, now())
             on conflict (stream_id) do update
               set revision = excluded.revision, state_version = excluded.state_version, state = excluded.state, written_at = excluded.written_at
             where (lethe_snapshots.state_version, lethe_snapshots.revision) < (excluded.state_version, excluded.revision)`,
      values: [snapshot.streamId, snapshot.revision.toString(), snapshot.stateVersion, JSON.stringify(snapshot.state)],
    });
  }
}
