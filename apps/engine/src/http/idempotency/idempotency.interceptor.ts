// Makes @Idempotent routes answer a replay with the first answer. Register as APP_INTERCEPTOR; it
// does nothing on routes without @Idempotent. It runs after the guard and before the validation
// pipes and the handler: a 400 from a pipe or any error from the handler releases the claim, so
// nothing is kept and a corrected retry runs. A replay gets the first status and body (not its
// headers) and `Idempotent-Replayed: true`.
import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import { LETHE_PROBLEM_TYPE_PREFIX, ProblemException, ProblemTypes } from '../problem/problem.js';
import { requestFingerprint } from './request-fingerprint.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_KEY, idempotencyKeyName, keyReusedCode, type IdempotentOptions } from './idempotent.decorator.js';
import { IdempotencyStore, type IdempotencyClaim } from './idempotency.store.js';

const MAX_KEY_LENGTH = 255;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `POST /v1/tenants/:tenantId/terminations tenantId=acme`. */
export function defaultScope(request: HttpRequest): string {
  const pattern = typeof request.route?.path === 'string' ? request.route.path : request.path;
  const params = Object.keys(request.params ?? {})
    .sort()
    .map((name) => `${name}=${encodeURIComponent(request.params[name])}`);
  return [`${request.method} ${pattern}`, ...params].join(' ');
}

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly reflector: Reflector,
    @Inject(IdempotencyStore) private readonly store: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<IdempotentOptions | undefined>(IDEMPOTENT_KEY, context.getHandler());
    if (options === undefined || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    const key = this.keyOf(options, request);
    if (key === undefined) return next.handle();
    const scope = options.scope?.(request) ?? defaultScope(request);
    return defer(() => this.run(options, scope, key, requestFingerprint(request.body), response, next));
  }

  private keyOf(options: IdempotentOptions, request: HttpRequest): string | undefined {
    const name = idempotencyKeyName(options);
    const raw = options.key === 'header' ? request.headers[IDEMPOTENCY_KEY_HEADER] : options.key(request.body, request);
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (typeof value !== 'string' || value === '') {
      if (options.required) throw ProblemException.badRequest(`This request needs an ${name}.`, [{ field: name, rule: 'is required' }]);
      return undefined;
    }
    if (value.length > MAX_KEY_LENGTH || CONTROL.test(value)) {
      throw ProblemException.badRequest(`The ${name} is not valid.`, [
        { field: name, rule: `must be 1 to ${MAX_KEY_LENGTH} characters without control characters` },
      ]);
    }
    return value;
  }

  private async run(options: IdempotentOptions, scope: string, key: string, fingerprint: string, response: HttpResponse, next: CallHandler): Promise<unknown> {
    const name = idempotencyKeyName(options);
    const outcome = await this.store.begin(scope, key, fingerprint);
    switch (outcome.kind) {
      case 'replay':
        response.status(outcome.status);
        response.setHeader('Idempotent-Replayed', 'true');
        return outcome.body;
      case 'mismatch':
        // Named as the caller sent it (a body's terminationId is no Idempotency-Key header).
        throw new ProblemException({
          status: 409,
          type: `${LETHE_PROBLEM_TYPE_PREFIX}${keyReusedCode(options)}`,
          title: `${name} reused`,
          detail: `This ${name} (${JSON.stringify(key)}) was already used for a request with another body: a retry must send the same body again (it then gets the first answer), another request needs a new ${name}.`,
        });
      case 'in-progress':
        throw new ProblemException({
          status: 409,
          type: ProblemTypes.requestInProgress,
          detail: `A request with this ${name} (${JSON.stringify(key)}) is still in progress; retry shortly.`,
          headers: { 'Retry-After': '1' },
        });
      case 'claimed':
        return this.runClaimed(outcome.claim, response, next);
    }
  }

  private async runClaimed(claim: IdempotencyClaim, response: HttpResponse, next: CallHandler): Promise<unknown> {
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.release(claim);
      throw error;
    }
    try {
      if (!(await this.store.complete(claim, response.statusCode, body))) {
        this.logger.warn({ scope: claim.scope }, 'idempotency claim expired before the handler finished; its answer was not recorded');
      }
    } catch (error) {
      // The handler's work is done; answer it, and free the key rather than leave it pending.
      this.logger.error({ scope: claim.scope, error: { message: (error as Error).message, stack: (error as Error).stack } }, 'could not record the idempotent answer');
      await this.release(claim);
    }
    return body;
  }

  private async release(claim: IdempotencyClaim): Promise<void> {
    try {
      await this.store.release(claim);
    } catch (error) {
      // The lease expires on its own; until then a retry gets 409 'in progress'.
      this.logger.error({ scope: claim.scope, error: { message: (error as Error).message } }, 'could not release an idempotency claim');
    }
  }
}
