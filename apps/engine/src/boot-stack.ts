// What a boot has opened so far, so that a stop at any moment (a failed step, SIGTERM during boot,
// or the engine's normal close) undoes exactly that, newest first: the application (processors
// release their leases, the poller stops), then the event store, then the database.
import type { Logger } from 'pino';

/** A stop was requested while the engine was booting; what it had opened is closed again. */
export class EngineBootAbortedError extends Error {
  constructor() {
    super('stopped during boot');
    this.name = 'EngineBootAbortedError';
  }
}

export class BootStack {
  private readonly closers: (() => Promise<void>)[] = [];
  private unwinding: Promise<void> | undefined;

  constructor(private readonly signal: AbortSignal | undefined) {}

  /** Between boot steps: @throws EngineBootAbortedError once a stop was requested. */
  checkpoint(): void {
    if (this.signal?.aborted) throw new EngineBootAbortedError();
  }

  /** Registers how to undo the step just taken. */
  onUnwind(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /** Closes everything opened, newest first, once; a failing closer is logged and the rest still run. */
  unwind(logger: Pick<Logger, 'error'>): Promise<void> {
    this.unwinding ??= (async () => {
      while (this.closers.length > 0) {
        const close = this.closers.pop()!;
        try {
          await close();
        } catch (error) {
          logger.error({ err: (error as Error).message }, 'could not close a part of the engine');
        }
      }
    })();
    return this.unwinding;
  }
}
