// The engine started in this process on a fresh database, with the manual clock and one token per
// role: for end-to-end tests that talk HTTP to it and read its tables.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient } from './http-client.js';

export const ROLES = ['contract-system', 'ops-reader', 'operator', 'admin', 'approver', 'approver-2'] as const;
export type Role = (typeof ROLES)[number];
/** Each test token's role and subject: `approver-2` is a second person holding the role `approver`. */
export const TOKEN_ROLE: Readonly<Record<Role, string>> = { 'contract-system': 'contract-system', 'ops-reader': 'ops-reader', operator: 'operator', admin: 'admin', approver: 'approver', 'approver-2': 'approver' };
/** The subject named by each test token (`role:subject:token`), as the events it causes record it. */
export const SUBJECTS: Readonly<Record<Role, string>> = Object.fromEntries(ROLES.map((r) => [r, `e2e-${r}`])) as Record<Role, string>;

export interface InProcessEngine {
  readonly engine: RunningEngine;
  readonly db: TestDatabase;
  readonly pool: pg.Pool;
  readonly tokens: Readonly<Record<Role, string>>;
  readonly api: ReturnType<typeof apiClient>;
  readonly logLines: string[];
  /** The master key the engine was given (base64): to open its vault beside it, or to look for leaks. */
  readonly masterKey: string;
  /** The number of stored events. */
  eventCount(): Promise<number>;
  /** The number of stored events once processors and timers stopped adding any (stable for `quietMs`). */
  settledEventCount(quietMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** `env`: further settings, over the defaults below (e.g. a test-only switch). */
export async function startInProcessEngine(clockStart: string, env: Readonly<Record<string, string>> = {}): Promise<InProcessEngine> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 3 });
  pool.on('error', reportIdleError);
  const tokens = Object.fromEntries(ROLES.map((r) => [r, `${r.slice(0, 2)}-${randomBytes(12).toString('hex')}`])) as Record<Role, string>;
  const masterKey = randomBytes(32).toString('base64');
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-e2e-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: clockStart,
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_MASTER_KEY: masterKey,
    LETHE_INSTANCE_ID: 'e2e',
    LETHE_TOKENS: ROLES.map((r) => `${TOKEN_ROLE[r]}:${SUBJECTS[r]}:${tokens[r]}`).join(','),
    ...env,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const engine = await startEngine(config, { logger: createLogger('info', sink) });
  const eventCount = async () => Number((await pool.query<{ n: string }>('select count(*) as n from lethe_events')).rows[0].n);
  return {
    eventCount,
    async settledEventCount(quietMs = 250) {
      let last = await eventCount();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, quietMs));
        const now = await eventCount();
        if (now === last) return now;
        last = now;
      }
    },
    engine,
    db,
    pool,
    tokens,
    api: apiClient(engine.url),
    logLines,
    masterKey,
    async stop() {
      await engine.close();
      await pool.end();
      await db.drop();
    },
  };
}
