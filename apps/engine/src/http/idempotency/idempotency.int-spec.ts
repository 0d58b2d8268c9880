// The idempotency store against real PostgreSQL, then @Idempotent routes in a Nest app registered
// as the engine registers them (problem, auth and idempotency providers), driven with supertest.
import { Controller, Headers, Post, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import request from 'supertest';
import { z } from 'zod';
import { CLOCK, ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { ENGINE_CONFIG, loadConfig } from '../../config/engine-config.js';
import { PG_POOL } from '../../infrastructure/database.js';
import {
  IDEMPOTENCY_OPTIONS,
  Idempotent,
  IdempotencyStore,
  Roles,
  ZodBody,
  ZodParam,
  authProviders,
  idempotencyProviders,
  problemProviders,
  idempotencyMigrations,
  requestFingerprint,
} from '../index.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  expect(await runMigrations(db.url, [...idempotencyMigrations])).toEqual(['CreateIdempotency1764400000040']);
  pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** Polls until a claim row exists for the key (requests run concurrently with the test). */
async function waitForClaim(column: 'scope' | 'idempotency_key', value: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await pool.query(`select claim_token from lethe_idempotency where ${column} = $1 and state = 'pending'`, [value]);
    if (rows[0]) return rows[0].claim_token;
    await sleep(10);
  }
  throw new Error(`no claim for ${value}`);
}

async function rowsOf(scopeLike: string) {
  const { rows } = await pool.query('select * from lethe_idempotency where scope like $1 order by idempotency_key', [scopeLike]);
  return rows;
}

describe('IdempotencyStore', () => {
  let seq = 0;
  const fresh = (options: { leaseMs?: number; waitMs?: number; pollMs?: number } = {}) => {
    seq += 1;
    return { store: new IdempotencyStore(pool, new ManualClock(T0), { waitMs: 200, pollMs: 10, ...options }), scope: `store-${seq}` };
  };
  const A = requestFingerprint({ a: 1 });
  const B = requestFingerprint({ a: 2 });

  it('claims a new key, then replays the completed answer exactly', async () => {
    const { store, scope } = fresh();
    const first = await store.begin(scope, 'k1', A);
    expect(first.kind).toBe('claimed');
    if (first.kind !== 'claimed') return;
    const body = { z: 1, a: { y: [1, 'two', null], b: 'Grüße 🔑' } };
    expect(await store.complete(first.claim, 201, body)).toBe(true);
    const replay = await store.begin(scope, 'k1', A);
    expect(replay).toEqual({ kind: 'replay', status: 201, body });
    // json, not jsonb: the stored body keeps its key order.
    expect(JSON.stringify(replay.kind === 'replay' && replay.body)).toBe(JSON.stringify(body));
    const [row] = await rowsOf(scope);
    expect(row).toMatchObject({ state: 'completed', claim_token: null, lease_expires_at: null, response_status: 201, request_hash: A });
    expect(row.created_at).toEqual(T0);
    expect(row.completed_at).toEqual(T0);
  });

  it('replays an answer without a body', async () => {
    const { store, scope } = fresh();
    const first = await store.begin(scope, 'k', A);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    await store.complete(first.claim, 204, undefined);
    expect(await store.begin(scope, 'k', A)).toEqual({ kind: 'replay', status: 204, body: undefined });
  });

  it('reports a different body under the same key as a mismatch, pending or completed', async () => {
    const { store, scope } = fresh();
    const first = await store.begin(scope, 'k', A);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    expect(await store.begin(scope, 'k', B)).toEqual({ kind: 'mismatch' });
    await store.complete(first.claim, 200, { ok: true });
    expect(await store.begin(scope, 'k', B)).toEqual({ kind: 'mismatch' });
  });

  it('keeps scopes apart', async () => {
    const { store, scope } = fresh();
    expect((await store.begin(`${scope}-x`, 'k', A)).kind).toBe('claimed');
    expect((await store.begin(`${scope}-y`, 'k', B)).kind).toBe('claimed');
  });

  it('answers in-progress when the first request is still running after waitMs', async () => {
    const { store, scope } = fresh({ waitMs: 100 });
    expect((await store.begin(scope, 'k', A)).kind).toBe('claimed');
    expect(await store.begin(scope, 'k', A)).toEqual({ kind: 'in-progress' });
  });

  it('lets a waiting request replay the answer once the first one completes', async () => {
    const { store, scope } = fresh({ waitMs: 5_000 });
    const first = await store.begin(scope, 'k', A);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    const waiting = store.begin(scope, 'k', A);
    await sleep(100);
    await store.complete(first.claim, 201, { n: 1 });
    expect(await waiting).toEqual({ kind: 'replay', status: 201, body: { n: 1 } });
  });

  it('lets exactly one of many concurrent identical requests claim the key', async () => {
    const { store, scope } = fresh({ waitMs: 5_000 });
    const outcomes = Promise.all(Array.from({ length: 8 }, () => store.begin(scope, 'k', A)));
    const claim = await waitForClaim('scope', scope);
    await sleep(100);
    await store.complete({ scope, key: 'k', token: claim }, 201, { once: true });
    const results = await outcomes;
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'replay')).toHaveLength(7);
  });

  it('frees the key on release, so a retry claims it again', async () => {
    const { store, scope } = fresh();
    const first = await store.begin(scope, 'k', A);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    expect(await store.release(first.claim)).toBe(true);
    expect(await rowsOf(scope)).toEqual([]);
    const second = await store.begin(scope, 'k', B);
    expect(second.kind).toBe('claimed');
    // A stale owner can neither release nor complete the new claim.
    expect(await store.release(first.claim)).toBe(false);
    expect(await store.complete(first.claim, 200, {})).toBe(false);
  });

  it('takes over a claim whose lease expired (its instance died); the old owner can no longer complete', async () => {
    const { store, scope } = fresh({ leaseMs: 100, waitMs: 2_000 });
    const dead = await store.begin(scope, 'k', A);
    if (dead.kind !== 'claimed') throw new Error('expected a claim');
    const next = await store.begin(scope, 'k', A);
    expect(next.kind).toBe('claimed');
    if (next.kind !== 'claimed') return;
    expect(next.claim.token).not.toBe(dead.claim.token);
    expect(await store.complete(dead.claim, 201, { stale: true })).toBe(false);
    expect(await store.complete(next.claim, 201, { fresh: true })).toBe(true);
    expect(await store.begin(scope, 'k', A)).toEqual({ kind: 'replay', status: 201, body: { fresh: true } });
  });
});

describe('@Idempotent routes', () => {
  const TOKEN = 'contract-token-0123456789';
  const OPERATOR = 'operator-token-0123456789';
  const counts = { terminations: 0, rotations: 0 };
  let failNext = false;
  let delayMs = 0;

  const terminationSchema = z.strictObject({ terminationId: z.uuid(), reason: z.string().min(1), effectiveAt: z.string().optional() });

  @Controller('v1/tenants/:tenantId')
  class TerminationsController {
    @Post('terminations')
    @Roles('contract-system')
    @Idempotent({ key: (body) => (body as { terminationId?: unknown } | undefined)?.terminationId, keyName: 'terminationId' })
    async terminate(@ZodParam('tenantId', z.string().regex(/^[a-z0-9-]+$/)) tenantId: string, @ZodBody(terminationSchema) body: z.infer<typeof terminationSchema>) {
      counts.terminations += 1;
      const run = counts.terminations;
      if (delayMs > 0) await sleep(delayMs);
      if (failNext) {
        failNext = false;
        throw new Error('vault timed out');
      }
      return { zeta: run, tenantId, terminationId: body.terminationId, alpha: 'first' };
    }

    @Post('rotations')
    @Roles('operator')
    @Idempotent({ key: 'header', required: true })
    async rotate(@ZodParam('tenantId', z.string()) tenantId: string, @Headers('idempotency-key') key: string) {
      counts.rotations += 1;
      return { tenantId, key, run: counts.rotations };
    }
  }

  class QuietLogger implements LoggerService {
    log() {}
    warn() {}
    error() {}
  }

  let app: INestApplication;
  const server = () => app.getHttpServer();
  const post = (path: string, body: object, token = TOKEN) => request(server()).post(path).set('Authorization', `Bearer ${token}`).send(body);
  let idSeq = 0;
  const newId = () => `00000000-0000-4000-8000-${String(++idSeq).padStart(12, '0')}`;

  beforeAll(async () => {
    const config = loadConfig({ LETHE_TOKENS: `contract-system:${TOKEN},operator:${OPERATOR}` });
    const moduleRef = await Test.createTestingModule({
      controllers: [TerminationsController],
      providers: [
        { provide: ENGINE_CONFIG, useValue: config },
        { provide: PG_POOL, useValue: pool },
        { provide: CLOCK, useValue: new ManualClock(T0) },
        { provide: IDEMPOTENCY_OPTIONS, useValue: { waitMs: 1_000, pollMs: 20 } },
        ...problemProviders,
        ...authProviders,
        ...idempotencyProviders,
      ],
    })
      .setLogger(new QuietLogger())
      .compile();
    app = moduleRef.createNestApplication();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(() => {
    failNext = false;
    delayMs = 0;
  });

  it('answers a replay with the first status and body, byte for byte, without running the handler again', async () => {
    const id = newId();
    const before = counts.terminations;
    const first = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'contract ended' });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('/v1/tenants/acme/terminations', { reason: 'contract ended', terminationId: id });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(counts.terminations).toBe(before + 1);
  });

  it('answers 409 problem+json when the same key comes with a different body', async () => {
    const id = newId();
    expect((await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'a' })).status).toBe(201);
    const res = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'b' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    // It speaks of what the caller sent: a terminationId in the body, not an Idempotency-Key header.
    expect(res.body).toMatchObject({ type: 'urn:lethe:problem:termination-id-reused', code: 'termination-id-reused', title: 'terminationId reused', status: 409 });
    expect(res.body.detail).toContain(`This terminationId ("${id}") was already used for a request with another body`);
    expect(res.body.detail).not.toMatch(/idempotency/i);
  });

  it('names the Idempotency-Key header when that is the key reused with another body', async () => {
    const key = `k-${newId()}`;
    const rotate = (tenantId: string) => request(server()).post(`/v1/tenants/${tenantId}/rotations`).set('Authorization', `Bearer ${OPERATOR}`).set('Idempotency-Key', key).send({});
    expect((await rotate('acme')).status).toBe(201);
    const other = await request(server()).post('/v1/tenants/acme/rotations').set('Authorization', `Bearer ${OPERATOR}`).set('Idempotency-Key', key).send({ reason: 'x' });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: 'idempotency-key-reused', title: 'Idempotency-Key reused' });
    expect(other.body.detail).toMatch(/^This Idempotency-Key \("k-[0-9a-f-]+"\) was already used/);
  });

  it('takes an instant written another way (the same instant) as the same body: a replay, not a 409', async () => {
    const id = newId();
    const before = counts.terminations;
    const first = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'a', effectiveAt: '2027-01-01T00:00:00.000Z' });
    expect(first.status).toBe(201);
    for (const effectiveAt of ['2027-01-01T00:00:00Z', '2027-01-01T01:00:00+01:00']) {
      const again = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'a', effectiveAt });
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.text).toBe(first.text);
    }
    expect(counts.terminations).toBe(before + 1);
    expect((await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'a', effectiveAt: '2027-01-01T00:00:00.001Z' })).status).toBe(409);
  });

  it('scopes keys by route and path parameters', async () => {
    const id = newId();
    const before = counts.terminations;
    expect((await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'a' })).status).toBe(201);
    expect((await post('/v1/tenants/other/terminations', { terminationId: id, reason: 'b' })).status).toBe(201);
    expect(counts.terminations).toBe(before + 2);
    const scopes = (await pool.query('select scope from lethe_idempotency where idempotency_key = $1 order by scope', [id])).rows.map((r) => r.scope);
    expect(scopes).toEqual(['POST /v1/tenants/:tenantId/terminations tenantId=acme', 'POST /v1/tenants/:tenantId/terminations tenantId=other']);
  });

  it('runs the handler once for concurrent identical requests; both get the same answer', async () => {
    const id = newId();
    const before = counts.terminations;
    delayMs = 300;
    const body = { terminationId: id, reason: 'race' };
    const [a, b, c] = await Promise.all([post('/v1/tenants/acme/terminations', body), post('/v1/tenants/acme/terminations', body), post('/v1/tenants/acme/terminations', body)]);
    expect(counts.terminations).toBe(before + 1);
    for (const res of [a, b, c]) {
      expect(res.status).toBe(201);
      expect(res.text).toBe(a.text);
    }
    expect([a, b, c].filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
  });

  it('answers 409 in progress (with Retry-After) when the first request outlasts the wait, and 409 at once for a different body', async () => {
    const id = newId();
    delayMs = 2_500;
    // A supertest request starts when it is awaited or then-ed.
    const first = post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'slow' }).then((r) => r);
    await waitForClaim('idempotency_key', id);
    const different = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'other' });
    expect(different.status).toBe(409);
    expect(different.body.type).toBe('urn:lethe:problem:termination-id-reused');
    const waiting = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'slow' });
    expect(waiting.status).toBe(409);
    expect(waiting.body).toMatchObject({ type: 'urn:lethe:problem:request-in-progress', title: 'Request in progress' });
    expect(waiting.headers['retry-after']).toBe('1');
    expect((await first).status).toBe(201);
  });

  it('releases the claim when the handler throws, so a retry runs', async () => {
    const id = newId();
    const before = counts.terminations;
    failNext = true;
    const failed = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'flaky' });
    expect(failed.status).toBe(500);
    expect(failed.text).not.toContain('vault timed out');
    expect((await pool.query('select 1 from lethe_idempotency where idempotency_key = $1', [id])).rowCount).toBe(0);
    const retry = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'flaky' });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(counts.terminations).toBe(before + 2);
  });

  it('keeps nothing on a 400 from validation, so the corrected request runs', async () => {
    const id = newId();
    const bad = await post('/v1/tenants/acme/terminations', { terminationId: id, reason: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'reason', rule: 'must not be empty' }]);
    expect((await pool.query('select 1 from lethe_idempotency where idempotency_key = $1', [id])).rowCount).toBe(0);
    expect((await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'fixed' })).status).toBe(201);
  });

  it('touches nothing for a caller the guard refuses', async () => {
    const id = newId();
    expect((await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'x' }, 'not-a-valid-token-at-all')).status).toBe(401);
    expect((await post('/v1/tenants/acme/terminations', { terminationId: id, reason: 'x' }, OPERATOR)).status).toBe(403);
    expect((await pool.query('select 1 from lethe_idempotency where idempotency_key = $1', [id])).rowCount).toBe(0);
  });

  it('refuses a key longer than 255 characters', async () => {
    const res = await request(server())
      .post('/v1/tenants/acme/rotations')
      .set('Authorization', `Bearer ${OPERATOR}`)
      .set('Idempotency-Key', 'k'.repeat(256))
      .send({});
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'Idempotency-Key', rule: 'must be 1 to 255 characters without control characters' }]);
  });

  it('uses the Idempotency-Key header where the route says so, and requires it', async () => {
    const rotate = (key?: string) => {
      const r = request(server()).post('/v1/tenants/acme/rotations').set('Authorization', `Bearer ${OPERATOR}`);
      return (key === undefined ? r : r.set('Idempotency-Key', key)).send({ reason: 'scheduled' });
    };
    const missing = await rotate();
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ field: 'Idempotency-Key', rule: 'is required' }]);
    const before = counts.rotations;
    const first = await rotate('rot-2026-03');
    const again = await rotate('rot-2026-03');
    expect(first.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(counts.rotations).toBe(before + 1);
    expect((await rotate('rot-2026-04')).status).toBe(201);
    expect(counts.rotations).toBe(before + 2);
  });
});
