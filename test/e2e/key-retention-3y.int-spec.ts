// Key retention over 3 simulated years, end to end over HTTP with the manual clock (issue #4).
// One tenant, one database, the key rotated by policy every 365 days; a daily PITR backup kept 7
// days, a weekly full kept 35 days and a yearly LTR kept 3×365 days; a point-in-time window of 35
// days (issue #7: a version outlives its last use by that window). The test keeps its own record
// of every version (creation, protection interval) and every backup, computes retention itself
// (no engine code) and compares, at each year's end, which versions are alive and until when.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient, type ApiResponse } from '../support/http-client.js';
import { waitUntil } from '../support/engine-process.js';

const TOKENS = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  admin: `ad-${randomBytes(12).toString('hex')}`,
  reader: `rd-${randomBytes(12).toString('hex')}`,
};
const TENANT = 'acme';
const DB = 'db-1';
const START = '2027-01-01T00:00:00.000Z';
const LAST_DAY = '2029-12-31';
const ROTATION_DAYS = 365;
/** The tenant's point-in-time retention window, sent at onboarding. */
const PITR_RETENTION_DAYS = 35;

const DAY_MS = 24 * 60 * 60 * 1000;
const ms = (instant: string) => Date.parse(instant);
const isoOf = (t: number) => new Date(t).toISOString();
const plusDays = (instant: string, days: number) => isoOf(ms(instant) + days * DAY_MS);
const at = (date: string, time: string) => `${date}T${time}.000Z`;

let db: TestDatabase;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;
const warnings: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-e2e-3y-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: START,
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_INSTANCE_ID: 'e2e-3y',
    LETHE_TOKENS: `operator:${TOKENS.operator},admin:${TOKENS.admin},ops-reader:${TOKENS.reader}`,
  });
  const sink = new Writable({
    write(chunk, _enc, done) {
      warnings.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  engine = await startEngine(config, { logger: createLogger('warn', sink) });
  api = apiClient(engine.url);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await db?.drop();
});

// ---- the test's own record and its independent retention calculation ---------------------------

interface ModelVersion {
  readonly id: string;
  readonly createdAt: string;
  /** It protected the database during [from, to); to null = still does. */
  from: string;
  to: string | null;
}

interface ModelBackup {
  readonly backupId: string;
  readonly kind: 'pitr' | 'full' | 'ltr';
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
}

const versions: ModelVersion[] = [];
const backups: ModelBackup[] = [];

const newest = () => versions[versions.length - 1]!;

/**
 * The backup needs the version iff the version protected the database at some instant of the
 * closed window [coveredFrom, takenAt]: the half-open interval [from, to) meets it.
 */
function needs(b: ModelBackup, v: ModelVersion): boolean {
  return ms(b.takenAt) >= ms(v.from) && (v.to === null || ms(b.coveredFrom) < ms(v.to));
}

const neededBy = (b: ModelBackup) => versions.filter((v) => needs(b, v)).map((v) => v.id);
const holding = (v: ModelVersion) => backups.filter((b) => needs(b, v)).map((b) => b.backupId);

/**
 * null while it is the newest version (kept indefinitely). Otherwise the latest of: the end of its
 * protection interval plus the point-in-time window (restore points were made under it until then),
 * and the expiry of every backup that needs it.
 */
function expectedRetainUntil(v: ModelVersion): string | null {
  if (v === newest()) return null;
  let until = ms(v.to!) + PITR_RETENTION_DAYS * DAY_MS;
  for (const b of backups) if (needs(b, v)) until = Math.max(until, ms(b.expiresAt));
  return isoOf(until);
}

function aliveAt(t: string): string[] {
  return versions.filter((v) => v === newest() || ms(t) < ms(expectedRetainUntil(v)!)).map((v) => v.id);
}

// ---- HTTP -----------------------------------------------------------------------------------------

interface KeysBody {
  rotationPeriodDays: number;
  pitrRetentionDays: number;
  databases: { databaseId: string; keyVersionId: string; since: string }[];
  versions: {
    keyVersionId: string;
    status: string;
    source: string;
    createdAt: string;
    retainUntil: string | null;
    retiredAt: string | null;
    backupCount: number;
  }[];
}

const timing = { clock: { n: 0, ms: 0 }, backup: { n: 0, ms: 0 }, keys: { n: 0, ms: 0 } };

async function timed(kind: keyof typeof timing, call: Promise<ApiResponse>): Promise<ApiResponse> {
  const t0 = performance.now();
  const res = await call;
  timing[kind].n++;
  timing[kind].ms += performance.now() - t0;
  return res;
}

async function setClock(now: string): Promise<void> {
  const res = await timed('clock', api('POST', '/v1/admin/clock', TOKENS.admin, { now }));
  if (res.status !== 200) throw new Error(`clock ${now}: ${res.status} ${res.text}`);
}

async function keys(): Promise<KeysBody> {
  const res = await timed('keys', api('GET', `/v1/tenants/${TENANT}/keys`, TOKENS.reader));
  if (res.status !== 200) throw new Error(`GET keys: ${res.status} ${res.text}`);
  return res.body as KeysBody;
}

/** GET /keys, or undefined while the read model does not know the tenant yet (404). */
async function keysIfKnown(): Promise<KeysBody | undefined> {
  const res = await timed('keys', api('GET', `/v1/tenants/${TENANT}/keys`, TOKENS.reader));
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET keys: ${res.status} ${res.text}`);
  return res.body as KeysBody;
}

async function recordBackup(b: ModelBackup): Promise<void> {
  const res = await timed('backup', api('POST', `/v1/tenants/${TENANT}/backups`, TOKENS.operator, { ...b, databaseId: DB }));
  if (res.status !== 201) throw new Error(`backup ${b.backupId}: ${res.status} ${res.text}`);
  backups.push(b);
  // What the engine says the backup needs, against the test's own protection record.
  expect({ backupId: b.backupId, keyVersionIds: res.body.keyVersionIds }).toEqual({ backupId: b.backupId, keyVersionIds: neededBy(b) });
}

/** Every backup needing the version, from GET /backups?keyVersionId= page by page (ids sorted). */
async function backupsOf(keyVersionId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `keyVersionId=${keyVersionId}&status=live&limit=200${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await api('GET', `/v1/tenants/${TENANT}/backups?${query}`, TOKENS.reader);
    if (res.status !== 200) throw new Error(`GET backups: ${res.status} ${res.text}`);
    const body = res.body as { items: { backupId: string }[]; nextCursor: string | null };
    ids.push(...body.items.map((b) => b.backupId));
    cursor = body.nextCursor;
  } while (cursor);
  return ids.sort();
}

/** Polls GET /keys (firing the clock again at the same instant) until `done` holds. */
async function keysUntil(now: string, done: (k: KeysBody) => boolean, what: string, timeoutMs = 20_000): Promise<KeysBody> {
  let last: KeysBody | undefined;
  try {
    await waitUntil(
      async () => {
        last = await keysIfKnown();
        if (last && done(last)) return true;
        await setClock(now); // fires timers a processor created since the last tick
        return false;
      },
      timeoutMs,
      what,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nlast GET /keys: ${JSON.stringify(last, null, 1)}`, { cause: error });
  }
  return last!;
}

/** The engine's view of the versions, in the shape the test computes, to compare as one value. */
function engineView(k: KeysBody) {
  return k.versions.map((v) => ({
    keyVersionId: v.keyVersionId,
    alive: v.status !== 'retired',
    status: v.status,
    retainUntil: v.status === 'superseded' ? v.retainUntil : null,
    backupCount: v.backupCount,
  }));
}

function expectedView(t: string) {
  const alive = new Set(aliveAt(t));
  return versions.map((v) => ({
    keyVersionId: v.id,
    alive: alive.has(v.id),
    status: v === newest() ? 'active' : alive.has(v.id) ? 'superseded' : 'retired',
    retainUntil: v !== newest() && alive.has(v.id) ? expectedRetainUntil(v) : null,
    backupCount: holding(v).length,
  }));
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// ---- the scenario ---------------------------------------------------------------------------------

it('keeps each key version exactly as long as a database or an unexpired backup needs it, over 3 years', async () => {
  const started = performance.now();
  const blocks: string[] = [];
  let blockStart = performance.now();
  let blockTiming = structuredClone(timing);

  const onboard = await api('POST', '/v1/tenants', TOKENS.operator, {
    tenantId: TENANT,
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: DB }],
    rotationPeriodDays: ROTATION_DAYS,
    pitrRetentionDays: PITR_RETENTION_DAYS,
  });
  expect(onboard.status).toBe(201);
  const first = await keysUntil(START, (k) => k.versions.length === 1 && k.databases.length === 1, 'the key ring read model');
  expect(first.rotationPeriodDays).toBe(ROTATION_DAYS);
  expect(first.pitrRetentionDays).toBe(PITR_RETENTION_DAYS);
  expect(first.versions[0]).toMatchObject({ status: 'active', source: 'onboarding', createdAt: START });
  versions.push({ id: first.versions[0].keyVersionId, createdAt: first.versions[0].createdAt, from: first.databases[0].since, to: null });
  const onboardedAt = first.databases[0].since;

  const yearEnds: { at: string; alive: string[] }[] = [];
  let previousTaken = onboardedAt;
  const lastDay = ms(at(LAST_DAY, '00:00:00'));
  for (let d = 0; ; d++) {
    const day = plusDays(START, d).slice(0, 10);
    if (ms(at(day, '00:00:00')) > lastDay) break;

    // 01:00: the clock moves (and fires a rotation that became due), then the daily backups.
    const t1 = at(day, '01:00:00');
    await setClock(t1);
    if (ms(plusDays(newest().createdAt, ROTATION_DAYS)) <= ms(t1)) {
      const n = versions.length + 1;
      const k = await keysUntil(
        t1,
        (x) => x.versions.length === n && x.databases[0]!.keyVersionId === x.versions[n - 1]!.keyVersionId,
        `rotation ${n - 1} and re-protection on ${day}`,
      );
      const added = k.versions[n - 1]!;
      // Due at the newest version's creation + 365 days; fired by the first clock step at or after it.
      expect(added).toMatchObject({ source: 'policy', status: 'active', createdAt: t1 });
      const since = k.databases[0]!.since;
      newest().to = since;
      versions.push({ id: added.keyVersionId, createdAt: added.createdAt, from: since, to: null });
    }
    await recordBackup({ backupId: `pitr-${day}`, kind: 'pitr', coveredFrom: previousTaken, takenAt: t1, expiresAt: plusDays(t1, 7) });
    previousTaken = t1;
    if (d % 7 === 6) await recordBackup({ backupId: `full-${day}`, kind: 'full', coveredFrom: t1, takenAt: t1, expiresAt: plusDays(t1, 35) });

    // Jan 1st, 02:00: the yearly long-term backup.
    if (day.endsWith('-01-01')) {
      const t2 = at(day, '02:00:00');
      await setClock(t2);
      await recordBackup({ backupId: `ltr-${day.slice(0, 4)}`, kind: 'ltr', coveredFrom: t2, takenAt: t2, expiresAt: plusDays(t2, 3 * 365) });
    }

    // Dec 31st, 23:59:59: the year's end. The engine's versions must be the ones the test computes.
    if (day.endsWith('-12-31')) {
      const end = at(day, '23:59:59');
      await setClock(end);
      const expected = expectedView(end);
      const k = await keysUntil(end, (x) => sameJson(engineView(x), expected), `the versions alive at ${end}`).catch(async (error: Error) => {
        expect(engineView(await keys())).toEqual(expected); // the diff, if it never converged
        throw error;
      });
      expect(engineView(k)).toEqual(expected);
      // Which backups hold each version: the live ones, listed in pages.
      for (const v of versions) {
        const live = backups.filter((b) => needs(b, v) && ms(b.expiresAt) > ms(end)).map((b) => b.backupId);
        expect({ keyVersionId: v.id, live: await backupsOf(v.id) }).toEqual({ keyVersionId: v.id, live: live.sort() });
      }
      yearEnds.push({ at: end, alive: aliveAt(end) });
    }

    if ((d + 1) % 100 === 0) {
      const now = performance.now();
      const avg = (kind: keyof typeof timing) =>
        ((timing[kind].ms - blockTiming[kind].ms) / Math.max(1, timing[kind].n - blockTiming[kind].n)).toFixed(1);
      blocks.push(`days ${d - 98}-${d + 1}: ${((now - blockStart) / 1000).toFixed(1)} s (avg ms: clock ${avg('clock')}, backup ${avg('backup')})`);
      if (process.env.LETHE_PROGRESS) process.stderr.write(`${blocks[blocks.length - 1]}\n`);
      blockStart = now;
      blockTiming = structuredClone(timing);
    }
  }

  // Three year ends: v0 alone; v0, v1, v2 (v0 held by ltr-2027); v1, v2, v3 (v0 retired on 31 Dec 2029 02:00).
  expect(yearEnds.map((y) => y.alive.map((id) => versions.findIndex((v) => v.id === id)))).toEqual([[0], [0, 1, 2], [1, 2, 3]]);

  // Restore checks at the end: every unexpired LTR restores; an expired PITR (and the expired LTR)
  // whose version was retired does not: that version is disabled in the vault (retired on the last day,
  // it is in its 7-day grace before destruction).
  const end = at(LAST_DAY, '23:59:59');
  const restoreCheck = async (backupId: string) => {
    const res = await api('POST', `/v1/tenants/${TENANT}/backups/${backupId}/restore-check`, TOKENS.operator);
    expect(res.status).toBe(200);
    return res.body as { restorable: boolean; keyVersionId: string | null; reason?: string };
  };
  const ltrs = backups.filter((b) => b.kind === 'ltr');
  const unexpired = ltrs.filter((b) => ms(b.expiresAt) > ms(end));
  expect(unexpired.map((b) => b.backupId)).toEqual(['ltr-2028', 'ltr-2029']);
  for (const b of unexpired) {
    const restoreVersion = versions.find((v) => ms(v.from) <= ms(b.takenAt) && (v.to === null || ms(b.takenAt) < ms(v.to)))!;
    expect(await restoreCheck(b.backupId)).toEqual({ restorable: true, protection: 'customer-key', keyVersionId: restoreVersion.id });
  }
  const retired = new Set(versions.filter((v) => !aliveAt(end).includes(v.id)).map((v) => v.id));
  const expiredPitr = backups.find((b) => b.kind === 'pitr' && ms(b.expiresAt) <= ms(end) && neededBy(b).every((id) => retired.has(id)))!;
  expect(expiredPitr.backupId).toBe('pitr-2027-01-01');
  for (const backupId of [expiredPitr.backupId, 'ltr-2027']) {
    let verdict: Awaited<ReturnType<typeof restoreCheck>> | undefined;
    // The vault disables the version right after KeyVersionRetired is recorded: give it a moment.
    await waitUntil(async () => (verdict = await restoreCheck(backupId)).reason === 'key-version-disabled', 5_000, `${backupId} unrestorable`).catch(() => undefined);
    expect(verdict).toMatchObject({ restorable: false, reason: 'key-version-disabled', keyVersionId: versions[0]!.id });
  }

  // The table quoted in the closing note of issue #4.
  const final = await keys();
  const rows = final.versions.map((v, i) => {
    const m = versions[i]!;
    const computed = expectedRetainUntil(m);
    return [
      `v${i}`,
      v.keyVersionId.slice(0, 8),
      v.source,
      v.createdAt,
      `${m.from.slice(0, 16)}..${m.to ? m.to.slice(0, 16) : 'now'}`,
      v.status,
      v.retainUntil ?? '-',
      computed ?? '-',
      v.retiredAt ?? '-',
      String(v.backupCount),
      String(holding(m).length),
    ];
  });
  const header = ['ver', 'id', 'source', 'createdAt', 'protected [from..to)', 'status', 'retainUntil (engine)', 'retainUntil (test)', 'retiredAt', 'backups', 'expected'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((x, c) => x.padEnd(widths[c]!)).join(' | ');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const avg = (kind: keyof typeof timing) => `${timing[kind].n} × ${(timing[kind].ms / Math.max(1, timing[kind].n)).toFixed(1)} ms`;
  console.log(
    [
      `Key versions of tenant ${TENANT} after 3 simulated years (clock at ${end}; ${backups.length} backups: ` +
        `${backups.filter((b) => b.kind === 'pitr').length} pitr, ${backups.filter((b) => b.kind === 'full').length} full, ${ltrs.length} ltr)`,
      line(header),
      widths.map((w) => '-'.repeat(w)).join('-|-'),
      ...rows.map(line),
      `alive at year ends: ${yearEnds.map((y) => `${y.at.slice(0, 10)}: ${y.alive.map((id) => `v${versions.findIndex((v) => v.id === id)}`).join(',')}`).join('; ')}`,
      `scenario ${seconds} s; requests: clock ${avg('clock')}, backup ${avg('backup')}, GET keys ${avg('keys')}`,
      ...blocks,
      ...(warnings.length > 0 ? [`engine warnings: ${warnings.length}, first: ${warnings[0]!.slice(0, 300)}`] : []),
    ].join('\n'),
  );
}, 600_000);
