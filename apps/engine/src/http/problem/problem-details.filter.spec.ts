import { BadRequestException, ForbiddenException, HttpException, ServiceUnavailableException } from '@nestjs/common';
import { ProblemException, ProblemTypes } from './problem.js';
import { JSON_OBJECT_RULE, problemFor, VALID_JSON_RULE } from './problem-details.filter.js';

const req = { method: 'GET', path: '/v1/x', route: { path: '/v1/x' } };

describe('problemFor', () => {
  it('maps a plain HttpException to about:blank with the status text as title and its message as detail', () => {
    expect(problemFor(new BadRequestException('tenantId must be lowercase'), req)).toEqual({
      body: { type: 'about:blank', title: 'Bad Request', status: 400, code: 'bad-request', detail: 'tenantId must be lowercase', instance: '/v1/x' },
      headers: {},
      log: false,
    });
    expect(problemFor(new ForbiddenException(), req).body).toMatchObject({ status: 403, title: 'Forbidden', detail: 'Forbidden' });
    expect(problemFor(new HttpException('gone', 410), req).body).toMatchObject({ status: 410, title: 'Gone', detail: 'gone' });
  });

  it('gives a Lethe code its own urn type, never about:blank (tenant-not-found like tenant-exists)', () => {
    const body = problemFor(ProblemException.notFound('tenant not found', { code: 'tenant-not-found' }), req).body;
    expect(body).toMatchObject({ type: 'urn:lethe:problem:tenant-not-found', code: 'tenant-not-found', status: 404, title: 'Not Found' });
    expect(problemFor(ProblemException.notFound('no such thing'), req).body).toMatchObject({ type: 'about:blank', code: 'not-found' });
  });

  it('says a body of valid JSON that is not an object must be a JSON object, and anything else is not JSON', () => {
    const parseFailed = (body: string) => new BadRequestException('x', { cause: Object.assign(new Error('x'), { type: 'entity.parse.failed', body }) });
    for (const body of ['null', '1', '"x"', ' true ']) {
      expect(problemFor(parseFailed(body), req).body).toMatchObject({
        status: 400,
        type: ProblemTypes.validation,
        detail: 'The request body must be a JSON object.',
        errors: [{ field: '(body)', rule: JSON_OBJECT_RULE }],
      });
    }
    expect(problemFor(parseFailed('{"a":'), req).body).toMatchObject({
      type: ProblemTypes.validation,
      detail: 'The request body is not valid JSON.',
      errors: [{ field: '(body)', rule: VALID_JSON_RULE }],
    });
  });

  it('joins a list of messages', () => {
    expect(problemFor(new BadRequestException(['a is bad', 'b is bad']), req).body.detail).toBe('a is bad; b is bad');
  });

  it('keeps a custom object body as extension members (e.g. the health report of a 503), which is the answer, not an error to log', () => {
    const report = { status: 'error', info: { database: { status: 'up' } }, error: { migrations: { status: 'down' } }, details: {} };
    const problem = problemFor(new ServiceUnavailableException(report), req);
    expect(problem.body).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      code: 'service-unavailable',
      detail: 'Service Unavailable',
      instance: '/v1/x',
      info: report.info,
      error: report.error,
      details: {},
    });
    expect(problem.log).toBe(false);
    expect(problemFor(new ServiceUnavailableException({ message: 'vault down' }), req).log).toBe(true);
  });

  it('takes type, title and detail from an HttpException body written as a problem', () => {
    const e = new HttpException({ type: 'urn:lethe:problem:shred-pending', title: 'Shred pending', detail: 'Cancel it first.' }, 409);
    expect(problemFor(e, req).body).toEqual({ type: 'urn:lethe:problem:shred-pending', title: 'Shred pending', status: 409, code: 'shred-pending', detail: 'Cancel it first.', instance: '/v1/x' });
  });

  it('puts ProblemException extensions under the reserved members, which they cannot override', () => {
    const e = new ProblemException({ status: 409, detail: 'd', type: ProblemTypes.requestInProgress, extensions: { status: 200, tenantId: 't' } });
    expect(problemFor(e, req).body).toEqual({ type: ProblemTypes.requestInProgress, title: 'Request in progress', status: 409, code: 'request-in-progress', detail: 'd', instance: '/v1/x', tenantId: 't' });
  });

  it('hides anything that is not an HttpException behind a generic 500 and marks it for the log', () => {
    for (const thrown of [new Error('password=hunter2'), 'a string', undefined, { message: 'secret' }]) {
      const problem = problemFor(thrown, { ...req, id: 42 });
      expect(problem.log).toBe(true);
      expect(problem.body).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        code: 'internal-server-error',
        detail: 'The server could not complete the request. The error has been logged.',
        instance: '/v1/x',
        requestId: '42',
      });
    }
  });

  it('gives every problem a stable code: the one set as an extension, the Lethe type name, or the status in kebab case', () => {
    expect(problemFor(new ProblemException({ status: 409, detail: 'd', type: 'urn:lethe:problem:tenant-exists', extensions: { code: 'tenant-exists' } }), req).body.code).toBe('tenant-exists');
    expect(problemFor(ProblemException.conflict('d', 'urn:lethe:problem:clock-backwards'), req).body.code).toBe('clock-backwards');
    expect(problemFor(new ProblemException({ status: 415, detail: 'd' }), req).body.code).toBe('unsupported-media-type');
    expect(problemFor(ProblemException.badRequest('d', [{ field: 'a', rule: 'b' }]), req).body.code).toBe('validation');
    expect(problemFor(new HttpException('x', 401), req).body.code).toBe('unauthorized');
  });
});
