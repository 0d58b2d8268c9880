// Bad input never reaches a 500 and stores nothing: each kind of input a hostile caller sent that once
// answered 500 or was accepted though wrong (NUL and lone surrogates, deep nesting, instants far outside
// any sensible range, form-encoded bodies, wrong types), over HTTP and straight into the contract stream;
// and every 4xx is application/problem+json with a stable `code`.
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@lethe/eventstore';
import { INSTANT_RANGES, instantRangeRule, NO_NUL_RULE, WELL_FORMED_RULE } from '@lethe/domain';
import { TENANT_EVENTS_LISTING } from '@lethe/lifecycle';
import { CURSOR_RULE, LIMIT_RULE } from '@lethe/readmodel';
import { DEPTH_RULE, JSON_OBJECT_RULE, MAX_BODY_DEPTH, UNKNOWN_FIELD_RULE, UNKNOWN_QUERY_RULE } from '../../apps/engine/src/http/index.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';
import { waitUntil } from '../support/engine-process.js';
import type { ApiResponse } from '../support/http-client.js';

const NOW = '2026-12-21T09:00:00Z';
let e: InProcessEngine;

beforeAll(async () => {
  e = await startInProcessEngine(NOW);
  const onboarded = await e.api('POST', '/v1/tenants', e.tokens.operator, {
    tenantId: 'acme',
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: 'db-1' }],
  });
  expect(onboarded.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await e?.stop();
});

/** Sends `body` (raw text when a string) and expects a 4xx problem that stored no event. */
async function refused(method: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
  // Settled first: what onboarding or an earlier test set off is not this request's.
  const before = await e.settledEventCount();
  const res = await e.api(method, path, token, body, headers);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(await e.eventCount()).toBe(before);
  return res;
}

const terminations = '/v1/tenants/acme/terminations';
const deletionRequests = '/v1/tenants/acme/deletion-requests';
const notice = (over: Record<string, unknown> = {}) => ({ terminationId: `t-${randomUUID()}`, contractId: 'c-1', effectiveAt: '2026-12-23T17:00:00Z', ...over });

describe('strings that PostgreSQL cannot store', () => {
  it('refuses a reason holding NUL with a 400 naming reason, storing nothing', async () => {
    const res = await refused('POST', terminations, e.tokens['contract-system'], notice({ reason: 'x\u0000y' }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'reason', rule: NO_NUL_RULE }]);
  });

  it('refuses a reason holding a lone surrogate with a 400 naming reason, storing nothing', async () => {
    const text = JSON.stringify(notice()).replace(/}$/, ',"reason":"a\\ud800b"}');
    const res = await refused('POST', terminations, e.tokens['contract-system'], text);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'reason', rule: WELL_FORMED_RULE }]);
  });
});

/** A cursor as a forger would write it: base64url of JSON (`\u0000` in JSON is a NUL once parsed). */
const forged = (json: unknown[]) => Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');

describe('NUL anywhere in a request (PostgreSQL text and jsonb cannot hold it)', () => {
  const cursors: [string, string, string][] = [
    ['/v1/schedule', 'cursor', forged(['schedule', '2026-11-30T16:29:53.651Z', 'x\u0000y'])],
    ['/v1/tenants', 'cursor', forged(['tenants', 'a\u0000b'])],
    ['/v1/compliance', 'cursor', forged(['compliance', 'a\u0000b'])],
    ['/v1/shreds', 'cursor', forged(['shreds', 'a\u0000b', 'x'])],
    ['/v1/tenants/acme/backups', 'cursor', forged(['backups', '2026-11-30T08:00:00.000Z', 'b\u0000'])],
    ['/v1/tenants/acme/events', 'after', forged([TENANT_EVENTS_LISTING.name, 'acme\u0000', ...TENANT_EVENTS_LISTING.key.slice(1).map(() => 0)])],
  ];

  it.each(cursors)('refuses a forged %s cursor holding NUL with a 400 naming %s', async (path, field, cursor) => {
    const res = await refused('GET', `${path}?${field}=${cursor}`, e.tokens['ops-reader'], undefined);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field, rule: CURSOR_RULE }]);
  });

  it('refuses NUL in a path parameter, a query parameter, a body field, a nested field and a body key, naming each', async () => {
    const t = e.tokens;
    const path = await refused('GET', '/v1/tenants/ac%00me', t['ops-reader'], undefined);
    expect(path.body.errors).toEqual([{ field: 'tenantId', rule: NO_NUL_RULE }]);
    const query = await refused('GET', '/v1/schedule?kind=rota%00tion', t['ops-reader'], undefined);
    expect(query.body.errors).toEqual([{ field: 'kind', rule: NO_NUL_RULE }]);
    const body = await refused('POST', deletionRequests, t['contract-system'], { requestId: 'r\u0000' });
    expect(body.body.errors).toEqual([{ field: 'requestId', rule: NO_NUL_RULE }]);
    const nested = await refused('POST', '/v1/tenants', t.operator, { tenantId: 'nul', jurisdiction: 'GB', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db\u0000' }] });
    expect(nested.body.errors).toEqual([{ field: 'databases[0].databaseId', rule: NO_NUL_RULE }]);
    const key = await refused('POST', deletionRequests, t['contract-system'], { requestId: 'r-key', 'a\u0000': 1 });
    expect(key.status).toBe(400);
    expect(key.body.errors[0].rule).toContain(NO_NUL_RULE);
    for (const res of [path, query, body, nested, key]) expect(res.status).toBe(400);
  });

  it('cannot put a NUL into the contract stream at all: the append fails at the store, the engine stays up', async () => {
    const store = new PostgresEventStore(e.pool);
    await expect(store.append('contract-acme', [{ id: randomUUID(), type: 'ContractTerminated', data: notice({ reason: 'x\u0000y' }) }], 'any')).rejects.toThrow();
    expect((await e.api('GET', '/v1/tenants/acme', e.tokens['ops-reader'])).body.status).toBe('active');
  });
});

describe('query parameters and body fields a route does not take', () => {
  it.each(['/v1/tenants/acme/keys/timeline?foo=1', '/v1/tenants/acme?foo=1', '/v1/tenants/acme/deletion-certificate?foo=1', '/metrics?foo=1', '/v1/tenants/acme/events?foo=bar'])(
    'refuses GET %s with a 400 naming foo',
    async (path) => {
      const res = await refused('GET', path, e.tokens['ops-reader'], undefined);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'foo', rule: UNKNOWN_QUERY_RULE }]);
    },
  );

  it('still takes minPosition (read your writes) on a read', async () => {
    expect((await e.api('GET', '/v1/tenants/acme?minPosition=0', e.tokens['ops-reader'])).status).toBe(200);
  });

  it('names a bracketed parameter as sent, not as a quoted path', async () => {
    const res = await refused('GET', '/v1/schedule?kind[0]=rotation', e.tokens['ops-reader'], undefined);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'kind[0]', rule: UNKNOWN_QUERY_RULE }]);
  });

  it('refuses a body field on a route that takes no body (rotate), storing nothing', async () => {
    const res = await refused('POST', '/v1/tenants/acme/keys/rotate', e.tokens.operator, { x: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'x', rule: UNKNOWN_FIELD_RULE }]);
  });

  it('says a JSON body of null must be a JSON object (it is valid JSON)', async () => {
    const res = await refused('POST', deletionRequests, e.tokens['contract-system'], 'null');
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe('The request body must be a JSON object.');
    expect(res.body.errors).toEqual([{ field: '(body)', rule: JSON_OBJECT_RULE }]);
  });
});

describe('whole numbers in the query are decimal digits only', () => {
  it.each([
    ['/v1/tenants?limit=1e2', 'limit', LIMIT_RULE],
    ['/v1/tenants?limit=%205', 'limit', LIMIT_RULE],
    ['/v1/tenants?limit=0x10', 'limit', LIMIT_RULE],
    ['/v1/tenants/acme/events?limit=1e2', 'limit', 'must be a whole number from 1 to 500'],
    ['/v1/calendars/GB-ENG/deadline?from=2026-12-21T09:00:00Z&workingDays=0x5', 'workingDays', 'must be a whole number from 1 to'],
  ])('refuses %s with a 400 naming %s', async (path, field, rule) => {
    const res = await refused('GET', path, e.tokens['ops-reader'], undefined);
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].field).toBe(field);
    expect(res.body.errors[0].rule).toContain(rule);
  });

  it('takes plain digits', async () => {
    expect((await e.api('GET', '/v1/tenants?limit=5', e.tokens['ops-reader'])).status).toBe(200);
  });
});

describe('deep nesting', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const cases: [string, string, string][] = [
    ['a termination', terminations, JSON.stringify(notice()).replace(/}$/, `,"reason":${deep(3000)}}`)],
    ['a deletion request', deletionRequests, `{"requestId":"r-deep","requestedAt":${deep(3000)}}`],
    ['an onboarding', '/v1/tenants', `{"tenantId":"deep","jurisdiction":${deep(3000)}}`],
  ];

  it.each(cases)('refuses %s nested 3,000 deep with a 400 naming the path and the rule', async (_what, path, text) => {
    const token = path === '/v1/tenants' ? e.tokens.operator : e.tokens['contract-system'];
    const res = await refused('POST', path, token, text);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation');
    expect(res.body.errors).toHaveLength(1);
    // The first container deeper than the limit: the field, then MAX_BODY_DEPTH - 1 array levels.
    expect(res.body.errors[0].field).toMatch(new RegExp(`^[a-zA-Z]+(\\[0\\]){${MAX_BODY_DEPTH - 1}}$`));
    expect(res.body.errors[0].rule).toBe(DEPTH_RULE);
  });

  it('accepts nesting up to the limit (and refuses it for the schema, not the depth)', async () => {
    const res = await refused('POST', terminations, e.tokens['contract-system'], JSON.stringify(notice()).replace(/}$/, `,"reason":${deep(MAX_BODY_DEPTH - 1)}}`));
    expect(res.body.errors).toEqual([{ field: 'reason', rule: 'must be a string' }]);
  });

  it('tells a nested jurisdiction it must be a string, not that it is required', async () => {
    const res = await refused('POST', '/v1/tenants', e.tokens.operator, {
      tenantId: 'nested',
      jurisdiction: [[['GB']]],
      keyCustody: 'managed',
      backupKeyMode: 'customer',
      databases: [{ databaseId: 'db-1' }],
    });
    expect(res.body.errors).toEqual([{ field: 'jurisdiction', rule: 'must be a string' }]);
  });
});

describe('instants far outside any sensible range', () => {
  it.each(['9999-12-31T23:59:59Z', '1000-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2036-12-22T00:00:00Z'])(
    'refuses a termination effective at %s with a 400 naming effectiveAt, recording nothing in the contract stream',
    async (effectiveAt) => {
      const res = await refused('POST', terminations, e.tokens['contract-system'], notice({ effectiveAt }));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'effectiveAt', rule: instantRangeRule(INSTANT_RANGES.effective) }]);
    },
  );

  it.each(['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-12-21T09:10:00Z'])('refuses a deletion request made at %s', async (requestedAt) => {
    const res = await refused('POST', deletionRequests, e.tokens['contract-system'], { requestId: `r-${randomUUID()}`, requestedAt });
    expect(res.body.errors).toEqual([{ field: 'requestedAt', rule: instantRangeRule(INSTANT_RANGES.past) }]);
  });

  const backup = (over: Record<string, unknown>) => ({
    backupId: `b-${randomUUID()}`,
    databaseId: 'db-1',
    kind: 'full',
    coveredFrom: '2026-12-20T00:00:00Z',
    takenAt: '2026-12-21T08:00:00Z',
    expiresAt: '2027-01-21T00:00:00Z',
    ...over,
  });

  it('refuses a backup taken in the future, or covering from year 0000', async () => {
    const future = await refused('POST', '/v1/tenants/acme/backups', e.tokens.operator, backup({ takenAt: '2026-12-22T00:00:00Z' }));
    expect(future.body.errors).toEqual([{ field: 'takenAt', rule: instantRangeRule(INSTANT_RANGES.past) }]);
    const ancient = await refused('POST', '/v1/tenants/acme/backups', e.tokens.operator, backup({ coveredFrom: '0000-01-01T00:00:00Z' }));
    expect(ancient.body.errors).toEqual([{ field: 'coveredFrom', rule: instantRangeRule(INSTANT_RANGES.past) }]);
    const reversed = await refused('POST', '/v1/tenants/acme/backups', e.tokens.operator, backup({ coveredFrom: '2026-12-21T08:30:00Z' }));
    expect(reversed.body.errors[0].field).toBe('coveredFrom');
    expect((await e.api('POST', '/v1/tenants/acme/backups', e.tokens.operator, backup({}))).status).toBe(201);
  });

  it('refuses a ContractTerminated appended straight into the contract stream with an out-of-range instant: rejected, never retried', async () => {
    const store = new PostgresEventStore(e.pool);
    const id = randomUUID();
    await store.append('contract-acme', [{ id, type: 'ContractTerminated', data: notice({ effectiveAt: '9999-12-31T23:59:59Z' }), metadata: { receivedAt: '0000-01-01T00:00:00Z' } }], 'any');
    let rejected: { errors: unknown } | undefined;
    await waitUntil(
      async () => {
        const rows = await e.pool.query(`select data from lethe_events where stream_id = 'contract-acme' and event_type = 'ContractEventRejected' and data->>'eventId' = $1`, [id]);
        rejected = rows.rows[0]?.data;
        return rejected !== undefined;
      },
      10_000,
      'the rejection',
    );
    expect(rejected!.errors).toEqual([
      { field: 'effectiveAt', rule: instantRangeRule(INSTANT_RANGES.effective) },
      { field: 'metadata.receivedAt', rule: instantRangeRule(INSTANT_RANGES.past) },
    ]);
    expect((await e.pool.query('select count(*) as n from lethe_dead_letters')).rows[0].n).toBe('0');
    expect((await e.api('GET', '/v1/tenants/acme', e.tokens['ops-reader'])).body.status).toBe('active');
  });
});

describe('media types', () => {
  it('answers a form-encoded body 415 as problem+json, storing nothing', async () => {
    const res = await refused('POST', terminations, e.tokens['contract-system'], 'terminationId=t-form&contractId=c-1&effectiveAt=2026-12-23T17:00:00Z', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported-media-type');
  });

  it('answers a JSON body sent as text/plain or without a content type 415', async () => {
    expect((await refused('POST', deletionRequests, e.tokens['contract-system'], '{"requestId":"r-text"}', { 'content-type': 'text/plain' })).status).toBe(415);
    const res = await fetch(`${e.engine.url}${deletionRequests}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.tokens['contract-system']}` },
      body: new Blob(['{"requestId":"r-none"}']),
    });
    expect(res.status).toBe(415);
  });
});

describe('every 4xx is problem+json with a stable code', () => {
  it('names the code of each kind of refusal', async () => {
    const t = e.tokens;
    const big = JSON.stringify({ requestId: 'r-big', pad: 'x'.repeat(200_000) });
    await e.api('POST', deletionRequests, t['contract-system'], { requestId: 'r-once' });
    await e.api('POST', '/v1/admin/clock', t.admin, { now: '2026-12-21T10:00:00Z' });
    const cases: [string, Promise<ApiResponse>, number, string][] = [
      ['invalid body', e.api('POST', terminations, t['contract-system'], { terminationId: 'x' }), 400, 'validation'],
      ['not JSON', e.api('POST', terminations, t['contract-system'], '{"terminationId":'), 400, 'validation'],
      ['bad path parameter', e.api('GET', '/v1/tenants/NOT_AN_ID', t['ops-reader']), 400, 'validation'],
      ['bad query', e.api('GET', '/v1/shreds?status=bogus', t['ops-reader']), 400, 'validation'],
      ['no token', e.api('GET', '/v1/tenants/acme'), 401, 'unauthorized'],
      ['wrong role', e.api('GET', '/v1/tenants/acme', t['contract-system']), 403, 'forbidden'],
      ['unknown route', e.api('GET', '/v1/nothing-here', t['ops-reader']), 404, 'not-found'],
      ['unknown tenant', e.api('POST', '/v1/tenants/nobody/keys/rotate', t.operator), 404, 'tenant-not-found'],
      ['unknown tenant read', e.api('GET', '/v1/tenants/nobody', t['ops-reader']), 404, 'tenant-not-found'],
      ['no certificate yet', e.api('GET', '/v1/tenants/acme/deletion-certificate', t['ops-reader']), 404, 'not-found'],
      ['tenant exists', e.api('POST', '/v1/tenants', t.operator, { tenantId: 'acme', jurisdiction: 'DE', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-9' }] }), 409, 'tenant-exists'],
      ['request id reused', e.api('POST', deletionRequests, t['contract-system'], { requestId: 'r-once', requestedAt: '2026-12-21T08:00:00Z' }), 409, 'request-id-reused'],
      ['clock backwards', e.api('POST', '/v1/admin/clock', t.admin, { now: '2026-12-21T09:30:00Z' }), 409, 'clock-backwards'],
      ['too large', e.api('POST', deletionRequests, t['contract-system'], big), 413, 'payload-too-large'],
      ['form-encoded', e.api('POST', deletionRequests, t['contract-system'], 'requestId=r', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type'],
    ];
    // A Lethe code has its own type; about:blank only for problems that are nothing but their status.
    const statusCodes = new Set(['bad-request', 'unauthorized', 'forbidden', 'not-found', 'payload-too-large', 'unsupported-media-type']);
    for (const [what, pending, status, code] of cases) {
      const res = await pending;
      expect({ what, status: res.status, type: res.headers.get('content-type'), code: res.body?.code, problemType: res.body?.type }).toEqual({
        what,
        status,
        type: expect.stringContaining('application/problem+json'),
        code,
        problemType: statusCodes.has(code) ? 'about:blank' : `urn:lethe:problem:${code}`,
      });
    }
  });
});
