// The engine the scale bench measures: the built engine (`npm run build`, as production runs it) in a
// real child process on the bench database with the manual clock (so the bench decides when deadlines fall due), one token per role, and helpers to drive it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningUrl, spawnEngine, type EngineProcess } from '../support/engine-process.js';
import { apiClient } from '../support/http-client.js';

export const ROLES = ['contract-system', 'ops-reader', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ScaleEngine {
  readonly process: EngineProcess;
  readonly url: string;
  readonly tokens: Readonly<Record<Role, string>>;
  readonly api: ReturnType<typeof apiClient>;
  /** Peak resident set of the engine process so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

export async function startScaleEngine(databaseUrl: string, clockStart: string): Promise<ScaleEngine> {
  const tokens = Object.fromEntries(ROLES.map((r) => [r, `${r.slice(0, 2)}-${randomBytes(12).toString('hex')}`])) as Record<Role, string>;
  const child = spawnEngine({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-scale-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: clockStart,
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_INSTANCE_ID: 'scale-bench',
    LETHE_LOG_LEVEL: 'warn',
    LETHE_TOKENS: ROLES.map((r) => `${r}:${tokens[r]}`).join(','),
    // A storm is a fleet's timers falling due at one instant: fire them through several claim loops.
    LETHE_DEADLINE_CONCURRENCY: '4',
  }, { built: true });
  const url = await listeningUrl(child, 'the engine');
  return {
    process: child,
    url,
    tokens,
    api: apiClient(url),
    peakRssMb() {
      const status = readFileSync(`/proc/${child.child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    async stop() {
      child.kill('SIGTERM');
      await child.exited;
    },
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight; throws the first failure. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

export async function waitFor(what: string, timeoutMs: number, condition: () => Promise<boolean>, everyMs = 250): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
