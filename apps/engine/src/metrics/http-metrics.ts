// Times every HTTP request this instance serves into lethe_http_request_duration_seconds, labelled by
// the route TEMPLATE Express matched (`/v1/tenants/:tenantId`), never the raw path, which holds
// tenant ids. A request no route matched (404, or refused before routing: 415, 413) is `unmatched`,
// so is one that reached only Nest's catch-all 404 route (`{/*splat}`); a file served by a static
// middleware (the console, /console) is `static`.
// Installed before any other middleware, so refusals by guards and body checks are counted too.
import type { HttpRequest, HttpResponse } from '../http/index.js';
import type { EngineMetrics } from './engine-metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

type FinishingResponse = HttpResponse & { once(event: 'finish', listener: () => void): unknown };

/**
 * The route template of a served request. Without a route (or with only the catch-all that answers
 * 404): `static` for a file a static middleware served (the console), `unmatched` for a refusal.
 */
export function routeTemplate(request: Pick<HttpRequest, 'route'> & { readonly baseUrl?: string }, status: number): string {
  const path = request.route?.path;
  if (typeof path === 'string' && !path.includes('*')) return `${request.baseUrl ?? ''}${path}`;
  return status < 400 ? 'static' : 'unmatched';
}

export function httpMetricsMiddleware(metrics: EngineMetrics) {
  return (request: HttpRequest & { readonly baseUrl?: string }, response: FinishingResponse, next: () => void): void => {
    const done = metrics.http.startTimer();
    response.once('finish', () => {
      done({ method: METHODS.has(request.method) ? request.method : 'other', route: routeTemplate(request, response.statusCode), status: String(response.statusCode) });
    });
    next();
  };
}
