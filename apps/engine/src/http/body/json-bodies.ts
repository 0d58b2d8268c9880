// Request bodies are JSON, and nothing else reaches a route. In order, before any guard, pipe or handler:
// a body of another media type is refused with 415 unread; a JSON body is parsed (at most MAX_BODY_BYTES;
// JSON.parse does not recurse on the stack); a parsed body nested deeper than MAX_BODY_DEPTH is refused
// with 400 naming the path, so nothing that walks a body recursively (validation, request fingerprints,
// canonical JSON) ever sees one. The engine creates its Nest application with `bodyParser: false` and
// calls useJsonBodies instead.
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { HttpRequest } from '../http-types.js';
import { ProblemException } from '../problem/problem.js';
import { formatPath } from '@lethe/domain';

/** The deepest a request body may be nested: `{"a":{"b":1}}` is 2 deep. No route needs more than 3. */
export const MAX_BODY_DEPTH = 32;
/** The largest request body, in bytes (larger: 413). */
export const MAX_BODY_BYTES = 100 * 1024;

const JSON_TYPES = ['application/json', 'application/*+json'];
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9!#$&^_.+-]+\+)?json$/;

type Next = (error?: unknown) => void;

/** Whether the request carries a body (a non-zero Content-Length, or a chunked one). */
function hasBody(request: HttpRequest): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = request.headers['content-length'];
  return length !== undefined && length !== '0';
}

/** The media type of the Content-Type header, lowercased, without parameters ('' when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Refuses, unread, a body that is not JSON (`application/json` or `application/<x>+json`). */
export function refuseNonJsonBodies(request: HttpRequest, _response: unknown, next: Next): void {
  if (!hasBody(request)) return next();
  const type = mediaTypeOf(request.headers['content-type'] as string | undefined);
  if (JSON_MEDIA_TYPE.test(type)) return next();
  next(
    new ProblemException({
      status: 415,
      detail: `The request body must be JSON (Content-Type: application/json)${type === '' ? '; it has no Content-Type' : `, not ${type}`}.`,
      headers: { 'Accept-Post': 'application/json', 'Accept-Patch': 'application/json' },
    }),
  );
}

/**
 * The path of the first container nested deeper than `limit` in `value` (`[]` is the value itself),
 * or undefined. Walks with its own stack, never deeper than `limit` + 1 levels.
 */
export function tooDeepPath(value: unknown, limit: number): readonly (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    // `current` is a container at depth path.length + 1.
    if (path.length >= limit) return path;
    const entries: [string | number, unknown][] = Array.isArray(current) ? current.map((v, i) => [i, v]) : Object.entries(current);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], path: [...path, entries[i][0]] });
  }
  return undefined;
}

export const DEPTH_RULE = `must be nested at most ${MAX_BODY_DEPTH} levels deep`;

/** Refuses a parsed body nested deeper than MAX_BODY_DEPTH, naming the path where it goes too deep. */
export function refuseDeepBodies(request: HttpRequest, _response: unknown, next: Next): void {
  const path = tooDeepPath(request.body, MAX_BODY_DEPTH);
  if (path === undefined) return next();
  const field = formatPath(path);
  next(ProblemException.badRequest('The request body is nested too deeply.', [{ field: field === '' ? '(body)' : field, rule: DEPTH_RULE }]));
}

/** Installs the three steps above on `app`, in order. Call before anything that reads bodies. */
export function useJsonBodies(app: NestExpressApplication): void {
  app.use(refuseNonJsonBodies);
  app.useBodyParser('json', { limit: MAX_BODY_BYTES, type: JSON_TYPES });
  app.use(refuseDeepBodies);
}
