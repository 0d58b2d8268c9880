// `npm start`: the Lethe engine. Exits 2 on bad configuration, naming the setting.
//
// Stopping: SIGTERM, SIGINT or SIGHUP at any moment, boot included, stops the engine in order
// (processors finish the event in hand and release their leases, then the database goes) and exits
// 0. A stop that has not finished within SHUTDOWN_TIMEOUT_MS, or a second signal, exits 1 at once:
// the database connections close with the process, and PostgreSQL frees the advisory locks with them.
//
// The signal handlers are installed before the engine's modules load (they are imported dynamically
// below), so no moment of boot is left to the default action of a signal.
import type { Logger } from 'pino';
import type { RunningEngine } from './engine.js';

const SHUTDOWN_TIMEOUT_MS = 20_000;
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

// Settings read after loadConfig (TLS files, key files and values, a master key that is not the
// database's, a signing key retired since, a manual clock behind the log, the PKCS#11 token and its
// binding) fail with these: exit 2 too.
const SETTING_ERRORS = new Set([
  'ConfigError',
  'TlsConfigError',
  'InvalidKeySettingError',
  'KeyFilePermissionError',
  'InvalidKeyFileError',
  'MasterKeyCheckError',
  'RetiredSigningKeyError',
  'ManualClockBehindEventsError',
  'TokensFileError',
  'DatabaseSettingError',
  'Pkcs11SettingError',
  'Pkcs11BindingMissingError',
  'EventStoreMismatchError',
]);

function refuse(error: unknown): never {
  const setting = SETTING_ERRORS.has((error as Error).name);
  process.stderr.write(`Lethe ${setting ? 'refuses' : 'failed'} to start: ${(error as Error).message}\n`);
  process.exit(setting ? 2 : 1);
}

async function main(): Promise<void> {
  // Installed before anything else, so no moment of boot falls back to the default (kill at once).
  const stopRequested = new AbortController();
  let engine: RunningEngine | undefined;
  let logger: Logger | undefined = undefined;
  let stopping: string | undefined;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`Lethe: ${signal} again while stopping; exiting now\n`);
      process.exit(1);
    }
    stopping = signal;
    logger?.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger?.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    if (!engine) {
      // Still booting (or not yet configured): the boot stops at its next step and unwinds.
      stopRequested.abort();
      if (!logger) process.exit(0);
      return;
    }
    engine.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger?.error({ err: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));

  const [{ loadConfig }, { EngineBootAbortedError, startEngine }, { createLogger }] = await Promise.all([
    import('./config/engine-config.js'),
    import('./engine.js'),
    import('./logging/logger.js'),
  ]);
  const config = loadConfig(process.env);
  logger = createLogger(config.logLevel);
  try {
    engine = await startEngine(config, { logger, signal: stopRequested.signal });
  } catch (error) {
    // A stop during boot ends it at the next step; a step that failed meanwhile (e.g. a Ctrl-C that
    // also reached the embedded PostgreSQL) is the same stop.
    if (error instanceof EngineBootAbortedError || stopRequested.signal.aborted) {
      if (!(error instanceof EngineBootAbortedError)) logger.warn({ err: (error as Error).message }, 'a boot step failed while stopping');
      logger.info({ instance: config.instanceId }, 'Lethe engine stopped during boot');
      process.exit(0);
    }
    throw error;
  }
  // Every instance listens (one without the api role serves only the probes and /metrics).
  // One write: a reader that waits for the first line finds the second beside it.
  const tokensLine = engine.tokensFile ? `API tokens (one role:subject:token a line): ${engine.tokensFile}\n` : '';
  process.stdout.write(`Lethe engine listening on ${engine.url} (try ${engine.url}/readyz)\n${tokensLine}`);
  // A signal during the last boot step found no engine yet; the boot completed regardless.
  if (stopping) {
    const signal = stopping;
    stopping = undefined;
    stop(signal);
  }
}

main().catch(refuse);
