// Calendar v2 over HTTP, on real PostgreSQL (issue 9): operator overrides as audited events, the days of a
// jurisdiction with why each is off, deadline previews, regions, and the overrides reaching a tenant's
// shred decision (and never moving a deadline already decided).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient } from '../support/http-client.js';

const TOKENS = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  contract: `cs-${randomBytes(12).toString('hex')}`,
  reader: `rd-${randomBytes(12).toString('hex')}`,
};

let db: TestDatabase;
let pool: pg.Pool;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-cal-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: '2026-02-01T09:00:00Z',
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_INSTANCE_ID: 'e2e-calendar',
    LETHE_TOKENS: `operator:${TOKENS.operator},contract-system:${TOKENS.contract},ops-reader:${TOKENS.reader}`,
  });
  engine = await startEngine(config, { logger: createLogger('warn') });
  api = apiClient(engine.url);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await pool?.end();
  await db?.drop();
});

const put = (jurisdiction: string, date: string, body: unknown, token = TOKENS.operator) =>
  api('PUT', `/v1/calendars/${jurisdiction}/overrides/${date}`, token, body);
const onboard = (tenantId: string, jurisdiction: string, extra: Record<string, unknown> = {}) =>
  api('POST', '/v1/tenants', TOKENS.operator, { tenantId, jurisdiction, keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }], ...extra });
const terminate = (tenantId: string, effectiveAt: string) =>
  api('POST', `/v1/tenants/${tenantId}/terminations`, TOKENS.contract, { terminationId: `t-${tenantId}`, contractId: 'c-1', effectiveAt });

async function streamEvents(stream: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return (await pool.query('select event_type as type, data from lethe_events where stream_id = $1 order by stream_revision', [stream])).rows;
}

const CN_OFF = ['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d) => `2026-02-${d}`);
const CN_WORKING = ['2026-02-14', '2026-02-28'];

describe('operator overrides', () => {
  it('needs the operator role to declare and ops-reader to read', async () => {
    expect((await put('CN', '2026-02-15', { kind: 'off', reason: 'x' }, '')).status).toBe(401);
    expect((await put('CN', '2026-02-15', { kind: 'off', reason: 'x' }, TOKENS.reader)).status).toBe(403);
    expect((await api('DELETE', '/v1/calendars/CN/overrides/2026-02-15', TOKENS.contract)).status).toBe(403);
    expect((await api('GET', '/v1/calendars/CN?from=2026-02-01&to=2026-02-02', TOKENS.contract)).status).toBe(403);
    expect(await streamEvents('calendar-CN')).toEqual([]);
  });

  it('names each bad field in a 400 and stores nothing', async () => {
    const bad = await put('CN', '2026-02-30', { kind: 'holiday', reason: ' ', extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const unknown = await put('DE-BY-KAT', '2026-02-15', { kind: 'off', reason: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'jurisdiction', rule: expect.stringContaining('close valid codes: DE-BY-KATH') }]);
    const body = await put('CN', '2026-02-15', { kind: 'holiday', reason: ' ', extra: 1 });
    expect(body.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'kind', 'reason']);
    expect((await put('CN', '2026-02-30', { kind: 'off', reason: 'x' })).body.errors).toEqual([{ field: 'date', rule: expect.stringContaining('YYYY-MM-DD') }]);
    expect(await streamEvents('calendar-CN')).toEqual([]);
  });

  it('records each declaration as an event with who and when; the same declaration again adds nothing', async () => {
    for (const date of CN_OFF) expect((await put('CN', date, { kind: 'off', reason: 'Spring Festival 2026 (State Council notice)' })).status).toBe(200);
    for (const date of CN_WORKING) {
      const res = await put('CN', date, { kind: 'working', reason: 'Spring Festival make-up working day' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ jurisdiction: 'CN', date, kind: 'working', declaredBy: { role: 'operator' }, declaredAt: '2026-02-01T09:00:00.000Z' });
    }
    expect((await put('CN', '2026-02-14', { kind: 'working', reason: 'Spring Festival make-up working day' })).body.overrideId).toBe('CN:2026-02-14:10');
    const events = await streamEvents('calendar-CN');
    expect(events).toHaveLength(11);
    expect(events[0]).toEqual({
      type: 'CalendarOverrideDeclared',
      data: {
        overrideId: 'CN:2026-02-15:1',
        jurisdiction: 'CN',
        date: '2026-02-15',
        kind: 'off',
        reason: 'Spring Festival 2026 (State Council notice)',
        replaces: null,
        // The token is of the old `role:token` form: its subject is the role's name.
        by: { role: 'operator', subject: 'operator' },
        at: '2026-02-01T09:00:00.000Z',
      },
    });
  });

  it('lists each local date with working/off and why', async () => {
    const res = await api('GET', '/v1/calendars/CN?from=2026-02-13&to=2026-02-16', TOKENS.reader);
    expect(res.status).toBe(200);
    expect(res.body.days).toEqual([
      { date: '2026-02-13', weekday: 5, working: true, reasons: [] },
      {
        date: '2026-02-14',
        weekday: 6,
        working: true,
        reasons: [
          { kind: 'weekend', weekend: [6, 7] },
          { kind: 'override', overrideId: 'CN:2026-02-14:10', override: 'working', reason: 'Spring Festival make-up working day', jurisdiction: 'CN' },
        ],
      },
      expect.objectContaining({ date: '2026-02-15', working: false }),
      {
        date: '2026-02-16',
        weekday: 1,
        working: false,
        reasons: [
          { kind: 'holiday', name: '春节', type: 'public' },
          { kind: 'override', overrideId: 'CN:2026-02-16:2', override: 'off', reason: 'Spring Festival 2026 (State Council notice)', jurisdiction: 'CN' },
        ],
      },
    ]);
    expect(res.body.overrides).toHaveLength(11);
    const partial = await api('GET', '/v1/calendars/AU-SA?from=2025-12-24&to=2025-12-24', TOKENS.reader);
    expect(partial.body.days[0]).toEqual({
      date: '2025-12-24',
      weekday: 3,
      working: true,
      reasons: [{ kind: 'partial-holiday', name: 'Christmas Eve', type: 'public', counts: 'working' }],
    });
    const skipped = await api('GET', '/v1/calendars/NZ?from=2011-12-30&to=2011-12-30&timeZone=Pacific/Apia', TOKENS.reader);
    expect(skipped.body.days[0]).toMatchObject({ working: false, reasons: [{ kind: 'nonexistent' }] });
    const tooLong = await api('GET', '/v1/calendars/CN?from=2026-01-01&to=2027-06-01', TOKENS.reader);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([{ field: 'to', rule: 'must be at most 365 days after from' }]);
  });

  it('previews a deadline with the counted days (issue 9, CN instance)', async () => {
    const res = await api('GET', '/v1/calendars/CN/deadline?from=2026-02-11T02:00:00Z&workingDays=5', TOKENS.reader);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      deadline: '2026-02-25T15:59:59.999Z',
      countedDays: ['2026-02-12', '2026-02-13', '2026-02-14', '2026-02-24', '2026-02-25'],
      timeZone: 'Asia/Shanghai',
      partialHolidays: 'working',
      weekends: [{ days: [6, 7], source: 'CLDR' }],
    });
    const samoa = await api('GET', '/v1/calendars/NZ/deadline?from=2011-12-28T20:00:00Z&timeZone=Pacific/Apia', TOKENS.reader);
    expect(samoa.body.deadline).toBe('2012-01-09T09:59:59.999Z');
    expect((await api('GET', '/v1/calendars/IL/deadline?from=2025-06-06T09:00:00Z&workingDays=5', TOKENS.reader)).body.deadline).toBe('2025-06-12T20:59:59.999Z');
    expect((await api('GET', '/v1/calendars/AU-SA/deadline?from=2025-12-18T00:00:00Z', TOKENS.reader)).body.deadline).toBe('2025-12-29T13:29:59.999Z');
    const bad = await api('GET', '/v1/calendars/CN/deadline?from=yesterday&workingDays=0&timeZone=Mars/Base', TOKENS.reader);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['from', 'timeZone', 'workingDays']);
  });

  it("applies a country's override to its regions, and the region's own one first", async () => {
    expect((await put('DE', '2026-06-01', { kind: 'off', reason: 'national closure' })).status).toBe(200);
    expect((await put('DE-BY-KATH', '2026-06-02', { kind: 'off', reason: 'regional closure' })).status).toBe(200);
    const kath = await api('GET', '/v1/calendars/DE-BY-KATH?from=2026-06-01&to=2026-06-02', TOKENS.reader);
    expect(kath.body.days.map((d: { working: boolean }) => d.working)).toEqual([false, false]);
    const be = await api('GET', '/v1/calendars/DE-BE?from=2026-06-01&to=2026-06-02', TOKENS.reader);
    expect(be.body.days.map((d: { working: boolean }) => d.working)).toEqual([false, true]);
  });
});

describe('the tenant decision', () => {
  it('accepts regions at onboarding and refuses an unknown code naming close valid ones', async () => {
    expect((await onboard('kath-co', 'DE-BY-KATH')).status).toBe(201);
    const res = await onboard('typo-co', 'DE-BY-KAT');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'jurisdiction', rule: expect.stringContaining('close valid codes: DE-BY-KATH') }]);
    expect(await streamEvents('tenant-typo-co')).toEqual([]);
    const partial = await onboard('part-co', 'AU-SA', { partialHolidays: 'sometimes' });
    expect(partial.body.errors).toEqual([{ field: 'partialHolidays', rule: "must be 'working' or 'off'" }]);
  });

  it('decides the CN deadline with the overrides in force, and stores the calendar inputs (issue 9, CN instance)', async () => {
    expect((await onboard('cn-co', 'CN')).status).toBe(201);
    const res = await terminate('cn-co', '2026-02-11T02:00:00Z');
    expect(res.status).toBe(202);
    expect(res.body.deadline).toBe('2026-02-25T15:59:59.999Z');
    const scheduled = (await streamEvents('tenant-cn-co')).find((e) => e.type === 'ShredScheduled')!;
    expect(scheduled.data.calendar).toEqual({
      jurisdiction: 'CN',
      timeZone: 'Asia/Shanghai',
      excludedHolidayTypes: ['public', 'bank'],
      weekends: [{ from: null, days: [6, 7] }],
      partialHolidays: 'working',
      overrideIds: ['CN:2026-02-14:10', ...CN_OFF.map((_d, i) => `CN:${CN_OFF[i]}:${i + 1}`)],
    });
  });

  it('never moves a deadline already decided when an override is withdrawn; later decisions see the change', async () => {
    const withdrawn = await api('DELETE', '/v1/calendars/CN/overrides/2026-02-14', TOKENS.operator);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.withdrawn.overrideId).toBe('CN:2026-02-14:10');
    expect((await api('DELETE', '/v1/calendars/CN/overrides/2026-02-14', TOKENS.operator)).status).toBe(404);
    expect((await streamEvents('calendar-CN')).at(-1)).toMatchObject({ type: 'CalendarOverrideWithdrawn', data: { overrideId: 'CN:2026-02-14:10', by: { role: 'operator' } } });
    // The stored decision stands: one ShredScheduled, its deadline unchanged, and a replayed notice answers it.
    const scheduled = (await streamEvents('tenant-cn-co')).filter((e) => e.type === 'ShredScheduled');
    expect(scheduled.map((e) => e.data.deadline)).toEqual(['2026-02-25T15:59:59.999Z']);
    expect((await terminate('cn-co', '2026-02-11T02:00:00Z')).body.deadline).toBe('2026-02-25T15:59:59.999Z');
    expect((await onboard('cn-later', 'CN')).status).toBe(201);
    // Without Sat 14: Thu 12, Fri 13, Tue 24, Wed 25, Thu 26.
    expect((await terminate('cn-later', '2026-02-11T02:00:00Z')).body.deadline).toBe('2026-02-26T15:59:59.999Z');
  });

  it('honours partialHolidays off at onboarding (AU-SA)', async () => {
    expect((await onboard('sa-off', 'AU-SA', { partialHolidays: 'off' })).status).toBe(201);
    expect((await terminate('sa-off', '2025-12-18T00:00:00Z')).body.deadline).toBe('2025-12-30T13:29:59.999Z');
    expect((await onboard('sa-on', 'AU-SA')).status).toBe(201);
    expect((await terminate('sa-on', '2025-12-18T00:00:00Z')).body.deadline).toBe('2025-12-29T13:29:59.999Z');
  });
});
