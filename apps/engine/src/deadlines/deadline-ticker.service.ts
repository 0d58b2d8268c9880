// Ticks the durable deadline poller on an interval (when this instance's roles include `poller`).
// The interval only wakes the poller; what is due lives in PostgreSQL (libs/scheduler).
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import pg from 'pg';
import type { Logger } from 'pino';
import { CLOCK, SystemClock, type Clock } from '@lethe/clock';
import { DeadlinePoller, type DeadlineHandlers, type FiredDeadline } from '@lethe/scheduler';
import { isKeyVaultUnavailable } from '@lethe/vault';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config.js';
import { PG_POOL } from '../infrastructure/database.js';
import { ROOT_LOGGER } from '../logging/tokens.js';

/** Nest injection token for the deadline handlers, by deadline kind. */
export const DEADLINE_HANDLERS = Symbol('DeadlineHandlers');

const INTERVAL_NAME = 'lethe-deadline-poller';

/** What a readiness check needs to know about this instance's poller. */
export interface DeadlineTickerStatus {
  /** This instance runs the poller (its roles include `poller`) and has started it. */
  readonly enabled: boolean;
  /** Real time at which the last drain ended, failed or not; null before the first. */
  readonly lastTickAt: Date | null;
  /** The last drain's failure, by error code or class name (never its message); null if it succeeded. */
  readonly lastError: string | null;
  /** A drain is running now (a long one fires many deadlines, one after the other). */
  readonly draining: boolean;
  /** Real time at which the poller started. */
  readonly startedAt: Date | null;
}

@Injectable()
export class DeadlineTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private poller: DeadlinePoller | undefined;
  private ticking: Promise<readonly FiredDeadline[]> | undefined;
  private lastTickAt: Date | null = null;
  private lastError: string | null = null;
  private startedAt: Date | null = null;
  // Real time, not the engine's (possibly manual) clock: a readiness check compares it with the wall clock.
  private readonly wallClock = new SystemClock();

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_HANDLERS) private readonly handlers: DeadlineHandlers,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.has('poller')) return;
    const logger = this.logger.child({ component: 'deadlines' });
    this.poller = new DeadlinePoller(this.pool, this.clock, this.handlers, {
      logger,
      owner: this.config.instanceId,
      leaseMs: this.config.deadlineLeaseMs,
      // A vault outage can last hours; the timers that need the vault (rotation, retirement, opening a
      // key ring) owe their work as soon as it is back (P1–P3), so they retry it with capped backoff
      // (1 h) for as long as it lasts. Only a refusal or a bug parks a timer.
      isTransient: isKeyVaultUnavailable,
    });
    this.registry.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), this.config.deadlinePollMs));
    this.startedAt = this.wallClock.now();
  }

  /**
   * Fires whatever is due now; also called after the manual clock moves. Returns what this instance
   * fired meanwhile: by this drain, and by a drain already running when it was called.
   */
  async tick(): Promise<FiredDeadline[]> {
    if (!this.poller) return [];
    const fired: FiredDeadline[] = [];
    // One drain at a time per instance; a caller arriving meanwhile waits for it and drains again.
    while (this.ticking) fired.push(...(await this.ticking));
    let done!: (fired: readonly FiredDeadline[]) => void;
    this.ticking = new Promise((resolve) => (done = resolve));
    const poller = this.poller;
    try {
      // Several claim loops side by side: a fleet's timers fall due together (a rotation period ends at
      // one instant for many tenants), and each waits mostly on PostgreSQL and the vault. Each row is
      // still fired under its own claim, as by several instances.
      const own = await poller.drain(this.config.deadlineConcurrency).catch((error: unknown) => ({ firedDeadlines: [], error }));
      fired.push(...own.firedDeadlines);
      done(own.firedDeadlines);
      if (own.error !== undefined) throw own.error;
      this.lastError = null;
      return fired;
    } catch (error) {
      this.lastError = errorCode(error);
      this.logger.warn({ component: 'deadlines', err: (error as Error).message }, 'deadline tick failed');
      return fired;
    } finally {
      this.lastTickAt = this.wallClock.now();
      this.ticking = undefined;
    }
  }

  status(): DeadlineTickerStatus {
    return {
      enabled: this.poller !== undefined,
      lastTickAt: this.lastTickAt,
      lastError: this.lastError,
      draining: this.ticking !== undefined,
      startedAt: this.startedAt,
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await this.poller?.stop();
  }
}

/** A PostgreSQL SQLSTATE or Node error code when there is one, else the error's class name. */
function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  return error instanceof Error ? error.name : 'UnknownError';
}
