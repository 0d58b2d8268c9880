// Behind a transaction-mode pooler each transaction may run on another server session, so nothing
// sent through DATABASE_URL may rely on session state (ARCHITECTURE.md §4, several instances). The
// end-to-end proof is test/e2e/pgbouncer.int-spec.ts (where pgbouncer is installed); this check
// catches the usual ways of breaking it in the source, everywhere, on every machine.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The only places that open a session of their own, on the direct connection. */
const SESSION_OWNERS = new Set([
  'libs/processors/src/processor-lease.ts', // the processor lease: a session advisory lock
  'libs/postgres/src/migrations.ts', // the migration lock, on the direct URL at boot
  'libs/eventstore/src/postgres/pg-notifier.ts', // LISTEN
  'libs/postgres/src/server-checks.ts', // the boot check that both URLs reach one database, on the direct URL
  'libs/postgres/src/engine-lock.ts', // the engine lock: every engine shared, `lethe master-key rotate` exclusive
  'apps/simulator/src/driver/checkpoint-signal.ts', // LISTEN, on the database `lethe simulate` created itself on the server (never through a pooler)
]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

const files = ['apps', 'libs'].flatMap((dir) => sources(join(ROOT, dir))).map((path) => ({
  path: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

const RULES: readonly { readonly what: string; readonly pattern: RegExp; readonly allowedIn?: ReadonlySet<string> }[] = [
  // A named prepared statement lives in one server session: `{ name: 'x', text, values }`.
  { what: 'named prepared statements', pattern: /\.query(<[^>]*>)?\(\s*\{[^}]*\bname\s*:/s },
  { what: 'session advisory locks', pattern: /pg_(try_)?advisory_lock(_shared)?\s*\(/, allowedIn: SESSION_OWNERS },
  { what: 'LISTEN', pattern: /[`'"]\s*listen\s/i, allowedIn: SESSION_OWNERS },
  // SET LOCAL and SET TRANSACTION end with their transaction; anything else stays on the session.
  { what: 'SET statements', pattern: /\.query(<[^>]*>)?\(\s*[`'"]\s*set\s+(?!local\b|transaction\b)/i },
  { what: 'session-wide set_config', pattern: /set_config\s*\([^)]*,\s*false\s*\)/i },
];

describe('pooler safety: queries through DATABASE_URL keep no session state', () => {
  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    for (const owner of SESSION_OWNERS) expect(files.map((f) => f.path)).toContain(owner);
  });

  it.each(RULES.map((rule, i) => [rule.what, i] as const))('no %s outside the direct-connection owners', (_what, i) => {
    const rule = RULES[i];
    const offenders = files.filter((f) => rule.pattern.test(f.text) && !rule.allowedIn?.has(f.path)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('each rule recognises what it forbids', () => {
    const samples = [
      `await pool.query({ name: 'lethe_read', text: 'select 1', values: [] })`,
      `await pool.query('select pg_advisory_lock($1)', [1])`,
      'await client.query(`listen lethe_events`)',
      `await pool.query("set statement_timeout = 5000")`,
      `await pool.query("select set_config('x', 'y', false)")`,
    ];
    RULES.forEach((rule, i) => expect(rule.pattern.test(samples[i])).toBe(true));
    expect(RULES[3].pattern.test(`await tx.query('set local lock_timeout = 100')`)).toBe(false);
  });
});
