// Read your own writes. Every successful write answers `Lethe-Position`: the position of the last event
// it appended, or the head of the global log once it was done when it appended none, so at or past
// every event it produced. A read that sends that position back
// (`?minPosition=` or the `Lethe-Min-Position` header) is answered once every read-model projection
// has handled the log up to it; if they do not get there within READ_WAIT_MS, the answer is 202
// with Retry-After, and the caller asks again. Reads without it answer at once, as before.
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { defer, from, lastValueFrom, type Observable } from 'rxjs';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { EVENT_STORE, logPositionRule, parseLogPosition, trackingAppends, type EventStore } from '@lethe/eventstore';
import { lowestCheckpoint } from '@lethe/processors';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import { ProblemException, ProblemTypes } from '../problem/problem.js';
import { PUBLIC_KEY } from '../auth/decorators.js';

export const POSITION_HEADER = 'Lethe-Position';
export const MIN_POSITION_HEADER = 'lethe-min-position';
export const MIN_POSITION_QUERY = 'minPosition';
/** How long (ms) a read waits for the read models before answering 202. */
export const READ_WAIT_MS = 2_000;
const POLL_MS = 25;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Nest injection token: the pool to read checkpoints with, and the names of the read-model projections. */
export const READ_MODEL_PROGRESS = Symbol('ReadModelProgress');
export interface ReadModelProgress {
  readonly db: Pick<pg.Pool, 'query'>;
  readonly projections: readonly string[];
}

@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(EVENT_STORE) private readonly store: Pick<EventStore, 'head'>,
    @Inject(READ_MODEL_PROGRESS) private readonly progress: ReadModelProgress,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const response = context.switchToHttp().getResponse<HttpResponse>();
    if (WRITES.has(request.method)) return defer(() => from(this.write(response, next)));
    // Public reads (health probes, the docs, signing keys) read no read model: they never wait.
    if (request.method !== 'GET' || isPublic(this.reflector, context)) return next.handle();
    const min = minPositionOf(request);
    if (min === undefined) return next.handle();
    return defer(() => from(this.read(min, next)));
  }

  private async write(response: HttpResponse, next: CallHandler): Promise<unknown> {
    const { result, highestAppended } = await trackingAppends(() => lastValueFrom(next.handle(), { defaultValue: undefined }));
    // Its own last event when it appended (no statement); the log's head when it appended nothing
    // (an answer replayed, or a write whose events another instance stored): at or past its effects either way.
    response.setHeader(POSITION_HEADER, (highestAppended ?? (await this.store.head())).toString());
    return result;
  }

  private async read(min: bigint, next: CallHandler): Promise<unknown> {
    let reached = await lowestCheckpoint(this.progress.db, this.progress.projections);
    for (let waited = 0; reached < min && waited < READ_WAIT_MS; waited += POLL_MS) {
      await sleep(POLL_MS);
      reached = await lowestCheckpoint(this.progress.db, this.progress.projections);
    }
    if (reached < min) {
      throw new ProblemException({
        status: 202,
        type: ProblemTypes.readModelBehind,
        detail: `The read models have reached log position ${reached}, not yet ${min}: ask again.`,
        headers: { 'Retry-After': '1' },
        extensions: { minPosition: min.toString(), position: reached.toString() },
      });
    }
    return lastValueFrom(next.handle(), { defaultValue: undefined });
  }
}

/**
 * The position a read asks for, or undefined. The query parameter is taken out of the request's
 * query, so the route's own query validation never sees it. Throws a 400 naming the field when it
 * is not a log position (a whole number from 0 to 2^63-1).
 */
function minPositionOf(request: HttpRequest): bigint | undefined {
  const query = { ...(request.query as Record<string, unknown>) };
  const fromQuery = query[MIN_POSITION_QUERY];
  if (fromQuery !== undefined) {
    delete query[MIN_POSITION_QUERY];
    // Express computes `query` from the URL on each access: shadow it with what the route should see.
    Object.defineProperty(request, 'query', { value: query, writable: true, configurable: true, enumerable: true });
  }
  const header = request.headers[MIN_POSITION_HEADER];
  const raw = fromQuery ?? header;
  if (raw === undefined) return undefined;
  const field = fromQuery !== undefined ? MIN_POSITION_QUERY : 'Lethe-Min-Position';
  const position = typeof raw === 'string' ? parseLogPosition(raw, 0n) : undefined;
  if (position === undefined) {
    throw ProblemException.badRequest(`${field} is not a log position.`, [{ field, rule: `${logPositionRule(0n)} (a Lethe-Position answered by a write)` }]);
  }
  return position;
}

function isPublic(reflector: Reflector, context: ExecutionContext): boolean {
  return reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true;
}
