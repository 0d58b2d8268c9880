// The OpenAPI document describes every route the engine serves, as it behaves: each route Nest
// registered (read from the Express router and Nest's own route metadata, so a route added later
// without a description fails here) has a success answer with a schema and an example, its path,
// query and body inputs, and its problems; real answers of the main routes validate against the
// documented schemas; and a tenant read right after onboarding has the onboarding answer's shape.
import { ModulesContainer } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type Type } from '@nestjs/common';
import { z } from 'zod';
import { UNKNOWN_QUERY_RULE } from '../../apps/engine/src/http/index.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';
import type { ApiResponse } from '../support/http-client.js';

const NOW = '2026-12-21T09:00:00Z';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let e: InProcessEngine;
let doc: Json;

beforeAll(async () => {
  e = await startInProcessEngine(NOW);
  const res = await e.api('GET', '/docs/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
}, 60_000);

afterAll(async () => {
  await e?.stop();
});

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const join = (...parts: string[]) => `/${parts.flatMap((p) => p.split('/')).filter(Boolean).join('/')}`;

/** Every method and path the Express router serves, but the document's own (/docs). */
function servedRoutes(): string[] {
  const express = e.engine.app.getHttpAdapter().getInstance();
  const stack = (express.router ?? express._router).stack as { route?: { path: string; methods: Record<string, boolean> } }[];
  return stack
    .filter((layer) => layer.route && !layer.route.path.startsWith('/docs') && !layer.route.path.includes('*'))
    .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${toOpenApiPath(layer.route!.path)}`));
}

interface NestRoute {
  readonly route: string;
  readonly pathParams: string[];
  /** Whether the handler takes the whole body / query (validated by a zod schema). */
  readonly body: boolean;
  readonly query: boolean;
}

/** Every route from Nest's own metadata, with the inputs its handler takes. */
function nestRoutes(): NestRoute[] {
  const routes: NestRoute[] = [];
  for (const module of e.engine.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown>;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        const path = typeof handler === 'function' ? (Reflect.getMetadata(PATH_METADATA, handler) as string | undefined) : undefined;
        if (name === 'constructor' || path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { data?: string }>);
        const of = (type: number) => args.filter(([key]) => key.startsWith(`${type}:`)).map(([, a]) => a);
        const full = toOpenApiPath(join(base, path));
        routes.push({
          route: `${method} ${full}`,
          pathParams: [...full.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
          body: of(3).length > 0, // RouteParamtypes.BODY
          query: of(4).length > 0, // RouteParamtypes.QUERY
        });
      }
    }
  }
  return routes;
}

const operation = (route: string): Json | undefined => {
  const [method, path] = route.split(' ');
  return doc.paths[path]?.[method.toLowerCase()];
};

/** The documented JSON schema of `route`'s answer with `status`, as a zod schema to check answers with. */
function documented(route: string, status: number): z.ZodType {
  const content = operation(route)?.responses?.[String(status)]?.content;
  const schema = content?.['application/json']?.schema;
  if (!schema) throw new Error(`${route}: no documented schema for ${status}`);
  return z.fromJSONSchema(schema, { defaultTarget: 'openapi-3.0' });
}

function expectDocumented(route: string, res: ApiResponse, status: number): void {
  expect(res.status).toBe(status);
  const result = documented(route, status).safeParse(res.body);
  if (!result.success) throw new Error(`${route} answered ${status} off its documented schema: ${JSON.stringify(result.error.issues.slice(0, 5))}\n${res.text.slice(0, 500)}`);
}

describe('every route is described', () => {
  it('finds the same routes in the Express router and in Nest (the test sees every route)', () => {
    const served = servedRoutes().sort();
    expect(served.length).toBeGreaterThanOrEqual(30);
    expect(nestRoutes().map((r) => r.route).sort()).toEqual(served);
    expect(served).toEqual(expect.arrayContaining(['GET /v1/admin/clock', 'POST /v1/admin/clock', 'GET /v1/shreds', 'GET /healthz']));
  });

  it('documents each with a success schema and example, its inputs, and its problems', () => {
    const missing: string[] = [];
    for (const r of nestRoutes()) {
      const op = operation(r.route);
      if (!op) {
        missing.push(`${r.route}: not in /docs/openapi.json`);
        continue;
      }
      // A 202 of a GET is the read-model-behind problem; a success is an application/json answer
      // (text/plain for /metrics, the Prometheus exposition).
      const media = (res: Json) => res.content?.['application/json'] ?? (r.route === 'GET /metrics' ? res.content?.['text/plain'] : undefined);
      const described = Object.entries(op.responses as Json).filter(([s, res]) => s.startsWith('2') && media(res)?.schema && media(res).example !== undefined);
      if (described.length === 0) missing.push(`${r.route}: no success answer with a schema and an example`);
      const params = (op.parameters ?? []) as { name: string; in: string; schema?: Json }[];
      for (const name of r.pathParams) if (!params.some((p) => p.in === 'path' && p.name === name && p.schema)) missing.push(`${r.route}: path parameter ${name} undescribed`);
      if (r.query && !params.some((p) => p.in === 'query' && p.name !== 'minPosition')) missing.push(`${r.route}: query parameters undescribed`);
      if (r.body && !op.requestBody?.content?.['application/json']?.schema?.properties) missing.push(`${r.route}: request body undescribed`);
      const problems = Object.keys(op.responses).filter((s) => s.startsWith('4'));
      if ((r.body || r.query || r.pathParams.length > 0) && !problems.includes('400')) missing.push(`${r.route}: no 400`);
      if (r.body && !(problems.includes('415') && problems.includes('413'))) missing.push(`${r.route}: no 413/415`);
      for (const s of problems) {
        if (op.responses[s].content?.['application/problem+json']?.schema?.$ref !== '#/components/schemas/Problem') missing.push(`${r.route}: ${s} is not the problem schema`);
      }
      if (op.security === undefined) missing.push(`${r.route}: security not stated`);
      if (op.security.length > 0 && !(problems.includes('401') && problems.includes('403') && /\*\*Roles:\*\*/.test(op.description))) missing.push(`${r.route}: roles, 401 or 403 undescribed`);
    }
    expect(missing).toEqual([]);
  });

  it('every documented example validates against its own schema', () => {
    const wrong: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(ops as Json)) {
        for (const [status, res] of Object.entries(op.responses as Json)) {
          const media = res.content?.['application/json'];
          if (!media?.schema || media.example === undefined) continue;
          const result = z.fromJSONSchema(media.schema, { defaultTarget: 'openapi-3.0' }).safeParse(media.example);
          if (!result.success) wrong.push(`${method.toUpperCase()} ${path} ${status}: ${JSON.stringify(result.error.issues.slice(0, 3))}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('states the problem schema and the bearer scheme: static tokens with roles (and the issuer\'s JWTs when configured)', () => {
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    expect(doc.components.schemas.Problem.properties.errors.items.required).toEqual(['field', 'rule']);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque' });
    expect(Object.values(doc.components.securitySchemes as Json).map((scheme) => scheme.bearerFormat)).toEqual(['opaque']);
    expect(doc.paths['/v1/shreds'].get.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['status', 'limit', 'cursor', 'minPosition']));
    expect(doc.paths['/v1/certificate-key'].get.security).toEqual([]);
  });
});

describe('a route takes the query parameters it documents, and no other', () => {
  const operations = () =>
    Object.entries(doc.paths as Json).flatMap(([path, ops]) =>
      Object.entries(ops as Json).map(([method, op]) => ({ method: method.toUpperCase(), url: path.replace(/\{[^}]+\}/g, 'x1'), query: ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'query').map((p) => p.name as string) })),
    );

  it('refuses an undocumented query parameter on every route, naming it', async () => {
    const answered: string[] = [];
    for (const { method, url } of operations()) {
      // Approving a break-glass grant is the approver's alone (admin may not).
      const res = await e.api(method, `${url}?undocumented=1`, url.endsWith('/approvals') ? e.tokens.approver : e.tokens.admin);
      if (res.status !== 400 || !res.body.errors?.some((err: Json) => err.field === 'undocumented' && err.rule === UNKNOWN_QUERY_RULE)) answered.push(`${method} ${url}: ${res.status}`);
    }
    expect(answered).toEqual([]);
  });

  it('never refuses a documented one as unknown', async () => {
    const refused: string[] = [];
    for (const { method, url, query } of operations()) {
      if (method !== 'GET' || query.length === 0) continue;
      const res = await e.api(method, `${url}?${query.map((name) => `${name}=`).join('&')}`, url.endsWith('/approvals') ? e.tokens.approver : e.tokens.admin);
      for (const err of (res.body?.errors ?? []) as Json[]) if (err.rule === UNKNOWN_QUERY_RULE) refused.push(`${method} ${url}: ${err.field}`);
    }
    expect(refused).toEqual([]);
  });
});

describe('real answers match the document', () => {
  const op = () => e.tokens.operator;
  const reader = () => e.tokens['ops-reader'];
  const onboarding = { tenantId: 'acme', jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'orders' }] };

  it('GET /v1/tenants/{id} right after onboarding equals the 201 body', async () => {
    const created = await e.api('POST', '/v1/tenants', op(), onboarding);
    expectDocumented('POST /v1/tenants', created, 201);
    const position = created.headers.get('lethe-position');
    expect(position).toMatch(/^\d+$/);
    const read = await e.api('GET', `/v1/tenants/acme?minPosition=${position}`, reader());
    expectDocumented('GET /v1/tenants/{tenantId}', read, 200);
    // No field differs legitimately right after onboarding: the same tenant, no shred yet, and the
    // ring's databases are the ones onboarding asked for. (Later they may: `status` and `shred` move
    // with a termination, `databases` grows with POST /databases.)
    expect(read.body).toEqual(created.body);
    const listed = await e.api('GET', `/v1/tenants?minPosition=${position}`, reader());
    expectDocumented('GET /v1/tenants', listed, 200);
    expect(listed.body.items).toEqual([created.body]);
  });

  it('the key ring, backup, termination, shred, compliance, calendar, clock, key and audit routes', async () => {
    const backup = { backupId: 'b-1', databaseId: 'orders', kind: 'full', coveredFrom: '2026-12-20T00:00:00Z', takenAt: '2026-12-21T08:00:00Z', expiresAt: '2027-03-01T00:00:00Z' };
    const recorded = await e.api('POST', '/v1/tenants/acme/backups', op(), backup);
    expectDocumented('POST /v1/tenants/{tenantId}/backups', recorded, 201);
    const at = `?minPosition=${recorded.headers.get('lethe-position')}`;
    expectDocumented('GET /v1/tenants/{tenantId}/keys', await e.api('GET', `/v1/tenants/acme/keys${at}`, reader()), 200);
    expectDocumented('GET /v1/tenants/{tenantId}/backups', await e.api('GET', `/v1/tenants/acme/backups${at}`, reader()), 200);
    expectDocumented('POST /v1/tenants/{tenantId}/backups/{backupId}/restore-check', await e.api('POST', '/v1/tenants/acme/backups/b-1/restore-check', op()), 200);
    expectDocumented('PATCH /v1/tenants/{tenantId}', await e.api('PATCH', '/v1/tenants/acme', op(), { pitrRetentionDays: 30 }), 200);
    expectDocumented('POST /v1/tenants/{tenantId}/databases', await e.api('POST', '/v1/tenants/acme/databases', op(), { databaseId: 'billing' }), 201);
    expectDocumented('POST /v1/tenants/{tenantId}/staging-assets', await e.api('POST', '/v1/tenants/acme/staging-assets', op(), { assetId: 'export-1' }), 201);
    expectDocumented('GET /v1/tenants/{tenantId}/staging-assets', await e.api('GET', '/v1/tenants/acme/staging-assets', reader()), 200);
    const terminated = await e.api('POST', '/v1/tenants/acme/terminations', e.tokens['contract-system'], { terminationId: 't-1', contractId: 'c-1', effectiveAt: '2026-12-23T17:00:00Z' });
    expectDocumented('POST /v1/tenants/{tenantId}/terminations', terminated, 202);
    const shredAt = `?minPosition=${terminated.headers.get('lethe-position')}`;
    const withShred = await e.api('GET', `/v1/tenants/acme${shredAt}`, reader());
    expectDocumented('GET /v1/tenants/{tenantId}', withShred, 200);
    expect(withShred.body.shred).toMatchObject({ shredId: terminated.body.shredId, status: 'shred-scheduled' });
    expectDocumented('GET /v1/shreds', await e.api('GET', `/v1/shreds${shredAt}&status=shred-scheduled`, reader()), 200);
    expectDocumented('POST /v1/tenants/{tenantId}/shred/cancel', await e.api('POST', '/v1/tenants/acme/shred/cancel', op(), { reason: 'contract renewed' }), 200);
    expectDocumented('GET /v1/compliance', await e.api('GET', '/v1/compliance', reader()), 200);
    expectDocumented('GET /v1/rejected-events', await e.api('GET', '/v1/rejected-events', reader()), 200);
    expectDocumented('GET /v1/calendars/{jurisdiction}', await e.api('GET', '/v1/calendars/GB-ENG?from=2026-12-24&to=2026-12-28', reader()), 200);
    expectDocumented('GET /v1/calendars/{jurisdiction}/deadline', await e.api('GET', '/v1/calendars/GB-ENG/deadline?from=2026-12-23T17:00:00Z', reader()), 200);
    expectDocumented('PUT /v1/calendars/{jurisdiction}/overrides/{date}', await e.api('PUT', '/v1/calendars/GB-ENG/overrides/2027-01-04', op(), { kind: 'off', reason: 'office closed' }), 200);
    expectDocumented('DELETE /v1/calendars/{jurisdiction}/overrides/{date}', await e.api('DELETE', '/v1/calendars/GB-ENG/overrides/2027-01-04', op()), 200);
    expectDocumented('GET /v1/certificate-key', await e.api('GET', '/v1/certificate-key'), 200);
    expectDocumented('GET /v1/certificate-keys', await e.api('GET', '/v1/certificate-keys'), 200);
    expectDocumented('GET /v1/admin/clock', await e.api('GET', '/v1/admin/clock', e.tokens.admin), 200);
    expectDocumented('POST /v1/admin/clock', await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: '2026-12-21T10:00:00Z' }), 200);
    expectDocumented('GET /healthz', await e.api('GET', '/healthz'), 200);
    const rotated = await e.api('POST', '/v1/tenants/acme/keys/rotate', op());
    expectDocumented('POST /v1/tenants/{tenantId}/keys/rotate', rotated, 202);
    const rotatedAt = `?minPosition=${rotated.headers.get('lethe-position')}`;
    expectDocumented('GET /v1/tenants/{tenantId}/events', await e.api('GET', `/v1/tenants/acme/events${rotatedAt}&limit=3`, reader()), 200);
    expectDocumented('GET /v1/tenants/{tenantId}/keys/timeline', await e.api('GET', `/v1/tenants/acme/keys/timeline${rotatedAt}`, reader()), 200);
    expectDocumented('GET /v1/schedule', await e.api('GET', '/v1/schedule?from=2026-12-01T00:00:00Z', reader()), 200);
  }, 60_000);

  it('problems match the documented problem schema', async () => {
    const problem = z.fromJSONSchema(doc.components.schemas.Problem, { defaultTarget: 'openapi-3.0' });
    for (const res of [
      await e.api('GET', '/v1/tenants/nobody', e.tokens['ops-reader']),
      await e.api('POST', '/v1/tenants', e.tokens.operator, { tenantId: 'Bad!' }),
      await e.api('GET', '/v1/shreds'),
      await e.api('GET', '/v1/shreds', e.tokens['contract-system']),
    ]) {
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(problem.safeParse(res.body).success).toBe(true);
    }
  });
});
