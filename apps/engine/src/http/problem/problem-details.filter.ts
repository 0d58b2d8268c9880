// The global exception filter: every error leaving a route (or Nest's 404 for an unknown route, or
// a body-parser failure) becomes an RFC 9457 `application/problem+json` response. Errors that are
// not HttpExceptions are answered 500 with a generic detail — their message may hold secrets —
// and logged with their stack.
import { Catch, HttpException, Logger, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FieldError } from '@lethe/domain';
import type { HttpRequest, HttpResponse } from '../http-types.js';
import { LETHE_PROBLEM_TYPE_PREFIX, PROBLEM_CONTENT_TYPE, problemCode, ProblemException, ProblemTypes, problemTitle, statusText, type ProblemDetails, type UncodedProblem } from './problem.js';

export interface ProblemResponse {
  readonly body: ProblemDetails;
  readonly headers: Readonly<Record<string, string>>;
  /** Whether this is a server fault to log with its stack. */
  readonly log: boolean;
}

export const JSON_OBJECT_RULE = 'must be a JSON object';
export const VALID_JSON_RULE = 'must be valid JSON';

const GENERIC_500 = 'The server could not complete the request. The error has been logged.';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJson(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** body-parser's errors (http-errors) carry a `type`; Nest maps them to HttpExceptions with the original as cause. */
function bodyParserProblem(exception: HttpException): { status: number; detail: string; errors?: readonly FieldError[] } | undefined {
  const cause = exception.cause;
  if (!isRecord(cause) || typeof cause.type !== 'string') return undefined;
  switch (cause.type) {
    case 'entity.parse.failed':
      // The parser's message quotes the body; it is not echoed. It refuses valid JSON that is not an
      // object or array too (`null`, `"x"`, `1`): that is said as it is.
      // Like every other 400 it names the field and the rule, so a client reads one shape of refusal.
      return isJson(cause.body)
        ? { status: 400, detail: 'The request body must be a JSON object.', errors: [{ field: '(body)', rule: JSON_OBJECT_RULE }] }
        : { status: 400, detail: 'The request body is not valid JSON.', errors: [{ field: '(body)', rule: VALID_JSON_RULE }] };
    case 'entity.too.large':
      return {
        status: 413,
        detail: typeof cause.limit === 'number' ? `The request body is larger than the limit of ${cause.limit} bytes.` : 'The request body is too large.',
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, detail: 'The request body uses an unsupported encoding or charset; send UTF-8 JSON.' };
    default:
      return undefined;
  }
}

function detailOf(message: unknown, status: number): string {
  if (typeof message === 'string' && message.length > 0) return message;
  if (Array.isArray(message) && message.every((m) => typeof m === 'string')) return message.join('; ');
  return statusText(status);
}

/**
 * Maps any thrown value to the problem to send. Pure: the filter adds logging and writing. Every
 * problem has a `code`: one the thrower set as an extension, else problemCode of its type and status.
 */
export function problemFor(exception: unknown, request: Pick<HttpRequest, 'method' | 'path' | 'route' | 'id'>): ProblemResponse {
  const problem = problemWithoutCode(exception, request);
  const { code, ...body } = problem.body;
  const own = typeof code === 'string' && code !== '';
  const stable = own ? code : problemCode(problem.body.type, problem.body.status);
  // A Lethe code always has its type (`tenant-not-found` → urn:lethe:problem:tenant-not-found), so
  // clients may branch on either; about:blank is left to problems that are nothing but their status.
  const type = own && body.type === ProblemTypes.blank ? `${LETHE_PROBLEM_TYPE_PREFIX}${code}` : body.type;
  return { ...problem, body: { ...body, type, code: stable } as ProblemDetails };
}

type Uncoded = { readonly body: UncodedProblem; readonly headers: Readonly<Record<string, string>>; readonly log: boolean };

function problemWithoutCode(exception: unknown, request: Pick<HttpRequest, 'method' | 'path' | 'route' | 'id'>): Uncoded {
  const instance = request.path;
  if (exception instanceof ProblemException) {
    const p = exception.problem;
    const type = p.type ?? ProblemTypes.blank;
    return {
      body: {
        ...p.extensions,
        type,
        title: problemTitle(type, p.status, p.title),
        status: p.status,
        detail: p.detail,
        instance,
        ...(p.errors ? { errors: p.errors } : {}),
      },
      headers: p.headers ?? {},
      log: p.status >= 500,
    };
  }
  if (exception instanceof HttpException) {
    const parsed = bodyParserProblem(exception);
    if (parsed) {
      const type = parsed.errors ? ProblemTypes.validation : ProblemTypes.blank;
      return {
        body: { type, title: problemTitle(type, parsed.status), status: parsed.status, detail: parsed.detail, instance, ...(parsed.errors ? { errors: parsed.errors } : {}) },
        headers: {},
        log: false,
      };
    }
    const status = exception.getStatus();
    // Nest's own handler for a path no route matches; the query string is not echoed.
    if (exception instanceof NotFoundException && request.route === undefined) {
      return {
        body: { type: ProblemTypes.blank, title: statusText(404), status: 404, detail: `No route matches ${request.method} ${request.path}.`, instance },
        headers: {},
        log: false,
      };
    }
    const response = exception.getResponse();
    if (!isRecord(response)) {
      return { body: { type: ProblemTypes.blank, title: statusText(status), status, detail: detailOf(response, status), instance }, headers: {}, log: status >= 500 };
    }
    // Nest's standard body is {statusCode, message, error}; anything else (e.g. terminus' health
    // report on a 503) is kept as extension members.
    const { statusCode: _statusCode, message, error, type, title, detail, instance: _instance, status: _status, errors, ...rest } = response;
    const problemType = typeof type === 'string' ? type : ProblemTypes.blank;
    return {
      body: {
        ...rest,
        ...(error !== undefined && typeof error !== 'string' ? { error } : {}),
        type: problemType,
        title: problemTitle(problemType, status, typeof title === 'string' ? title : undefined),
        status,
        detail: typeof detail === 'string' ? detail : detailOf(message, status),
        instance,
        ...(Array.isArray(errors) ? { errors } : {}),
      },
      headers: {},
      // A health report (/readyz not ready) is the answer itself, polled every few seconds by
      // orchestrators while an instance starts or stands by: not an error to log with a stack.
      log: status >= 500 && !isRecord(rest.details),
    };
  }
  return {
    body: {
      type: ProblemTypes.blank,
      title: statusText(500),
      status: 500,
      detail: GENERIC_500,
      instance,
      ...(typeof request.id === 'string' || typeof request.id === 'number' ? { requestId: String(request.id) } : {}),
    },
    headers: {},
    log: true,
  };
}

function errorForLog(exception: unknown): Record<string, unknown> {
  if (exception instanceof Error) {
    // A plain object: the engine logger's redaction turns Error instances into {type, message}.
    return { name: exception.name, message: exception.message, stack: exception.stack };
  }
  return { name: typeof exception, message: String(exception) };
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpProblems');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    const response = http.getResponse<HttpResponse>();
    const problem = problemFor(exception, request);
    if (problem.log) {
      this.logger.error(
        { error: errorForLog(exception), method: request.method, path: request.path, status: problem.body.status },
        'request failed with a server error',
      );
    }
    if (response.headersSent) {
      // Too late to send a problem; close what was started.
      response.end();
      return;
    }
    response.status(problem.body.status);
    for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
    response.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
    response.setHeader('Cache-Control', 'no-store');
    response.send(JSON.stringify(problem.body));
  }
}
