// Every route, before its pipes and handler run (so nothing is stored on a 400):
// - a query parameter the route does not declare (ZodQuery) is refused, naming it as sent; a route
//   declaring none takes none. `minPosition` (read your writes) is the one cross-cutting parameter,
//   taken where ReadYourWritesInterceptor reads it (a GET needing a token), as /docs describes it;
// - a route that declares no body (ZodBody) refuses one with fields, naming them (`{}` is taken);
// - a string of the path, the query or the body (values and keys, however nested) that PostgreSQL
//   cannot hold as text or jsonb (NUL, a lone surrogate) is refused naming its field: every string
//   of a request may end up in a query or an event, and a field's own schema may not think of it.
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { formatPath, textRuleBroken, type FieldError } from '@lethe/domain';
import type { HttpRequest } from '../http-types.js';
import { ProblemException } from '../problem/problem.js';
import { MIN_POSITION_QUERY } from '../consistency/read-your-writes.interceptor.js';
import { PUBLIC_KEY } from '../auth/decorators.js';
import { declaredInputOf, type DeclaredInput } from './declared-input.js';

export const UNKNOWN_QUERY_RULE = 'is not a query parameter of this route';
export const UNKNOWN_FIELD_RULE = 'is not an allowed field';
export const NO_BODY_RULE = 'must be absent: this route takes no request body';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Query parameters `query` holds that `declared` does not name; `minPosition` is taken when `readsYourWrites`. */
export function unknownQueryParameters(query: Readonly<Record<string, unknown>>, declared: DeclaredInput, readsYourWrites: boolean): FieldError[] {
  return Object.keys(query)
    .filter((name) => !declared.query.has(name) && !(name === MIN_POSITION_QUERY && readsYourWrites))
    .map((name) => ({ field: name, rule: UNKNOWN_QUERY_RULE }));
}

/** What is wrong with `body` on a route that declares none: nothing when absent or `{}`. */
export function undeclaredBodyErrors(body: unknown): FieldError[] {
  if (body === undefined) return [];
  if (isRecord(body)) return Object.keys(body).map((key) => ({ field: formatPath([key]), rule: UNKNOWN_FIELD_RULE }));
  return [{ field: '(body)', rule: NO_BODY_RULE }];
}

/**
 * Every string in `value` (keys included, walked with its own stack) that cannot be stored as text,
 * named by `name(path)`. Bodies are at most MAX_BODY_DEPTH deep by then (refuseDeepBodies).
 */
export function unstorableStrings(value: unknown, name: (path: readonly (string | number)[]) => string): FieldError[] {
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const rule = textRuleBroken(current);
      if (rule) errors.push({ field: name(path), rule });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: [...path, i] });
    } else if (isRecord(current)) {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i];
        const rule = textRuleBroken(key);
        // The key itself is the fault: named by its parent and the rule, as the key cannot be shown.
        if (rule) errors.push({ field: name(path) === '' ? '(keys)' : `${name(path)} (keys)`, rule: `keys ${rule}` });
        else stack.push({ value: item, path: [...path, key] });
      }
    }
  }
  return errors;
}

@Injectable()
export class RequestInputInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const declared = declaredInputOf(context.getHandler());
    const query = (request.query ?? {}) as Record<string, unknown>;

    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true;
    const unknownQuery = unknownQueryParameters(query, declared, request.method === 'GET' && !isPublic);
    if (unknownQuery.length > 0) throw ProblemException.badRequest('The request has query parameters this route does not take.', unknownQuery);
    if (!declared.body) {
      const bodyErrors = undeclaredBodyErrors(request.body);
      if (bodyErrors.length > 0) throw ProblemException.badRequest('This route takes no request body fields.', bodyErrors);
    }

    const unstorable = [
      ...unstorableStrings(request.params ?? {}, (path) => String(path[0] ?? '(path)')),
      ...unstorableStrings(query, (path) => (path.length === 0 ? '(query)' : `${String(path[0])}${formatPath(path.slice(1))}`)),
      ...(declared.body ? unstorableStrings(request.body, (path) => formatPath(path) || '(body)') : []),
    ];
    if (unstorable.length > 0) throw ProblemException.badRequest('The request holds text that cannot be stored.', unstorable);
    return next.handle();
  }
}
