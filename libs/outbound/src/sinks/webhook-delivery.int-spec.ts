// Webhooks over real PostgreSQL and real HTTP servers started here: the receivers check signatures
// as docs/events.md's sample receiver does. An endpoint that fails 3 times then succeeds gets the
// event once more after each failure and keeps it; one signing with a wrong secret is refused and
// its deliveries end dead; an endpoint that hangs or is down holds back none of the others, and gets
// everything, in order, once it answers again.
import pg from 'pg';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { ProcessorRunner, processorMigrations } from '@lethe/processors';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { DeliveryDispatcher } from '../delivery/delivery-dispatcher.js';
import { outboundMigrations } from '../outbox/outbound.migrations.js';
import { OutboxProcessor } from '../outbox/outbox.processor.js';
import { verifyWebhookSignature } from '../webhooks/webhook-signature.js';
import { WebhookSink } from './webhook-sink.js';

const SECRET = `whsec-${randomUUID()}`;

interface Receiver {
  readonly url: string;
  /** Bodies accepted (signature valid, answered 204), in arrival order. */
  readonly accepted: { id: string; tenantId: string; position: string; data: { keyVersionId: string } }[];
  /** Requests answered otherwise, with the status given. */
  readonly refused: number[];
  /** Decides the answer of a request with a valid signature (default 204). */
  answer: (n: number) => number | 'hang';
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** The sample receiver of docs/events.md: raw body, signature checked in constant time, then 2xx. */
async function startReceiver(secret: string): Promise<Receiver> {
  let port = 0;
  let server: http.Server | undefined;
  let valid = 0;
  const receiver: Receiver = {
    get url() {
      return `http://127.0.0.1:${port}/hooks/lethe`;
    },
    accepted: [],
    refused: [],
    answer: () => 204,
    stop: async () => {
      const s = server;
      server = undefined;
      s?.closeAllConnections();
      if (s) await new Promise((r) => s.close(r));
    },
    start: () =>
      new Promise((resolve) => {
        const s = http.createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const header = req.headers['lethe-signature'];
            const check = verifyWebhookSignature({ header: typeof header === 'string' ? header : undefined, body, secret, nowSeconds: Math.floor(Date.now() / 1000) });
            if (!check.ok) {
              receiver.refused.push(401);
              res.writeHead(401).end();
              return;
            }
            const status = receiver.answer(++valid);
            if (status === 'hang') return;
            if (status >= 200 && status < 300) receiver.accepted.push(JSON.parse(body));
            else receiver.refused.push(status);
            res.writeHead(status).end();
          });
        });
        s.listen(port, '127.0.0.1', () => {
          port = (s.address() as AddressInfo).port;
          server = s;
          resolve();
        });
      }),
  };
  await receiver.start();
  return receiver;
}

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
const running: { stop(): Promise<void> }[] = [];
const receivers: Receiver[] = [];

// A database per test: each test's outbox reads the log from its start.
beforeEach(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...processorMigrations, ...outboundMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 16 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
});

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const r of receivers.splice(0)) await r.stop();
  await store?.close();
  await pool?.end();
  await db?.drop();
});

/** Runs the outbox and delivers to `sinks`. */
function deliverTo(sinks: WebhookSink[], maxAttempts = 100): void {
  const runner = new ProcessorRunner(pool, store, new OutboxProcessor(sinks), { owner: 'test', skipFlushMs: 20 });
  const dispatcher = new DeliveryDispatcher(pool, sinks, { pollMs: 50, retry: { baseMs: 100, maxMs: 400, maxAttempts }, random: () => 0 });
  runner.start();
  dispatcher.start();
  running.push(dispatcher, runner);
}

async function receiver(secret = SECRET): Promise<Receiver> {
  const r = await startReceiver(secret);
  receivers.push(r);
  return r;
}

const sinkFor = (name: string, r: Receiver, secret = SECRET, timeoutMs = 2_000) =>
  new WebhookSink({ name: `${name}-${randomUUID().slice(0, 8)}`, url: r.url, secret, types: 'all' }, { timeoutMs });

async function addVersions(tenantId: string, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) {
    const at = new Date(Date.UTC(2028, 0, 1) + i * 60_000).toISOString();
    await store.append(`keys-${tenantId}`, [{ id: randomUUID(), type: 'KeyVersionAdded', data: { keyVersionId: `kv-${i}`, source: 'policy', createdAt: at, at } }], 'any');
  }
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const versionsOf = (r: Receiver, tenantId: string) => r.accepted.filter((e) => e.tenantId === tenantId).map((e) => e.data.keyVersionId);

it('an endpoint that fails 3 times then succeeds gets the event on the 4th attempt, once, with the same id', async () => {
  const r = await receiver();
  r.answer = (n) => (n <= 3 ? 503 : 204);
  const sink = sinkFor('flaky', r);
  deliverTo([sink]);
  const tenantId = `flaky-${randomUUID()}`;
  await addVersions(tenantId, 1);
  await waitFor('the delivery recorded', async () => (await pool.query(`select 1 from lethe_outbound_deliveries where sink = $1 and state = 'delivered'`, [sink.name])).rowCount === 1);
  expect(r.accepted).toHaveLength(1);
  expect(r.refused).toEqual([503, 503, 503]);
  const row = await pool.query('select state, attempts, last_error, event_id::text from lethe_outbound_deliveries where sink = $1', [sink.name]);
  expect(row.rows).toEqual([{ state: 'delivered', attempts: 4, last_error: null, event_id: r.accepted[0].id }]);
});

it('a request signed with another secret is refused by the sample receiver; retries end in a dead delivery', async () => {
  const r = await receiver();
  const sink = sinkFor('wrong-secret', r, `whsec-${randomUUID()}`);
  deliverTo([sink], 3);
  const tenantId = `wrong-${randomUUID()}`;
  await addVersions(tenantId, 1);
  await waitFor('a dead delivery', async () => (await pool.query(`select 1 from lethe_outbound_deliveries where sink = $1 and state = 'dead'`, [sink.name])).rowCount === 1);
  expect(r.refused).toEqual([401, 401, 401]);
  expect(r.accepted).toEqual([]);
  const row = await pool.query('select attempts, last_error from lethe_outbound_deliveries where sink = $1', [sink.name]);
  expect(row.rows).toEqual([{ attempts: 3, last_error: 'answered HTTP 401' }]);
});

it('an endpoint that hangs holds back none of the others', async () => {
  const slow = await receiver();
  slow.answer = () => 'hang';
  const fast = await receiver();
  deliverTo([sinkFor('hangs', slow, SECRET, 5_000), sinkFor('fast', fast)]);
  const tenants = Array.from({ length: 4 }, () => `many-${randomUUID()}`);
  await Promise.all(tenants.map((t) => addVersions(t, 5)));
  const started = Date.now();
  await waitFor('the fast endpoint to have everything', () => fast.accepted.length === 20, 4_000);
  expect(Date.now() - started).toBeLessThan(4_000);
  for (const t of tenants) expect(versionsOf(fast, t)).toEqual(['kv-1', 'kv-2', 'kv-3', 'kv-4', 'kv-5']);
  expect(slow.accepted).toEqual([]);
});

it('an endpoint down for a while gets everything, in order per tenant, once it is back', async () => {
  const r = await receiver();
  const sink = sinkFor('down', r);
  await r.stop();
  deliverTo([sink]);
  const tenants = Array.from({ length: 3 }, () => `down-${randomUUID()}`);
  await Promise.all(tenants.map((t) => addVersions(t, 4)));
  await waitFor('failed attempts', async () => (await pool.query('select 1 from lethe_outbound_deliveries where sink = $1 and attempts >= 2', [sink.name])).rowCount! > 0);
  const failing = await pool.query(`select distinct last_error from lethe_outbound_deliveries where sink = $1 and attempts > 0`, [sink.name]);
  expect(failing.rows).toEqual([{ last_error: 'no answer: ECONNREFUSED' }]);

  await r.start();
  await waitFor('every event delivered', () => r.accepted.length === 12);
  for (const t of tenants) expect(versionsOf(r, t)).toEqual(['kv-1', 'kv-2', 'kv-3', 'kv-4']);
  expect(new Set(r.accepted.map((e) => e.id)).size).toBe(12);
});

it('two instances draining one sink deliver each event once, each tenant in order', async () => {
  const r = await receiver();
  const sink = sinkFor('shared', r);
  deliverTo([sink]);
  const second = new DeliveryDispatcher(pool, [sink], { pollMs: 10, retry: { baseMs: 100, maxMs: 400, maxAttempts: 100 } });
  second.start();
  running.push(second);
  const tenants = Array.from({ length: 4 }, () => `shared-${randomUUID()}`);
  await Promise.all(tenants.map((t) => addVersions(t, 10)));
  await waitFor('every event delivered', async () => (await pool.query(`select 1 from lethe_outbound_deliveries where sink = $1 and state = 'delivered'`, [sink.name])).rowCount === 40);
  expect(r.accepted).toHaveLength(40);
  for (const t of tenants) expect(versionsOf(r, t)).toEqual(Array.from({ length: 10 }, (_, i) => `kv-${i + 1}`));
});
