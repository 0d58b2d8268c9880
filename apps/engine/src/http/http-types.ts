// The small part of Express's request and response that the HTTP building blocks use. The project
// has no @types/express; these shapes are what Nest's Express adapter hands to guards, pipes,
// interceptors and filters.
import type { ApiRole } from '../config/engine-config.js';

/** Who is calling: set by RolesGuard on every authenticated request, read with @Caller(). */
export interface CallerContext {
  /** The static token's named subject, or the JWT's `sub`: recorded in the events the call causes. */
  readonly subject: string;
  readonly roles: readonly ApiRole[];
  readonly via: 'token' | 'oidc';
}

export interface HttpRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly params: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** The parsed query string. */
  readonly query?: unknown;
  /** The matched route, e.g. `{ path: '/v1/tenants/:tenantId/terminations' }`; absent on a 404. */
  readonly route?: { readonly path?: unknown };
  /** Request id assigned by pino-http, when it runs. */
  readonly id?: unknown;
  lethe?: CallerContext;
}

export interface HttpResponse {
  statusCode: number;
  readonly headersSent: boolean;
  status(code: number): this;
  setHeader(name: string, value: string | number | readonly string[]): this;
  send(body?: unknown): this;
  end(): this;
}
