// Part of `npm run bench`: the key-ring projection's cost per event for a ring with 10 backups
// against one with 10,000, in the same database and run, each event in its own transaction as the
// processor applies it (begin, handle, commit). The projection must not get dearer as a ring ages:
// target large/small <= 1.25. Prints a table and writes results/projection-latest.json.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { KeyRingEvent } from '@lethe/domain';
import type { RecordedEvent } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { processorMigrations, deliverable } from '@lethe/processors';
import { KeyRingsProjection, readModelMigrations } from '@lethe/readmodel';
import { writeNamedJson } from './report.js';
import { openBenchDatabase } from './server.js';

const SMALL = 10;
const LARGE = 10_000;
/** A backup every 15 minutes; a new key version every this many backups (about 10 days). */
const BACKUP_EVERY_MS = 15 * 60_000;
const BACKUPS_PER_VERSION = 1_000;
const ROUNDS = 5;
/** Measured events per ring per round (cycles of 4). */
const EVENTS_PER_ROUND = 400;
const TARGET = 1.25;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const DAY = 24 * 60 * 60_000;

const iso = (t: number) => new Date(t).toISOString();

/** A ring's history like the engine writes it: opened with 2 databases, a backup every 15 minutes, rotated and re-protected every BACKUPS_PER_VERSION backups. */
class Ring {
  readonly events: KeyRingEvent[] = [];
  private versions = 1;
  private backups = 0;
  private t = T0;

  constructor(readonly tenantId: string) {
    this.events.push({
      type: 'KeyRingOpened',
      data: {
        tenantId,
        keyId: `${tenantId}-key`,
        keyCustody: 'managed',
        rotationPeriodDays: 365,
        pitrRetentionDays: 35,
        version: { keyVersionId: this.version(1), createdAt: iso(T0) },
        databases: ['db-1', 'db-2'],
        at: iso(T0),
      },
    });
  }

  private version(n: number): string {
    return `${this.tenantId}-v${n}`;
  }

  /** The next backup: needs the current version, and the previous one when its window straddles a rotation. */
  backup(): { events: KeyRingEvent[]; backupId: string } {
    this.t += BACKUP_EVERY_MS;
    const events: KeyRingEvent[] = [];
    let needs = [this.version(this.versions)];
    if (this.backups > 0 && this.backups % BACKUPS_PER_VERSION === 0) {
      const from = this.version(this.versions);
      const to = this.version(++this.versions);
      const at = iso(this.t - 1000);
      events.push({ type: 'KeyVersionAdded', data: { keyVersionId: to, source: 'policy', createdAt: at, at } });
      for (const databaseId of ['db-1', 'db-2']) events.push({ type: 'DatabaseReprotected', data: { databaseId, fromKeyVersionId: from, toKeyVersionId: to, at } });
      needs = [from, to];
    }
    const backupId = `b-${String(++this.backups).padStart(7, '0')}`;
    const takenAt = iso(this.t);
    events.push({
      type: 'BackupRecorded',
      data: {
        backupId,
        databaseId: 'db-1',
        kind: 'pitr',
        coveredFrom: iso(this.t - BACKUP_EVERY_MS),
        takenAt,
        expiresAt: iso(this.t + 35 * DAY),
        protection: 'customer-key',
        keyVersionIds: needs,
        restoreKeyVersionId: needs[needs.length - 1],
        unrestorable: null,
        at: takenAt,
      },
    });
    this.events.push(...events);
    return { events, backupId };
  }

  /** One measured cycle of 4 events: a backup recorded, its retention changed, another recorded, the first deleted (the ring grows by one). */
  cycle(): KeyRingEvent[] {
    const first = this.backup();
    const at = iso(this.t);
    const retention: KeyRingEvent = { type: 'BackupRetentionChanged', data: { backupId: first.backupId, expiresAt: iso(this.t + 40 * DAY), at } };
    this.events.push(retention);
    const second = this.backup();
    const deleted: KeyRingEvent = { type: 'BackupDeleted', data: { backupId: first.backupId, at } };
    this.events.push(deleted);
    return [...first.events, retention, ...second.events, deleted];
  }
}

function recorded(tenantId: string, revision: number, e: KeyRingEvent): RecordedEvent {
  return {
    id: randomUUID(),
    streamId: `keys-${tenantId}`,
    revision: BigInt(revision),
    position: BigInt(revision + 1),
    type: e.type,
    data: JSON.parse(JSON.stringify(e.data)),
    metadata: {},
    recordedAt: new Date(),
  };
}

/** Projects events, one transaction each (or one for all when `batch`); answers ms per event. */
async function project(client: pg.PoolClient, projection: KeyRingsProjection, tenantId: string, events: readonly KeyRingEvent[], from: number, batch = false): Promise<number> {
  const start = performance.now();
  if (batch) await client.query('begin');
  for (const [i, e] of events.entries()) {
    if (!batch) await client.query('begin');
    await projection.handle(deliverable(projection.interests, recorded(tenantId, from + i, e))!, client);
    if (!batch) await client.query('commit');
  }
  if (batch) await client.query('commit');
  return (performance.now() - start) / events.length;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  console.log(`PostgreSQL: ${db.source} at ${db.server}, database ${db.database}`);
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  pool.on('error', () => undefined);
  const projection = new KeyRingsProjection();
  try {
    await runMigrations(db.url, [...processorMigrations, ...readModelMigrations]);
    const client = await pool.connect();
    try {
      const rings = { small: new Ring('small'), large: new Ring('large') };
      const load = { small: SMALL, large: LARGE };
      for (const [name, ring] of Object.entries(rings) as [keyof typeof rings, Ring][]) {
        const start = performance.now();
        for (let i = 0; i < load[name]; i++) ring.backup();
        const ms = await project(client, projection, ring.tenantId, ring.events, 0, true);
        console.log(`  loaded ${name} ring: ${ring.events.length.toLocaleString('en-US')} events (${load[name].toLocaleString('en-US')} backups) in ${((performance.now() - start) / 1000).toFixed(1)} s (${ms.toFixed(3)} ms/event in one transaction)`);
      }
      await client.query('analyze');
      const perEvent = { small: [] as number[], large: [] as number[] };
      // Warm-up, then rounds alternating which ring goes first.
      for (let round = -1; round < ROUNDS; round++) {
        const order: (keyof typeof rings)[] = round % 2 === 0 ? ['small', 'large'] : ['large', 'small'];
        for (const name of order) {
          const ring = rings[name];
          const from = ring.events.length;
          const events: KeyRingEvent[] = [];
          while (events.length < EVENTS_PER_ROUND) events.push(...ring.cycle());
          const ms = await project(client, projection, ring.tenantId, events, from);
          if (round >= 0) perEvent[name].push(ms);
          console.log(`  [${round < 0 ? 'warm-up' : `round ${round + 1}`}] ${name}: ${ms.toFixed(3)} ms/event`);
        }
      }
      const small = median(perEvent.small);
      const large = median(perEvent.large);
      const ratio = large / small;
      const backups = await client.query<{ tenant_id: string; n: string }>('select tenant_id, count(*) as n from rm_backups group by tenant_id order by tenant_id');
      console.log('');
      console.log('workload                                       ms/event  ratio  target   result');
      console.log('---------------------------------------------  --------  -----  -------  ------');
      console.log(`key-ring projection, ring of ${SMALL} backups`.padEnd(45) + `  ${small.toFixed(3).padStart(8)}`);
      console.log(
        `key-ring projection, ring of ${LARGE.toLocaleString('en-US')} backups`.padEnd(45) +
          `  ${large.toFixed(3).padStart(8)}  ${ratio.toFixed(2).padStart(5)}  <= ${TARGET.toFixed(2)}  ${ratio <= TARGET ? 'PASS' : 'FAIL'}`,
      );
      console.log(`(medians of ${ROUNDS} rounds of ${EVENTS_PER_ROUND} events; rows at the end: ${backups.rows.map((r) => `${r.tenant_id} ${r.n}`).join(', ')})`);
      const file = writeNamedJson('projection-latest.json', {
        server: { source: db.source, address: db.server, version: db.version, database: db.database },
        settings: { rounds: ROUNDS, eventsPerRound: EVENTS_PER_ROUND, smallBackups: SMALL, largeBackups: LARGE, backupsPerVersion: BACKUPS_PER_VERSION },
        results: [
          {
            workload: 'key-ring projection cost per event, ring of 10,000 backups over ring of 10',
            smallMsPerEvent: { median: Number(small.toFixed(4)), runs: perEvent.small.map((x) => Number(x.toFixed(4))) },
            largeMsPerEvent: { median: Number(large.toFixed(4)), runs: perEvent.large.map((x) => Number(x.toFixed(4))) },
            ratio: Number(ratio.toFixed(3)),
            target: `<= ${TARGET}`,
            result: ratio <= TARGET ? 'PASS' : 'FAIL',
          },
        ],
      });
      console.log(`Results written to ${file}`);
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
