// Times every HTTP request this instance serves into lethe_http_request_duration_seconds, labelled by
// the route TEMPLATE Express matched (`/v1/tenants/:tenantId`), never the raw path, which holds
// tenant ids. A request refused before routing (a body refused by useJsonBodies: 400 bad JSON, 413,
// 415) is labelled by the route its method and path would have reached, read from the application's
// router (RouteTable): it did reach an API route, only not its handler. A request no route matches
// (404) is `unmatched`, so is one that reached only Nest's catch-all 404 route (`{/*splat}`); a file
// served by a static middleware (the console, /console) is `static`.
// Installed before any other middleware, so refusals by guards and body checks are counted too.
import type { HttpRequest, HttpResponse } from '../http/index.js';
import type { EngineMetrics } from './engine-metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

type FinishingResponse = HttpResponse & { once(event: 'finish', listener: () => void): unknown };

/**
 * The route template of a served request. Without a route (or with only the catch-all that answers
 * 404): `static` for a file a static middleware served (the console), `unmatched` for a refusal.
 */
export function routeTemplate(
  request: Pick<HttpRequest, 'route' | 'method' | 'path'> & { readonly baseUrl?: string },
  status: number,
  routes: RouteTable = NO_ROUTES,
): string {
  const path = request.route?.path;
  if (typeof path === 'string' && !path.includes('*')) return `${request.baseUrl ?? ''}${path}`;
  if (status < 400) return 'static';
  return routes(request.method, request.path) ?? 'unmatched';
}

/** The template of the route a method and path reach (catch-alls excluded), or undefined. */
export type RouteTable = (method: string, path: string) => string | undefined;

const NO_ROUTES: RouteTable = () => undefined;

/** A route layer of Express 5's router (the `router` package): only what matching needs. */
interface RouterLayer {
  readonly route?: { readonly path?: unknown; _handlesMethod?(method: string): boolean };
  match?(path: string): unknown;
}

/**
 * The routes of an Express 5 application (`app.router.stack`), read when asked: Nest registers its
 * routes at init, after this middleware is installed. Only string templates without a wildcard count.
 */
export function expressRouteTable(app: { readonly router?: { readonly stack?: readonly RouterLayer[] } }): RouteTable {
  return (method, path) => {
    for (const layer of app.router?.stack ?? []) {
      const template = layer.route?.path;
      if (typeof template !== 'string' || template.includes('*')) continue;
      if (layer.route?._handlesMethod && !layer.route._handlesMethod(method)) continue;
      if (layer.match?.(path)) return template;
    }
    return undefined;
  };
}

export function httpMetricsMiddleware(metrics: EngineMetrics, routes: RouteTable = NO_ROUTES) {
  return (request: HttpRequest & { readonly baseUrl?: string }, response: FinishingResponse, next: () => void): void => {
    const done = metrics.http.startTimer();
    response.once('finish', () => {
      done({ method: METHODS.has(request.method) ? request.method : 'other', route: routeTemplate(request, response.statusCode, routes), status: String(response.statusCode) });
    });
    next();
  };
}
