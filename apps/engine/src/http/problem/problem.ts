// RFC 9457 problem details: the one error format of the HTTP API. Throw a ProblemException (or
// any Nest HttpException) from a guard, pipe, interceptor or handler; ProblemDetailsFilter turns
// it into an `application/problem+json` response.
import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FieldError } from '@lethe/domain';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export type { FieldError };

/** A problem as thrown and mapped, before the filter gives it its `code`. */
export interface UncodedProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
  /** RFC 9457 extension members. */
  readonly [extension: string]: unknown;
}

export interface ProblemDetails extends UncodedProblem {
  /** Stable, machine-readable: what a client branches on (see problemCode). */
  readonly code: string;
}

/**
 * Problem types of Lethe. `about:blank` means "nothing more than the HTTP status" (its title is the
 * status text); the others name a problem a client may want to tell apart. They are URNs, not
 * links: clients compare them, they do not fetch them.
 */
export const ProblemTypes = {
  blank: 'about:blank',
  validation: 'urn:lethe:problem:validation',
  requestInProgress: 'urn:lethe:problem:request-in-progress',
  readModelBehind: 'urn:lethe:problem:read-model-behind',
} as const;

const TITLES: Readonly<Record<string, string>> = {
  [ProblemTypes.validation]: 'Invalid request',
  [ProblemTypes.requestInProgress]: 'Request in progress',
  [ProblemTypes.readModelBehind]: 'Read model not there yet',
};

/** The prefix of every Lethe problem type; what follows is the problem's `code`. */
export const LETHE_PROBLEM_TYPE_PREFIX = 'urn:lethe:problem:';
const LETHE_TYPE_PREFIX = LETHE_PROBLEM_TYPE_PREFIX;

/**
 * The stable code of a problem: the name of a Lethe problem type (`urn:lethe:problem:tenant-exists` →
 * `tenant-exists`), else the HTTP status text in kebab case (`unsupported-media-type`, `not-found`).
 */
export function problemCode(type: string, status: number): string {
  if (type.startsWith(LETHE_TYPE_PREFIX) && type.length > LETHE_TYPE_PREFIX.length) return type.slice(LETHE_TYPE_PREFIX.length);
  return statusText(status)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The title of a problem type: the one given, the type's own, or the HTTP status text. */
export function problemTitle(type: string, status: number, title?: string): string {
  return title ?? TITLES[type] ?? statusText(status);
}

export interface ProblemInit {
  readonly status: number;
  readonly detail: string;
  /** Default `about:blank`. */
  readonly type?: string;
  /** Default: the title of a known `type`, else the HTTP status text, e.g. `Bad Request`. */
  readonly title?: string;
  readonly errors?: readonly FieldError[];
  /** Response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Extension members, e.g. `{ tenantId }`. Must not hold secrets: they are sent to the client. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export class ProblemException extends HttpException {
  readonly problem: ProblemInit;

  constructor(problem: ProblemInit) {
    super(problem.detail, problem.status, problem.cause === undefined ? undefined : { cause: problem.cause });
    this.problem = problem;
  }

  static badRequest(detail: string, errors?: readonly FieldError[]): ProblemException {
    return new ProblemException({
      status: 400,
      detail,
      ...(errors ? { type: ProblemTypes.validation, errors } : {}),
    });
  }

  static notFound(detail: string, extensions?: Readonly<Record<string, unknown>>): ProblemException {
    return new ProblemException({ status: 404, detail, extensions });
  }

  static conflict(detail: string, type: string = ProblemTypes.blank, extensions?: Readonly<Record<string, unknown>>): ProblemException {
    return new ProblemException({ status: 409, detail, type, extensions });
  }
}
