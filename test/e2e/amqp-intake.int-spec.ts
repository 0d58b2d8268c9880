// Terminations and deletion requests from RabbitMQ (apps/engine/src/intake), against this machine's
// broker (127.0.0.1:5672, guest/guest) and real engine processes: a message schedules the shred; the
// same message twice schedules it once; an invalid message and one for an unknown tenant land in the
// dead-letter queue with the field and rule in headers; a connection cut mid-stream loses and repeats
// nothing; a kill -9 between storing and acknowledging ends, after a restart, in one scheduling.
// The engine reaches the broker through a TCP proxy the test can cut; every run has its own exchange
// and queues (deleted at the end) so runs do not interfere.
import amqplib from 'amqplib';
import pg from 'pg';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { ENGINE_BOOT_TIMEOUT_MS, listeningUrl, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';
import { apiClient } from '../support/http-client.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const BROKER = { host: '127.0.0.1', port: 5672 };
const INSTALL_HINT = 'RabbitMQ on 127.0.0.1:5672 with the guest/guest account (Debian: apt-get install rabbitmq-server; service rabbitmq-server start)';

function reachable({ host, port }: { host: string; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

const HAVE_RABBITMQ = await reachable(BROKER);
if (!HAVE_RABBITMQ) console.warn(`test/e2e/amqp-intake.int-spec.ts: nothing listens on 127.0.0.1:5672, SKIPPED: needs ${INSTALL_HINT}`);
// Without RabbitMQ these tests show as skipped in the summary, never as passed.
const describeWithRabbitMq = HAVE_RABBITMQ ? describe : describe.skip;

const RUN = randomBytes(4).toString('hex');
const EXCHANGE = `lethe.test-${RUN}.contracts`;
const QUEUE = `lethe.test-${RUN}.intake`;
const DEAD = `lethe.test-${RUN}.intake.dead`;
const START = '2027-03-01T09:00:00.000Z';
const tokens = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  reader: `or-${randomBytes(12).toString('hex')}`,
};

let db: TestDatabase;
let pool: pg.Pool;
let dataDir: string;
let proxy: TcpProxy;
let publisher: amqplib.ChannelModel;
let channel: amqplib.ConfirmChannel;
const engines: EngineProcess[] = [];

async function boot(name: string, extra: Record<string, string> = {}) {
  const engine = spawnEngine({
    DATABASE_URL: db.url,
    LETHE_INSTANCE_ID: name,
    LETHE_DATA_DIR: dataDir,
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: START,
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_TOKENS: `operator:${tokens.operator},ops-reader:${tokens.reader}`,
    LETHE_INTAKE_AMQP_URL: `amqp://guest:guest@127.0.0.1:${proxy.port}/`,
    LETHE_INTAKE_AMQP_EXCHANGE: EXCHANGE,
    LETHE_INTAKE_AMQP_QUEUE: QUEUE,
    LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE: DEAD,
    ...extra,
  });
  engines.push(engine);
  const url = await listeningUrl(engine, name);
  // Consuming once the engine says so (its log), so a message published now is not left to a later instance.
  await waitUntil(() => /intake connected to RabbitMQ/.test(engine.output()), 30_000, `${name} to connect to RabbitMQ`);
  return { engine, api: apiClient(url) };
}

function publish(routingKey: string, body: unknown): Promise<void> {
  const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) =>
    channel.publish(EXCHANGE, routingKey, content, { persistent: true, contentType: 'application/json' }, (error: unknown) => (error ? reject(error) : resolve())),
  );
}

async function countEvents(stream: string, type: string): Promise<number> {
  const r = await pool.query<{ n: string }>('select count(*) as n from lethe_events where stream_id = $1 and event_type = $2', [stream, type]);
  return Number(r.rows[0].n);
}

async function eventIds(stream: string, type: string): Promise<string[]> {
  const r = await pool.query<{ id: string }>(`select data->>'terminationId' as id from lethe_events where stream_id = $1 and event_type = $2 order by stream_revision`, [stream, type]);
  return r.rows.map((row) => row.id);
}

/** Messages ready and unacknowledged in `queue`, as the broker counts them. */
async function queued(queue: string): Promise<number> {
  const { messageCount } = await channel.checkQueue(queue);
  return messageCount;
}

async function intakeCount(api: ReturnType<typeof apiClient>, kind: string, outcome: string): Promise<number> {
  const res = await api('GET', '/metrics', tokens.reader);
  const m = new RegExp(`^lethe_intake_messages_total\\{kind="${kind}",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(res.text);
  return m ? Number(m[1]) : 0;
}

/** Waits for the counter to reach `expected`: it moves just after the message is settled (acked or dead-lettered), so a test that saw the settling may read it a moment early. */
async function expectIntakeCount(api: ReturnType<typeof apiClient>, kind: string, outcome: string, expected: number): Promise<void> {
  let seen = -1;
  await waitUntil(async () => (seen = await intakeCount(api, kind, outcome)) === expected, 10_000, `lethe_intake_messages_total{kind="${kind}",outcome="${outcome}"} = ${expected}`).catch(() => undefined);
  expect(seen).toBe(expected);
}

async function onboard(api: ReturnType<typeof apiClient>, tenantId: string): Promise<void> {
  const res = await api('POST', '/v1/tenants', tokens.operator, {
    tenantId,
    jurisdiction: 'DE-BY',
    keyCustody: 'managed',
    backupKeyMode: 'platform',
    databases: [{ databaseId: 'db-1' }],
  });
  expect(res.status).toBe(201);
}

const termination = (tenantId: string, terminationId: string, extra: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  tenantId,
  terminationId,
  contractId: `c-${tenantId}`,
  effectiveAt: '2027-03-03T17:00:00Z',
  ...extra,
});

describeWithRabbitMq('contract intake over RabbitMQ', () => {
  let a: Awaited<ReturnType<typeof boot>>;
  let restarted: Awaited<ReturnType<typeof boot>> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', reportIdleError);
    dataDir = mkdtempSync(join(tmpdir(), 'lethe-amqp-intake-'));
    proxy = await startTcpProxy(BROKER);
    publisher = await amqplib.connect(`amqp://guest:guest@${BROKER.host}:${BROKER.port}/`);
    channel = await publisher.createConfirmChannel();
    // The engine asserts the same; asserted here too so nothing published before it connects is lost.
    await channel.assertExchange(EXCHANGE, 'topic', { durable: true });
    a = await boot('engine-a');
    for (const tenant of ['acme', 'beta', 'gamma', 'delta', 'epsilon']) await onboard(a.api, tenant);
  }, ENGINE_BOOT_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    for (const e of engines) e.kill('SIGKILL');
    await Promise.all(engines.map((e) => e.exited));
    if (channel) {
      await channel.deleteQueue(QUEUE).catch(() => undefined);
      await channel.deleteQueue(DEAD).catch(() => undefined);
      await channel.deleteExchange(EXCHANGE).catch(() => undefined);
    }
    await publisher?.close().catch(() => undefined);
    await proxy?.close();
    await pool?.end();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a termination schedules the shred; the same message again schedules nothing more', async () => {
    await publish('contract.terminated', termination('acme', 't-1'));
    await waitUntil(async () => (await countEvents('tenant-acme', 'ShredScheduled')) === 1, 20_000, 'the shred scheduled');
    await publish('contract.terminated', termination('acme', 't-1'));
    await waitUntil(async () => (await intakeCount(a.api, 'termination', 'processed')) === 2, 20_000, 'the duplicate acknowledged');
    expect(await countEvents('tenant-acme', 'ShredScheduled')).toBe(1);
    expect(await countEvents('contract-acme', 'ContractTerminated')).toBe(1);
    const tenant = await a.api('GET', '/v1/tenants/acme', tokens.reader);
    expect(tenant.body).toMatchObject({ status: 'shred-scheduled' });
    expect(await queued(QUEUE)).toBe(0);
  }, 60_000);

  it('the same terminationId with other facts is a conflict: dead-lettered, the first notice kept', async () => {
    await publish('contract.terminated', termination('acme', 't-1', { effectiveAt: '2027-04-04T17:00:00Z' }));
    await waitUntil(async () => (await queued(DEAD)) === 1, 20_000, 'the conflicting notice in the dead-letter queue');
    const dead = await channel.get(DEAD, { noAck: true });
    expect(dead && dead.properties.headers).toMatchObject({ 'x-lethe-rejected-code': 'termination-conflict' });
    expect(String(dead && dead.properties.headers?.['x-lethe-rejected-rule'])).toMatch(/terminationId t-1 was already recorded/);
    await expectIntakeCount(a.api, 'termination', 'refused', 1);
    expect(await countEvents('contract-acme', 'ContractTerminated')).toBe(1);
    const stored = await pool.query<{ effective: string }>(`select data->>'effectiveAt' as effective from lethe_events where stream_id = 'contract-acme' and event_type = 'ContractTerminated'`);
    expect(Date.parse(stored.rows[0]!.effective)).toBe(Date.parse('2027-03-03T17:00:00Z'));
  }, 60_000);

  it('a deletion request schedules the shred of its tenant', async () => {
    await publish('tenant.deletion-requested', { schemaVersion: 1, tenantId: 'beta', requestId: 'r-1' });
    await waitUntil(async () => (await countEvents('tenant-beta', 'ShredScheduled')) === 1, 20_000, 'the shred scheduled');
    await expectIntakeCount(a.api, 'deletion-request', 'processed', 1);
  }, 60_000);

  it('an invalid message goes to the dead-letter queue with the field and rule in headers, and is counted', async () => {
    await publish('contract.terminated', termination('acme', 't-bad', { effectiveAt: 'tomorrow' }));
    await waitUntil(async () => (await queued(DEAD)) === 1, 20_000, 'the message in the dead-letter queue');
    const dead = await channel.get(DEAD, { noAck: true });
    if (!dead) throw new Error('no message in the dead-letter queue');
    expect(dead.properties.headers).toMatchObject({
      'x-lethe-rejected-code': 'invalid',
      'x-lethe-rejected-field': 'effectiveAt',
      'x-lethe-original-routing-key': 'contract.terminated',
    });
    expect(String(dead.properties.headers?.['x-lethe-rejected-rule'])).toMatch(/ISO 8601/);
    expect(JSON.parse(dead.content.toString())).toMatchObject({ terminationId: 't-bad' });
    await expectIntakeCount(a.api, 'termination', 'invalid', 1);
    expect(await countEvents('contract-acme', 'ContractTerminated')).toBe(1);
    // A message without its schema version is refused the same way.
    await publish('contract.terminated', { tenantId: 'acme', terminationId: 't-2', contractId: 'c-1', effectiveAt: '2027-03-03T17:00:00Z' });
    await waitUntil(async () => (await queued(DEAD)) === 1, 20_000, 'the unversioned message in the dead-letter queue');
    const unversioned = await channel.get(DEAD, { noAck: true });
    expect(unversioned && unversioned.properties.headers).toMatchObject({ 'x-lethe-rejected-field': 'schemaVersion' });
  }, 60_000);

  it('a message for an unknown tenant is dead-lettered, not retried', async () => {
    await publish('contract.terminated', termination('nobody', 't-1'));
    await waitUntil(async () => (await queued(DEAD)) === 1, 20_000, 'the message in the dead-letter queue');
    const dead = await channel.get(DEAD, { noAck: true });
    expect(dead && dead.properties.headers).toMatchObject({ 'x-lethe-rejected-code': 'tenant-not-found', 'x-lethe-rejected-field': 'tenantId' });
    await expectIntakeCount(a.api, 'termination', 'unknown-tenant', 1);
    expect(await intakeCount(a.api, 'termination', 'retried')).toBe(0);
    expect(await queued(QUEUE)).toBe(0);
  }, 60_000);

  it('the connection cut mid-stream: every message is still processed exactly once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `burst-${i + 1}`);
    for (const id of ids) await publish('contract.terminated', termination('gamma', id));
    await waitUntil(async () => (await countEvents('contract-gamma', 'ContractTerminated')) >= 3, 20_000, 'a few messages processed');
    await proxy.cut();
    // Cut mid-stream: some messages stored, others still queued or in hand.
    expect(await countEvents('contract-gamma', 'ContractTerminated')).toBeLessThan(ids.length);
    await new Promise((r) => setTimeout(r, 1500));
    await proxy.restore();
    await waitUntil(async () => (await countEvents('contract-gamma', 'ContractTerminated')) === ids.length && (await queued(QUEUE)) === 0, 60_000, 'every message processed');
    expect((await eventIds('contract-gamma', 'ContractTerminated')).sort()).toEqual([...ids].sort());
    expect(await countEvents('tenant-gamma', 'ShredScheduled')).toBe(1);
    expect(a.engine.output()).toMatch(/connection to RabbitMQ lost/);
    // While the proxy was down, attempts failed and were spaced out; the URL's credentials never logged.
    expect(a.engine.output()).toMatch(/RabbitMQ unreachable, retrying with backoff/);
    expect(a.engine.output()).not.toContain('guest:guest@');
  }, 120_000);

  it('kill -9 between storing and acknowledging: after a restart the termination is scheduled exactly once', async () => {
    a.engine.kill('SIGTERM');
    await a.engine.exited;
    const doomed = await boot('engine-crash', { LETHE_CRASH_AT: 'intake:recorded' });
    await publish('contract.terminated', termination('delta', 't-1'));
    const { signal } = await doomed.engine.exited;
    expect(signal).toBe('SIGKILL');
    // Stored, not acknowledged: the broker holds it for the next consumer.
    expect(await countEvents('contract-delta', 'ContractTerminated')).toBe(1);
    await waitUntil(async () => (await queued(QUEUE)) === 1, 20_000, 'the unacknowledged message back in the queue');
    const b = await boot('engine-b');
    await waitUntil(async () => (await queued(QUEUE)) === 0 && (await intakeCount(b.api, 'termination', 'processed')) === 1, 30_000, 'the redelivered message acknowledged');
    expect(await countEvents('contract-delta', 'ContractTerminated')).toBe(1);
    expect(await countEvents('tenant-delta', 'ShredScheduled')).toBe(1);
    restarted = b;
  }, ENGINE_BOOT_TIMEOUT_MS * 2 + 60_000);

  it('two instances on one queue, every message published twice: one append per termination', async () => {
    const b = restarted!;
    const c = await boot('engine-c');
    const before = await intakeCount(b.api, 'termination', 'processed');
    const ids = Array.from({ length: 10 }, (_, i) => `twice-${i + 1}`);
    for (const id of ids) {
      await publish('contract.terminated', termination('epsilon', id));
      await publish('contract.terminated', termination('epsilon', id));
    }
    const processed = async () => (await intakeCount(b.api, 'termination', 'processed')) - before + (await intakeCount(c.api, 'termination', 'processed'));
    await waitUntil(async () => (await processed()) === ids.length * 2 && (await queued(QUEUE)) === 0, 60_000, 'every copy acknowledged');
    // Both consumed (the broker hands prefetched messages out in turn), copies of one termination side by side.
    expect(await intakeCount(c.api, 'termination', 'processed')).toBeGreaterThan(0);
    expect((await intakeCount(b.api, 'termination', 'processed')) - before).toBeGreaterThan(0);
    expect((await eventIds('contract-epsilon', 'ContractTerminated')).sort()).toEqual([...ids].sort());
    expect(await countEvents('tenant-epsilon', 'ShredScheduled')).toBe(1);
    expect(await intakeCount(b.api, 'termination', 'retried')).toBe(0);
  }, ENGINE_BOOT_TIMEOUT_MS + 90_000);
});
