// The engine under simulation, as a real child process: what `lethe simulate` kills with SIGKILL and
// starts again (`crash` fault). Its output goes to a log file, never into memory: ten simulated years
// of log lines would not fit.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How long an engine may take from spawn to listening (TypeScript compiled on the fly on a loaded machine). */
export const ENGINE_BOOT_TIMEOUT_MS = 180_000;

const here = dirname(fileURLToPath(import.meta.url));
/** The checkout (or the built tree under dist/) this file belongs to. */
const root = join(here, '..', '..', '..', '..');

/** The command that runs the engine: the built `main.js` next to a built simulator, else the TypeScript sources. */
function engineCommand(): { args: string[]; cwd: string } {
  const built = join(root, 'apps/engine/src/main.js');
  if (existsSync(built)) return { args: [built], cwd: root };
  return { args: ['--import', '@swc-node/register/esm-register', join(root, 'apps/engine/src/main.ts')], cwd: root };
}

/**
 * Engines started and not yet exited. The engine runs in its own process group, so nothing else
 * ends it when the simulator exits at once (a second Ctrl-C, an uncaught error): an exit hook kills
 * them, or one would keep running timers against the run's database.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killRunningEngines(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Tracks `child` until it exits; the first call installs the exit hook. */
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killRunningEngines);
  }
}

export interface EngineChild {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly pid: number;
  /** Peak resident set size so far (bytes), from /proc; null where /proc is absent. */
  peakRss(): number | null;
  /** SIGKILL, then waits for the exit (a crash: nothing is cleaned up). */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit (the engine's orderly stop). */
  stop(): Promise<void>;
  /** Rejects when the engine exits on its own, with the exit code (the run is then broken). */
  readonly unexpectedExit: Promise<never>;
}

/** The boot was given up because the caller's signal was aborted (the engine was killed). */
export class EngineStartAbortedError extends Error {
  constructor() {
    super('the engine was stopped while it started');
    this.name = 'EngineStartAbortedError';
  }
}

/**
 * Starts the engine with `env` (on top of PATH and HOME only) and resolves once it listens; its
 * output is appended to `logFile`. `signal` aborted before then kills it (a boot takes seconds, and
 * a Ctrl-C should not wait for it).
 * @throws when it exits or stays silent for ENGINE_BOOT_TIMEOUT_MS, with the log file's name;
 *   EngineStartAbortedError when `signal` was aborted first.
 */
export async function startEngineChild(env: Readonly<Record<string, string>>, logFile: string, signal?: AbortSignal): Promise<EngineChild> {
  const { args, cwd } = engineCommand();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches the simulator, which stops the engine in
    // order and cleans up, instead of killing both at once.
    detached: true,
  });
  track(child);
  const log = createWriteStream(logFile, { flags: 'a' });
  let intentional = false;
  let peak: number | null = null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    let listening = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the engine did not listen within ${ENGINE_BOOT_TIMEOUT_MS} ms (its log: ${logFile})`));
    }, ENGINE_BOOT_TIMEOUT_MS);
    const abort = () => {
      clearTimeout(timer);
      intentional = true;
      child.kill('SIGKILL');
      reject(new EngineStartAbortedError());
    };
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    void exited.then(() => signal?.removeEventListener('abort', abort));
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (listening) return;
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      const found = /Lethe engine listening on (https?:\/\/\S+)/.exec(seen);
      if (found) {
        listening = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        resolve(found[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the engine exited during boot with code ${code} (its log: ${logFile})`));
    });
  });
  const sampleRss = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      if (kb) peak = Math.max(peak ?? 0, Number(kb) * 1024);
    } catch {
      // No /proc (not Linux), or the process is gone: keep the last sample.
    }
  };
  const sampler = setInterval(sampleRss, 1000);
  sampler.unref();
  const end = async (signal: NodeJS.Signals) => {
    intentional = true;
    sampleRss();
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
    await new Promise<void>((resolve) => log.end(resolve));
  };
  const unexpectedExit = exited.then((code) => {
    if (intentional) return new Promise<never>(() => undefined);
    throw new Error(`the engine exited on its own with code ${code} (its log: ${logFile})`);
  });
  unexpectedExit.catch(() => undefined);
  return {
    url,
    pid: child.pid!,
    peakRss: () => {
      sampleRss();
      return peak;
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    unexpectedExit,
  };
}
