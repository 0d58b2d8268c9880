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
  /**
   * The problem code (`urn:lethe:problem:<code>`) of the 409 for this key reused with another body.
   * Default: `idempotency-key-reused` for the header, else the key's name in kebab case and
   * `-reused` (`requestId` → `request-id-reused`), so the answer speaks of what the caller sent.
   */
  readonly reusedCode?: string;
  /** A request without a key is refused with 400. Default false: it runs without idempotency (e.g. for the schema to reject). */
  readonly required?: boolean;
  /**
   * The key's namespace. Default: the method, the route pattern and every path parameter, e.g.
   * `POST /v1/tenants/:tenantId/terminations tenantId=acme`.
   */
  readonly scope?: (request: HttpRequest) => string;
}

export const Idempotent = (options: IdempotentOptions) => SetMetadata(IDEMPOTENT_KEY, options);

/** The key's name as errors say it: `keyName`, else `Idempotency-Key` (header) or `idempotency key`. */
export function idempotencyKeyName(options: IdempotentOptions): string {
  return options.keyName ?? (options.key === 'header' ? 'Idempotency-Key' : 'idempotency key');
}

/** The problem code of a key reused with another body (see IdempotentOptions.reusedCode). */
export function keyReusedCode(options: IdempotentOptions): string {
  if (options.reusedCode !== undefined) return options.reusedCode;
  if (options.key === 'header' || options.keyName === undefined) return 'idempotency-key-reused';
  return `${options.keyName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}-reused`;
}
