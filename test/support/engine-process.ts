// Runs the engine as a real child process (TypeScript compiled on the fly by @swc-node/register, or
// the built engine of `npm run build`), for tests that need kill -9, signals and several instances.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface EngineProcess {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Deadline claims of a killed engine expire after this long (production default 30 s), so a restart takes them over quickly. */
export const TEST_DEADLINE_LEASE_MS = 2000;

/**
 * The engine in a child process with `env` over a few test defaults. PORT defaults to 0 (any free
 * port): every instance listens, whatever its roles, so several on one machine must not share 3000.
 */
export function spawnEngine(env: Record<string, string>, options: { readonly built?: boolean } = {}): EngineProcess {
  // Built: what production runs (no compiler in memory); a benchmark measures that. Tests take the
  // sources, so they need no build.
  const entry = options.built ? ['dist/apps/engine/src/main.js'] : ['--import', '@swc-node/register/esm-register', 'apps/engine/src/main.ts'];
  const child = spawn(process.execPath, entry, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: '0',
      LETHE_LOG_LEVEL: 'info',
      LETHE_DEADLINE_LEASE_MS: String(TEST_DEADLINE_LEASE_MS),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => out,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * How long a child engine may take from spawn to listening: its TypeScript is compiled on the fly,
 * which takes tens of seconds on a loaded 2-core machine.
 */
export const ENGINE_BOOT_TIMEOUT_MS = 150_000;

/** The URL the engine listens on, once it says so; throws with its output if it exits first. */
export async function listeningUrl(engine: EngineProcess, name = 'the engine', timeoutMs = ENGINE_BOOT_TIMEOUT_MS): Promise<string> {
  let url: string | undefined;
  await waitUntil(
    () => {
      if (engine.child.exitCode !== null || engine.child.signalCode !== null) throw new Error(`${name} exited during boot:\n${engine.output()}`);
      return (url = /Lethe engine listening on (https?:\/\/\S+)/.exec(engine.output())?.[1]) !== undefined;
    },
    timeoutMs,
    `${name} to listen`,
  );
  return url!;
}
