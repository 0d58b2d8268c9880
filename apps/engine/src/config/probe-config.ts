// LETHE_PROBE and its settings: which read probe verifies a shred (P5). `local` (the default) reads the
// local data plane; `http` reads each database's sentinel from the tenant's data service, the way a
// client would (docs/adapters/http-probe.md). The http settings are checked here (values), and their
// files at boot (apps/engine/src/infrastructure/read-probe.ts).
import { z } from 'zod';
import { parseUrlTemplate, UrlTemplateError, type HttpReadProbeSettings } from '@lethe/dataplane';

export type ReadProbeConfig = { readonly kind: 'local' } | { readonly kind: 'http'; readonly settings: HttpReadProbeSettings };

const TIMEOUT_RULE = 'must be a whole number of milliseconds from 100 to 120000';
const STATUS_RULE = 'must be a comma-separated list of HTTP statuses from 400 to 599 (the expected failure, e.g. 410)';

/** The environment variables of the read probe, as the engine's config schema reads them. */
export const probeEnvShape = {
  LETHE_PROBE: z.enum(['local', 'http'], { message: "must be 'local' or 'http'" }).default('local'),
  LETHE_PROBE_URL_TEMPLATE: z.string().trim().min(1).optional(),
  LETHE_PROBE_TENANT_URLS_FILE: z.string().trim().min(1).optional(),
  LETHE_PROBE_HEADERS_FILE: z.string().trim().min(1).optional(),
  LETHE_PROBE_TIMEOUT_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, { message: TIMEOUT_RULE })
    .transform(Number)
    .refine((n) => n >= 100 && n <= 120_000, { message: TIMEOUT_RULE })
    .default(5_000),
  LETHE_PROBE_EXPECT_STATUS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .refine((list) => list.length > 0 && list.every((s) => /^\d{3}$/.test(s) && Number(s) >= 400 && Number(s) <= 599), { message: STATUS_RULE })
    .transform((list) => [...new Set(list.map(Number))])
    .optional(),
  LETHE_PROBE_EXPECT_PROBLEM_TYPE: z
    .string()
    .trim()
    .refine((v) => /^\S{1,2000}$/.test(v) && v !== 'about:blank', {
      message: 'must be the `type` URI of the expected problem+json answer, without spaces, and not about:blank (which says nothing)',
    })
    .optional(),
  LETHE_PROBE_EXPECT_BODY_PATTERN: z
    .string()
    .transform((v, ctx) => {
      try {
        return new RegExp(v);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a regular expression (JavaScript syntax, without slashes or flags)' });
        return z.NEVER;
      }
    })
    .optional(),
  LETHE_PROBE_CA_FILE: z.string().trim().min(1).optional(),
  LETHE_PROBE_ALLOW_HTTP: z
    .enum(['true', 'false'], { message: "must be 'true' or 'false'" })
    .transform((v) => v === 'true')
    .default(false),
};

type ProbeEnv = z.infer<z.ZodObject<typeof probeEnvShape>>;

/**
 * The read probe's configuration from the parsed settings; `present` tells which were set. Problems
 * (setting: rule, never a value) go to `problems`: settings of the http probe without LETHE_PROBE=http,
 * or the http probe without a URL or without a failure signature that proves a key destroyed.
 */
export function readProbeConfig(env: ProbeEnv, present: Readonly<Record<string, unknown>>, problems: string[]): ReadProbeConfig {
  const settingNames = Object.keys(probeEnvShape).filter((n) => n !== 'LETHE_PROBE');
  if (env.LETHE_PROBE === 'local') {
    for (const name of settingNames) if (present[name] !== undefined) problems.push(`${name}: only applies with LETHE_PROBE=http`);
    return { kind: 'local' };
  }
  if (env.LETHE_PROBE_URL_TEMPLATE === undefined && env.LETHE_PROBE_TENANT_URLS_FILE === undefined) {
    problems.push('LETHE_PROBE_URL_TEMPLATE: is required with LETHE_PROBE=http unless LETHE_PROBE_TENANT_URLS_FILE is set (where the probe reads)');
  }
  if (env.LETHE_PROBE_URL_TEMPLATE !== undefined) {
    try {
      parseUrlTemplate(env.LETHE_PROBE_URL_TEMPLATE, { required: ['tenantId', 'databaseId'], allowHttp: env.LETHE_PROBE_ALLOW_HTTP });
    } catch (error) {
      if (!(error instanceof UrlTemplateError)) throw error;
      const hint = error.code === 'https-only' ? ' (LETHE_PROBE_ALLOW_HTTP=true allows http:// for tests)' : '';
      problems.push(`LETHE_PROBE_URL_TEMPLATE: ${error.rule}${hint}`);
    }
  }
  if (env.LETHE_PROBE_EXPECT_STATUS === undefined) {
    problems.push('LETHE_PROBE_EXPECT_STATUS: is required with LETHE_PROBE=http (the statuses of the expected failure, e.g. 410)');
  }
  if (env.LETHE_PROBE_EXPECT_PROBLEM_TYPE === undefined && env.LETHE_PROBE_EXPECT_BODY_PATTERN === undefined) {
    problems.push(
      'LETHE_PROBE_EXPECT_PROBLEM_TYPE: is required with LETHE_PROBE=http unless LETHE_PROBE_EXPECT_BODY_PATTERN is set: a status alone does not prove a key destroyed',
    );
  }
  return {
    kind: 'http',
    settings: {
      ...(env.LETHE_PROBE_URL_TEMPLATE !== undefined ? { urlTemplate: env.LETHE_PROBE_URL_TEMPLATE } : {}),
      ...(env.LETHE_PROBE_TENANT_URLS_FILE !== undefined ? { tenantUrlsFile: env.LETHE_PROBE_TENANT_URLS_FILE } : {}),
      ...(env.LETHE_PROBE_HEADERS_FILE !== undefined ? { headersFile: env.LETHE_PROBE_HEADERS_FILE } : {}),
      ...(env.LETHE_PROBE_CA_FILE !== undefined ? { caFile: env.LETHE_PROBE_CA_FILE } : {}),
      timeoutMs: env.LETHE_PROBE_TIMEOUT_MS,
      signature: {
        statuses: env.LETHE_PROBE_EXPECT_STATUS ?? [],
        ...(env.LETHE_PROBE_EXPECT_PROBLEM_TYPE !== undefined ? { problemType: env.LETHE_PROBE_EXPECT_PROBLEM_TYPE } : {}),
        ...(env.LETHE_PROBE_EXPECT_BODY_PATTERN !== undefined ? { bodyPattern: env.LETHE_PROBE_EXPECT_BODY_PATTERN } : {}),
      },
      allowHttp: env.LETHE_PROBE_ALLOW_HTTP,
    },
  };
}

/** The environment variable of each file setting of the http probe, to name it in a boot refusal. */
export const PROBE_SETTING_ENV: Readonly<Record<'urlTemplate' | 'tenantUrlsFile' | 'headersFile' | 'caFile', string>> = {
  urlTemplate: 'LETHE_PROBE_URL_TEMPLATE',
  tenantUrlsFile: 'LETHE_PROBE_TENANT_URLS_FILE',
  headersFile: 'LETHE_PROBE_HEADERS_FILE',
  caFile: 'LETHE_PROBE_CA_FILE',
};
