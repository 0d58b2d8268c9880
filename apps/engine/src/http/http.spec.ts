// The HTTP building blocks in a small Nest app registered exactly as the engine registers them
// (problemProviders and authProviders as APP_FILTER / APP_GUARD providers), driven with supertest.
import { Controller, Get, HttpCode, Post, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { z } from 'zod';
import { ENGINE_CONFIG, loadConfig } from '../config/engine-config.js';
import { Caller, Public, ProblemException, Roles, ZodBody, ZodParam, authProviders, problemProviders, type CallerContext } from './index.js';

const TOKENS = {
  contract: 'contract-token-0123456789',
  reader: 'reader-token-0123456789',
  operator: 'operator-token-0123456789',
  admin: 'admin-token-0123456789abc',
};

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const terminationSchema = z.strictObject({
  terminationId: z.uuid(),
  databases: z.array(z.object({ databaseId: z.string().regex(ID), region: z.enum(['eu', 'us']) })).min(1),
  reason: z.string().min(1).max(20).optional(),
  effectiveAt: z.iso.datetime({ message: 'must be an ISO 8601 instant, e.g. 2026-01-05T09:00:00Z' }),
});

let stored = 0;

@Controller('v1')
@Roles('ops-reader')
class DummyController {
  @Get('ops')
  ops(@Caller() caller: CallerContext) {
    return { roles: caller.roles, subject: caller.subject };
  }

  @Post('operate')
  @Roles('operator')
  @HttpCode(200)
  operate() {
    return { ok: true };
  }

  @Get('admin')
  @Roles('admin')
  admin() {
    return { ok: true };
  }

  @Post('tenants/:tenantId/terminations')
  @Roles('contract-system')
  terminate(@ZodParam('tenantId', z.string().regex(ID)) tenantId: string, @ZodBody(terminationSchema) body: z.infer<typeof terminationSchema>) {
    stored += 1;
    return { tenantId, terminationId: body.terminationId };
  }

  @Get('tenants/:tenantId')
  tenant(@ZodParam('tenantId', z.string().regex(ID)) tenantId: string) {
    throw ProblemException.notFound(`No tenant ${tenantId}.`, { tenantId });
  }

  @Get('boom')
  boom() {
    throw new Error('connect failed for postgres://lethe:hunter2@db/lethe');
  }

  @Get('unavailable')
  unavailable() {
    throw new ProblemException({ status: 503, detail: 'The vault is unreachable.', headers: { 'Retry-After': '5' } });
  }
}

@Controller()
@Public()
class PublicController {
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  @Get('public-but-guarded')
  @Roles('admin')
  guarded() {
    return { ok: true };
  }
}

@Controller('forgotten')
class UndeclaredController {
  @Get()
  get() {
    return { leaked: true };
  }
}

class CaptureLogger implements LoggerService {
  readonly errors: unknown[][] = [];
  log() {}
  warn() {}
  debug() {}
  verbose() {}
  error(...args: unknown[]) {
    this.errors.push(args);
  }
}

let app: INestApplication;
const logger = new CaptureLogger();

beforeAll(async () => {
  const config = loadConfig({
    LETHE_TOKENS: `contract-system:${TOKENS.contract},ops-reader:dashboards:${TOKENS.reader},operator:ci-deployer:${TOKENS.operator},admin:${TOKENS.admin}`,
  });
  const moduleRef = await Test.createTestingModule({
    controllers: [DummyController, PublicController, UndeclaredController],
    providers: [{ provide: ENGINE_CONFIG, useValue: config }, ...problemProviders, ...authProviders],
  })
    .setLogger(logger)
    .compile();
  app = moduleRef.createNestApplication();
  await app.init();
});

afterAll(async () => {
  await app?.close();
});

const server = () => app.getHttpServer();
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

function expectProblem(res: request.Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
}

describe('authentication', () => {
  it('answers 401 problem+json with WWW-Authenticate when the token is missing', async () => {
    const res = await request(server()).get('/v1/ops');
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="lethe"');
    expect(res.body).toMatchObject({ type: 'about:blank', title: 'Unauthorized', instance: '/v1/ops' });
  });

  it.each([
    ['an unknown token', `Bearer ${TOKENS.admin}x`],
    ['a token differing in one character', `Bearer ${TOKENS.admin.slice(0, -1)}d`],
    ['a prefix of a valid token', `Bearer ${TOKENS.admin.slice(0, 10)}`],
    ['another scheme', `Basic ${Buffer.from(`admin:${TOKENS.admin}`).toString('base64')}`],
    ['a scheme without a token', 'Bearer'],
    ['two tokens', `Bearer ${TOKENS.admin} ${TOKENS.reader}`],
    ['the token alone', TOKENS.admin],
  ])('answers 401 for %s, never echoing the token', async (_name, header) => {
    const res = await request(server()).get('/v1/ops').set('Authorization', header);
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="lethe", error="invalid_token"');
    expect(res.text).not.toContain(TOKENS.admin.slice(0, 10));
  });

  it('accepts the scheme in any case', async () => {
    const res = await request(server()).get('/v1/ops').set('Authorization', `bearer ${TOKENS.reader}`);
    expect(res.status).toBe(200);
  });
});

describe('authorisation', () => {
  it('lets ops-reader, operator and admin read an ops-reader route, and exposes the caller role and subject', async () => {
    for (const [token, role, subject] of [
      [TOKENS.reader, 'ops-reader', 'dashboards'],
      [TOKENS.operator, 'operator', 'ci-deployer'],
      // The old `role:token` form: the subject is the role's name.
      [TOKENS.admin, 'admin', 'admin'],
    ]) {
      const res = await request(server()).get('/v1/ops').set(bearer(token));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ roles: [role], subject });
    }
  });

  it('refuses contract-system on ops routes with 403 problem+json', async () => {
    const res = await request(server()).get('/v1/ops').set(bearer(TOKENS.contract));
    expectProblem(res, 403);
    expect(res.body.detail).toContain('contract-system');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('refuses ops-reader on an operator route and everyone but admin on an admin route', async () => {
    expectProblem(await request(server()).post('/v1/operate').set(bearer(TOKENS.reader)), 403);
    expect((await request(server()).post('/v1/operate').set(bearer(TOKENS.operator))).status).toBe(200);
    expect((await request(server()).post('/v1/operate').set(bearer(TOKENS.admin))).status).toBe(200);
    for (const token of [TOKENS.contract, TOKENS.reader, TOKENS.operator]) {
      expectProblem(await request(server()).get('/v1/admin').set(bearer(token)), 403);
    }
    expect((await request(server()).get('/v1/admin').set(bearer(TOKENS.admin))).status).toBe(200);
  });

  it('keeps contract-system routes to contract-system and admin', async () => {
    const body = { terminationId: '7f1d7c1e-4a8b-4c7e-9f3a-2b1d0c9e8a7f', databases: [{ databaseId: 'db-1', region: 'eu' }], effectiveAt: '2026-01-05T09:00:00Z' };
    for (const token of [TOKENS.reader, TOKENS.operator]) {
      expectProblem(await request(server()).post('/v1/tenants/acme/terminations').set(bearer(token)).send(body), 403);
    }
    for (const token of [TOKENS.contract, TOKENS.admin]) {
      const res = await request(server()).post('/v1/tenants/acme/terminations').set(bearer(token)).send(body);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ tenantId: 'acme', terminationId: body.terminationId });
    }
  });

  it('serves @Public routes without a token, and a handler-level @Roles overrides a controller-level @Public', async () => {
    expect((await request(server()).get('/healthz')).body).toEqual({ status: 'ok' });
    expectProblem(await request(server()).get('/public-but-guarded'), 401);
    expect((await request(server()).get('/public-but-guarded').set(bearer(TOKENS.admin))).status).toBe(200);
  });

  it('fails closed: a route with neither @Roles nor @Public is refused, even to admin', async () => {
    expectProblem(await request(server()).get('/forgotten'), 401);
    const res = await request(server()).get('/forgotten').set(bearer(TOKENS.admin));
    expectProblem(res, 403);
    expect(res.text).not.toContain('leaked');
  });
});

describe('validation', () => {
  const ok = {
    terminationId: '7f1d7c1e-4a8b-4c7e-9f3a-2b1d0c9e8a7f',
    databases: [{ databaseId: 'db-1', region: 'eu' }],
    effectiveAt: '2026-01-05T09:00:00Z',
  };

  it('answers 400 naming each bad field in dotted/bracket form, with plain rules, and stores nothing', async () => {
    const before = stored;
    const res = await request(server())
      .post('/v1/tenants/acme/terminations')
      .set(bearer(TOKENS.contract))
      .send({
        terminationId: 'nope',
        databases: [{ databaseId: 'db-1', region: 'eu' }, { databaseId: 'Bad_Id', region: 'mars' }, { region: 'us' }],
        reason: '',
        effectiveAt: 'yesterday',
        extra: true,
      });
    expectProblem(res, 400);
    expect(res.body.type).toBe('urn:lethe:problem:validation');
    expect(res.body.title).toBe('Invalid request');
    expect(res.body.detail).toBe('The request body is not valid.');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'terminationId', rule: 'must be a UUID' },
        { field: 'databases[1].databaseId', rule: 'must match ^[a-z0-9][a-z0-9-]{0,62}$' },
        { field: 'databases[1].region', rule: 'must be one of "eu", "us"' },
        { field: 'databases[2].databaseId', rule: 'is required' },
        { field: 'reason', rule: 'must not be empty' },
        { field: 'effectiveAt', rule: 'must be an ISO 8601 instant, e.g. 2026-01-05T09:00:00Z' },
        { field: 'extra', rule: 'is not an allowed field' },
      ]),
    );
    expect(res.body.errors).toHaveLength(7);
    expect(stored).toBe(before);
  });

  it('answers 400 when the body is missing or not an object', async () => {
    const res = await request(server()).post('/v1/tenants/acme/terminations').set(bearer(TOKENS.contract)).set('Content-Type', 'application/json').send('[1,2]');
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: '(body)', rule: 'must be an object' }]);
    const none = await request(server()).post('/v1/tenants/acme/terminations').set(bearer(TOKENS.contract));
    expectProblem(none, 400);
    expect(none.body.errors).toEqual([{ field: '(body)', rule: 'is required' }]);
  });

  it('validates path parameters the same way', async () => {
    const res = await request(server()).post('/v1/tenants/ACME!/terminations').set(bearer(TOKENS.contract)).send(ok);
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The path parameter tenantId is not valid.');
    expect(res.body.errors).toEqual([{ field: 'tenantId', rule: 'must match ^[a-z0-9][a-z0-9-]{0,62}$' }]);
  });

  it('answers 400 problem+json for malformed JSON without quoting the body', async () => {
    const res = await request(server())
      .post('/v1/tenants/acme/terminations')
      .set(bearer(TOKENS.contract))
      .set('Content-Type', 'application/json')
      .send('{"terminationId": "secret-ish", ');
    expectProblem(res, 400);
    expect(res.body.detail).toBe('The request body is not valid JSON.');
    expect(res.text).not.toContain('secret-ish');
  });

  it('answers 413 problem+json for a body over the limit', async () => {
    const res = await request(server())
      .post('/v1/tenants/acme/terminations')
      .set(bearer(TOKENS.contract))
      .send({ ...ok, reason: 'x'.repeat(200_000) });
    expectProblem(res, 413);
    expect(res.body.title).toBe('Payload Too Large');
  });
});

describe('problem details', () => {
  it('answers 404 problem+json for an unknown route, without echoing the query string', async () => {
    const res = await request(server()).get('/v1/nowhere?token=abc').set(bearer(TOKENS.admin));
    expectProblem(res, 404);
    expect(res.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, code: 'not-found', detail: 'No route matches GET /v1/nowhere.', instance: '/v1/nowhere' });
    expect(res.text).not.toContain('abc');
    expectProblem(await request(server()).get('/nowhere'), 404);
  });

  it('passes a handler problem through with its extension members', async () => {
    const res = await request(server()).get('/v1/tenants/ghost').set(bearer(TOKENS.reader));
    expectProblem(res, 404);
    expect(res.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, code: 'not-found', detail: 'No tenant ghost.', instance: '/v1/tenants/ghost', tenantId: 'ghost' });
  });

  it('sets the headers a problem asks for', async () => {
    const res = await request(server()).get('/v1/unavailable').set(bearer(TOKENS.reader));
    expectProblem(res, 503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.detail).toBe('The vault is unreachable.');
  });

  it('answers an unexpected error with a generic 500 that hides its message, and logs it with the stack', async () => {
    logger.errors.length = 0;
    const res = await request(server()).get('/v1/boom').set(bearer(TOKENS.reader));
    expectProblem(res, 500);
    expect(res.body.title).toBe('Internal Server Error');
    expect(res.text).not.toContain('hunter2');
    expect(res.text).not.toContain('connect failed');
    const logged = logger.errors.find((args) => JSON.stringify(args).includes('connect failed'));
    expect(logged).toBeDefined();
    const entry = logged![0] as { error: { stack: string }; path: string };
    expect(entry.path).toBe('/v1/boom');
    expect(entry.error.stack).toContain('boom');
  });
});
