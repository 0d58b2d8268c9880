/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// The engine's outbound delivery, end to end: a real engine (child process) on real PostgreSQL,
// publishing to this machine's RabbitMQ and to a webhook receiver started here. The engine is killed
// (kill -9) after the integration event is stored and claimed, before anything is sent; after a
// restart it is published exactly once (the consumers see one id). Then the ops routes: a replay to
// one sink re-sends with the same id; bad input is a 400 naming the field; dead letters are listed.
import pg from 'pg';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyWebhookSignature } from '@lethe/outbound';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { listeningUrl, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';
import { apiClient } from '../support/http-client.js';
import { RABBITMQ_HINT, RABBITMQ_URL, consumeExchange, deleteExchange, rabbitMqAnswers } from '../support/rabbitmq.js';

const HAVE_RABBITMQ = await rabbitMqAnswers();
if (!HAVE_RABBITMQ) console.warn(`test/e2e/outbound-engine.int-spec.ts: SKIPPED: ${RABBITMQ_HINT}`);
// Without RabbitMQ these tests show as skipped in the summary, never as passed.
const describeWithRabbitMq = HAVE_RABBITMQ ? describe : describe.skip;

const tokens = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  contract: `cs-${randomBytes(12).toString('hex')}`,
  admin: `ad-${randomBytes(12).toString('hex')}`,
  reader: `or-${randomBytes(12).toString('hex')}`,
};
const SECRET = `whsec-${randomBytes(24).toString('hex')}`;
const MASTER_KEY = randomBytes(32).toString('base64');

describeWithRabbitMq('outbound delivery from the engine', () => {
  const exchange = `lethe.test.${randomUUID()}`;
  let db: TestDatabase;
  let pool: pg.Pool;
  let dataDir: string;
  let consumer: Awaited<ReturnType<typeof consumeExchange>>;
  let receiver: http.Server;
  const hooks: { id: string; type: string; tenantId: string }[] = [];
  const refusedHooks: string[] = [];
  const engines: EngineProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', reportIdleError);
    dataDir = mkdtempSync(join(tmpdir(), 'lethe-outbound-'));
    consumer = await consumeExchange(exchange);
    // The sample receiver of docs/events.md.
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = req.headers['lethe-signature'];
        const check = verifyWebhookSignature({ header: typeof header === 'string' ? header : undefined, body, secret: SECRET, nowSeconds: Math.floor(Date.now() / 1000) });
        if (!check.ok) {
          refusedHooks.push(check.reason);
          res.writeHead(401).end();
          return;
        }
        hooks.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const e of engines) e.kill('SIGKILL');
    await Promise.all(engines.map((e) => e.exited));
    await consumer?.close();
    if (HAVE_RABBITMQ) await deleteExchange(exchange).catch(() => undefined);
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
    await pool?.end();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function boot(crashAt?: string) {
    const engine = spawnEngine({
      DATABASE_URL: db.url,
      LETHE_INSTANCE_ID: crashAt ? 'outbound-crash' : 'outbound-survivor',
      LETHE_DATA_DIR: dataDir,
      LETHE_MASTER_KEY: MASTER_KEY,
      LETHE_CLOCK: 'manual',
      LETHE_CLOCK_START: '2027-03-01T09:00:00.000Z',
      LETHE_TOKENS: `operator:${tokens.operator},contract-system:${tokens.contract},admin:${tokens.admin},ops-reader:${tokens.reader}`,
      LETHE_OUTBOUND_AMQP_URL: RABBITMQ_URL,
      LETHE_OUTBOUND_AMQP_EXCHANGE: exchange,
      LETHE_WEBHOOKS: JSON.stringify([{ name: 'receiver', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, secret: SECRET, types: ['tenant.onboarded'] }]),
      LETHE_WEBHOOKS_ALLOW_HTTP: 'true',
      LETHE_OUTBOUND_RETRY_BASE_MS: '200',
      LETHE_OUTBOUND_RETRY_MAX_MS: '1000',
      ...(crashAt ? { LETHE_CRASH_AT: crashAt } : {}),
    });
    engines.push(engine);
    return { engine, api: apiClient(await listeningUrl(engine)) };
  }

  const onboard = (tenantId: string) => ({ tenantId, jurisdiction: 'DE-BY', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }], rotationPeriodDays: 365 });
  const published = (tenantId: string) => consumer.received.filter((m) => m.body.tenantId === tenantId);
  const hooked = (tenantId: string) => hooks.filter((h) => h.tenantId === tenantId);

  it('killed after storing, before publishing: after a restart, published exactly once', async () => {
    const doomed = await boot('outbound:stored');
    // The engine may die before or after answering: the kill comes from its delivery loop.
    await doomed.api('POST', '/v1/tenants', tokens.operator, onboard('crash-tenant')).catch(() => undefined);
    const { signal } = await doomed.engine.exited;
    expect(signal).toBe('SIGKILL');

    const stored = await pool.query(`select e.id::text, e.type, d.sink, d.state, d.attempts from lethe_outbound_events e join lethe_outbound_deliveries d on d.event_id = e.id where e.tenant_id = 'crash-tenant' order by d.sink`);
    expect(stored.rows.map((r) => [r.type, r.sink, r.state, r.attempts])).toEqual([
      ['tenant.onboarded', 'amqp', 'pending', 0],
      ['tenant.onboarded', 'webhook:receiver', 'pending', 0],
    ]);
    expect(published('crash-tenant')).toEqual([]);
    expect(hooked('crash-tenant')).toEqual([]);

    const survivor = await boot();
    await waitUntil(() => published('crash-tenant').length > 0 && hooked('crash-tenant').length > 0, 30_000, 'the stored event published after the restart');
    // Time for a duplicate to show up, if there were one.
    await new Promise((r) => setTimeout(r, 1_500));
    const id = stored.rows[0].id;
    expect(published('crash-tenant').map((m) => [m.routingKey, m.messageId, m.body.id])).toEqual([['tenant.onboarded', id, id]]);
    expect(hooked('crash-tenant').map((h) => [h.type, h.id])).toEqual([['tenant.onboarded', id]]);
    expect(refusedHooks).toEqual([]);

    const metrics = await survivor.api('GET', '/metrics', tokens.reader);
    expect(metrics.text).toMatch(/lethe_outbound_delivery_attempts_total\{sink_kind="amqp",outcome="delivered"\} [1-9]/);
    expect(metrics.text).toMatch(/lethe_outbound_deliveries\{sink_kind="amqp",state="pending"\} 0/);
    expect(metrics.text).not.toContain(SECRET);
  });

  it('an operator replays a tenant to one sink: the same id again, to that sink only', async () => {
    const { api } = await boot();
    const before = published('crash-tenant').length;
    const hooksBefore = hooked('crash-tenant').length;
    const replay = await api('POST', '/v1/outbound/replays', tokens.operator, { sink: 'amqp', tenantId: 'crash-tenant', fromPosition: '1' });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ sink: 'amqp', tenantId: 'crash-tenant', fromPosition: '1', queued: 1 });
    await waitUntil(() => published('crash-tenant').length === before + 1, 30_000, 'the replayed event');
    const ids = new Set(published('crash-tenant').map((m) => m.messageId));
    expect(ids.size).toBe(1);
    expect(hooked('crash-tenant')).toHaveLength(hooksBefore);

    const unknown = await api('POST', '/v1/outbound/replays', tokens.operator, { sink: 'webhook:nope', tenantId: 'crash-tenant', fromPosition: '1' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'sink', rule: expect.stringContaining('configured sink') }]);
    const badPosition = await api('POST', '/v1/outbound/replays', tokens.operator, { sink: 'amqp', tenantId: 'crash-tenant', fromPosition: '-3' });
    expect(badPosition.status).toBe(400);
    expect(badPosition.body.errors.map((e: any) => e.field)).toEqual(['fromPosition']);
    // Past 2^63-1 (the largest position the log holds) is refused with that bound, not a 5xx from the database.
    for (const fromPosition of ['9999999999999999999', '99999999999999999999999']) {
      const huge = await api('POST', '/v1/outbound/replays', tokens.operator, { sink: 'amqp', tenantId: 'crash-tenant', fromPosition });
      expect(huge.status).toBe(400);
      expect(huge.body.errors).toEqual([{ field: 'fromPosition', rule: expect.stringContaining('from 1 to 9223372036854775807') }]);
    }
    for (const fromPosition of [1.5, 0, 2 ** 60, null]) {
      const refused = await api('POST', '/v1/outbound/replays', tokens.operator, { sink: 'amqp', tenantId: 'crash-tenant', fromPosition });
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: any) => e.field)).toEqual(['fromPosition']);
    }
    // A JSON number is a position too, while it is an exact integer.
    const asNumber = await api('POST', '/v1/outbound/replays', tokens.operator, { sink: 'amqp', tenantId: 'crash-tenant', fromPosition: 1 });
    expect(asNumber.status).toBe(202);
    expect(asNumber.body).toMatchObject({ fromPosition: '1', queued: 1 });
    await waitUntil(() => published('crash-tenant').length === before + 2, 30_000, 'the event replayed again');
    expect((await api('POST', '/v1/outbound/replays', tokens.reader, { sink: 'amqp', tenantId: 'crash-tenant', fromPosition: '1' })).status).toBe(403);

    const dead = await api('GET', '/v1/outbound/dead-letters', tokens.reader);
    expect(dead.status).toBe(200);
    expect(dead.body).toEqual({ deadLetters: [] });
  });

  it('never logs the webhook secret or the URLs of the sinks', () => {
    const logs = engines.map((e) => e.output()).join('\n');
    expect(logs).toContain('outbound delivery started');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain('guest:guest');
    expect(logs).not.toContain('/hooks');
  });
});
