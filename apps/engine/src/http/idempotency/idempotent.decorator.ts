// Marks a route as idempotent. IdempotencyInterceptor (APP_INTERCEPTOR) does the work.
import { SetMetadata } from '@nestjs/common';
import type { HttpRequest } from '../http-types.js';

export const IDEMPOTENT_KEY = 'lethe:idempotent';
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export interface IdempotentOptions {
  /**
   * Where the key comes from: `'header'` for the `Idempotency-Key` header, or a function reading a
   * domain id from the (not yet validated) body, e.g. `(body) => (body as { terminationId?: unknown })?.terminationId`.
   * Anything but a non-empty string counts as no key.
   */
  readonly key: 'header' | ((body: unknown, request: HttpRequest) => unknown);
  /** The key's name in error messages. Default `Idempotency-Key` for the header, else `idempotency key`. */
  readonly keyName?: string;
  /** A request without a key is refused with 400. Default false: it runs without idempotency (e.g. for the schema to reject). */
  readonly required?: boolean;
  /**
   * The key's namespace. Default: the method, the route pattern and every path parameter, e.g.
   * `POST /v1/tenants/:tenantId/terminations tenantId=acme`.
   */
  readonly scope?: (request: HttpRequest) => string;
}

export const Idempotent = (options: IdempotentOptions) => SetMetadata(IDEMPOTENT_KEY, options);
