// Boot with LETHE_EVENT_STORE=eventstoredb against a real PostgreSQL (checkpoints, the PostgreSQL
// log) and the adapter over a fake of the EventStoreDB client (no server here): the log must be the
// one the checkpoints were taken in.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { EventStoreDbEventStore, PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { processorMigrations } from '@lethe/processors';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { FakeEsdbClient } from '../../../../libs/eventstore/test-support/fake-esdb-client.js';
import { EventStoreMismatchError, openEventStore } from './event-store-at-boot.js';
import type { Database } from './database.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeEach(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...processorMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
});

afterEach(async () => {
  await pool.end();
  await db.drop();
});

const config = { kind: 'eventstoredb', connectionString: 'esdb://localhost:2113?tls=false' } as const;
const ev = () => ({ id: randomUUID(), type: 'TenantOnboarded', data: {}, metadata: { schemaVersion: 1 } });

function open(fake: FakeEsdbClient) {
  return openEventStore(config, { pool } as unknown as Database, { info: () => undefined }, (_c, options) => new EventStoreDbEventStore(fake.asClient(), options));
}

describe('the EventStoreDB log at boot', () => {
  it("opens on a new database, filtered to the domain's categories, and checkpoints within its log", async () => {
    const fake = new FakeEsdbClient();
    fake.write('orders-1', 'OrderPlaced');
    const first = await open(fake);
    const { positions } = await first.store.append('tenant-t1', [ev()], 'no-stream');
    await first.close();
    await pool.query("insert into lethe_checkpoints (processor, position) values ('projection:tenants', $1)", [positions[0].toString()]);
    const again = await open(fake);
    expect((await again.store.readAll(0n, 10)).map((e) => e.streamId)).toEqual(['tenant-t1']);
    await again.close();
  });

  it('refuses a database whose log is in PostgreSQL', async () => {
    const postgres = new PostgresEventStore(pool);
    await postgres.append('tenant-t1', [ev()], 'no-stream');
    await postgres.close();
    const attempt = open(new FakeEsdbClient());
    await expect(attempt).rejects.toBeInstanceOf(EventStoreMismatchError);
    await expect(open(new FakeEsdbClient())).rejects.toThrow(/^LETHE_EVENT_STORE: eventstoredb refused: this database holds its event log in PostgreSQL/);
  });

  it("refuses checkpoints ahead of the log's head (the log restored behind the database, or another server)", async () => {
    const fake = new FakeEsdbClient();
    fake.write('tenant-t1', 'TenantOnboarded');
    const head = fake.log[0].position;
    await pool.query("insert into lethe_checkpoints (processor, position) values ('projection:tenants', $1)", [(head + 1000n).toString()]);
    await expect(open(fake)).rejects.toThrow(/checkpoints \(up to \d+\) are ahead of the EventStoreDB log's head/);
    expect(fake.disposed).toBe(true);
  });
});
