// How the http read probe judges what the tenant's data service answered (P5: only the expected failure
// verifies a shred; anything the probe cannot read as that failure or as data is inconclusive):
//   a status of the signature, with its problem type and/or body pattern → 'key-destroyed'
//   2xx with a body                                                     → 'readable' (alert)
//   everything else                                                     → 'inconclusive (<reason>)'
// A detail names the ids, the service's origin, the status and a reason code; never the path or query,
// a header, or anything the service sent (its body, its problem type when it is not the expected one).
import type { ProbeResult } from '../data-plane.js';
import { describeError } from '../local/describe-error.js';

/**
 * Why a probe is inconclusive, in its detail as `inconclusive (<reason>)`:
 * - timeout: no complete answer within the time limit (connection, headers and body);
 * - connection-error: refused, reset, name not resolved, …; tls-error: the certificate or TLS handshake failed;
 * - redirect: a 3xx (never followed: the headers must not go to another address);
 * - client-error / server-error / unexpected-status: a 4xx / 5xx / other status outside the signature
 *   (a 401 or 403 is a credential problem, a 404 a wrong URL: neither proves a key destroyed);
 * - signature-mismatch: an expected status without the expected problem type or body pattern;
 * - body-too-large: an expected status with a body too large to check; empty-success: a 2xx with no body;
 * - no-url: neither the tenant's own URL template nor a global one; settings-unreadable: the headers or
 *   tenant URLs file could not be read or no longer passes its rules;
 * - unexpected-error: anything else (named by error class and code only).
 */
export const HTTP_PROBE_REASONS = [
  'timeout',
  'connection-error',
  'tls-error',
  'redirect',
  'client-error',
  'server-error',
  'unexpected-status',
  'signature-mismatch',
  'body-too-large',
  'empty-success',
  'no-url',
  'settings-unreadable',
  'unexpected-error',
] as const;
export type HttpProbeReason = (typeof HTTP_PROBE_REASONS)[number];

/** The answer that proves the key destroyed: one of `statuses`, with every given check passing. */
export interface FailureSignature {
  /** HTTP statuses, each 400–599. */
  readonly statuses: readonly number[];
  /** The `type` member a problem+json (or JSON) body must have, compared exactly. */
  readonly problemType?: string;
  /** A pattern the body (its first MAX_PROBE_BODY_BYTES) must match; without the g or y flag. */
  readonly bodyPattern?: RegExp;
}

/** What the probe got: a response (status, content type, body read up to a cap) or a failure. */
export type ProbeAnswer =
  | {
      readonly kind: 'response';
      readonly status: number;
      readonly contentType: string | null;
      readonly body: string;
      /** False when the body was cut at the cap. */
      readonly complete: boolean;
    }
  | { readonly kind: 'failure'; readonly error: unknown };

export interface ProbeTarget {
  readonly tenantId: string;
  readonly databaseId: string;
  /** Scheme, host and port of the URL probed (not its path or query). */
  readonly origin: string;
  readonly timeoutMs: number;
}

/** How much of a body the probe reads (64 KiB): enough for a problem document or a sentinel. */
export const MAX_PROBE_BODY_BYTES = 64 * 1024;

/** Node's TLS error codes and OpenSSL's certificate verification codes. */
const TLS_CODE = /CERT|SSL|TLS|EPROTO|UNABLE_TO_|CRL|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH|HOSTNAME_MISMATCH/;

/** The detail of an inconclusive probe, with its reason code in a fixed place. */
export function inconclusiveProbe(reason: HttpProbeReason, target: Pick<ProbeTarget, 'tenantId' | 'databaseId'> & { origin?: string }, why: string): ProbeResult {
  const at = target.origin ? ` at ${target.origin}` : '';
  return { outcome: 'inconclusive', detail: `http probe of database ${target.databaseId} of tenant ${target.tenantId}${at}: inconclusive (${reason}): ${why}` };
}

/** The reason code of an http probe's inconclusive detail, or undefined for any other detail. */
export function httpProbeReason(detail: string): HttpProbeReason | undefined {
  const reason = /^http probe of .*: inconclusive \(([a-z-]+)\): /.exec(detail)?.[1];
  return (HTTP_PROBE_REASONS as readonly string[]).includes(reason ?? '') ? (reason as HttpProbeReason) : undefined;
}

/** Judges one answer. Pure: never rejects, never throws. */
export function classifyProbeAnswer(answer: ProbeAnswer, signature: FailureSignature, target: ProbeTarget): ProbeResult {
  const inconclusive = (reason: HttpProbeReason, why: string) => inconclusiveProbe(reason, target, why);
  if (answer.kind === 'failure') return classifyFailure(answer.error, target, inconclusive);

  const { status } = answer;
  const head = `http probe of database ${target.databaseId} of tenant ${target.tenantId} at ${target.origin}: ${status}`;
  if (signature.statuses.includes(status)) {
    if (!answer.complete) return inconclusive('body-too-large', `${status} is an expected status, but its body is over ${MAX_PROBE_BODY_BYTES} bytes and was not checked`);
    const checked: string[] = [];
    if (signature.problemType !== undefined) {
      const type = problemTypeOf(answer);
      if (type === undefined) return inconclusive('signature-mismatch', `${status} is an expected status, but its body is not a JSON problem document`);
      if (type !== signature.problemType) return inconclusive('signature-mismatch', `${status} is an expected status, but its problem type is not the expected one`);
      checked.push(`problem type ${signature.problemType}`);
    }
    if (signature.bodyPattern !== undefined) {
      if (!signature.bodyPattern.test(answer.body)) return inconclusive('signature-mismatch', `${status} is an expected status, but its body does not match the expected pattern`);
      checked.push('a body matching the expected pattern');
    }
    return { outcome: 'key-destroyed', detail: `${head} with ${checked.join(' and ')}, the expected failure: the key is destroyed, the data unreadable` };
  }
  if (status >= 200 && status < 300) {
    if (answer.body.length === 0) return inconclusive('empty-success', `${status} with an empty body: neither data nor the expected failure`);
    return { outcome: 'readable', detail: `${head} with data: the data can still be read` };
  }
  if (status >= 300 && status < 400) return inconclusive('redirect', `${status}: a redirect, not followed`);
  if (status === 401 || status === 403) return inconclusive('client-error', `${status}: the service refused the probe's credentials (see the headers file)`);
  if (status >= 400 && status < 500) return inconclusive('client-error', `${status} is not an expected status`);
  if (status >= 500 && status < 600) return inconclusive('server-error', `${status} is not an expected status`);
  return inconclusive('unexpected-status', `${status} is not an expected status`);
}

/** The `type` of a JSON body (problem+json or json media type), or undefined when there is none. */
function problemTypeOf(answer: { readonly contentType: string | null; readonly body: string }): string | undefined {
  const media = (answer.contentType ?? '').split(';')[0].trim().toLowerCase();
  if (media !== 'application/problem+json' && media !== 'application/json') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return undefined;
  }
  const type = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { type?: unknown }).type : undefined;
  return typeof type === 'string' ? type : undefined;
}

function classifyFailure(error: unknown, target: ProbeTarget, inconclusive: (reason: HttpProbeReason, why: string) => ProbeResult): ProbeResult {
  const { name } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown };
  // AbortSignal.timeout aborts with a TimeoutError, before or after the headers.
  if (name === 'TimeoutError' || name === 'AbortError') return inconclusive('timeout', `no complete answer within ${target.timeoutMs} ms`);
  // fetch wraps network failures in a TypeError whose cause carries the system or TLS code.
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = codeOf(cause) ?? codeOf(error);
  if (code !== undefined && TLS_CODE.test(code)) return inconclusive('tls-error', `the TLS connection failed: ${describeError(cause ?? error)}`);
  if (code !== undefined) return inconclusive('connection-error', `could not reach the service: ${describeError(cause ?? error)}`);
  if (name === 'TypeError' && cause !== undefined) return inconclusive('connection-error', `could not reach the service: ${describeError(cause)}`);
  return inconclusive('unexpected-error', `the probe failed: ${describeError(error)}`);
}

function codeOf(value: unknown): string | undefined {
  const code = (typeof value === 'object' && value !== null ? value : {}) as { code?: unknown };
  return typeof code.code === 'string' && /^[A-Za-z0-9_.-]{1,60}$/.test(code.code) ? code.code : undefined;
}
