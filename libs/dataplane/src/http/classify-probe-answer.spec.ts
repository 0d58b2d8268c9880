import type { ProbeResult } from '../data-plane.js';
import { classifyProbeAnswer, httpProbeReason, MAX_PROBE_BODY_BYTES, type FailureSignature, type ProbeAnswer } from './classify-probe-answer.js';

const KEY_DESTROYED_TYPE = 'https://sample.invalid/problems/key-destroyed';
const target = { tenantId: 'acme', databaseId: 'db-1', origin: 'https://data.example', timeoutMs: 2_500 };
/** What the service sends that must never reach a detail. */
const SECRET_BODY = 'sentinel-plaintext-4b1d';
const FOREIGN_TYPE = 'https://elsewhere.invalid/problems/9f2e';

const response = (status: number, body = '', contentType: string | null = 'application/problem+json', complete = true): ProbeAnswer => ({
  kind: 'response',
  status,
  contentType,
  body,
  complete,
});
const problem = (type: string, extra: Record<string, unknown> = {}) => JSON.stringify({ type, title: 'Key destroyed', status: 410, detail: SECRET_BODY, ...extra });
const failure = (error: unknown): ProbeAnswer => ({ kind: 'failure', error });
/** What fetch rejects with when the network fails: a TypeError whose cause has the code. */
const networkError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ${code} ${SECRET_BODY}`), { code }) });

const byType: FailureSignature = { statuses: [410, 423], problemType: KEY_DESTROYED_TYPE };
const byPattern: FailureSignature = { statuses: [410], bodyPattern: /key (has been )?destroyed/ };
const byBoth: FailureSignature = { statuses: [410], problemType: KEY_DESTROYED_TYPE, bodyPattern: /"status":410/ };

const results: ProbeResult[] = [];
function judge(answer: ProbeAnswer, signature: FailureSignature = byType): ProbeResult {
  const result = classifyProbeAnswer(answer, signature, target);
  results.push(result);
  return result;
}
const reasonOf = (r: ProbeResult) => (r.outcome === 'inconclusive' ? httpProbeReason(r.detail) : r.outcome);

describe('classifyProbeAnswer', () => {
  describe('given a signature of statuses and a problem type', () => {
    it('when the service answers an expected status with that problem type, then the key is destroyed', () => {
      for (const status of [410, 423]) {
        const r = judge(response(status, problem(KEY_DESTROYED_TYPE)));
        expect(r.outcome).toBe('key-destroyed');
        expect(r.detail).toContain(`at https://data.example: ${status} with problem type ${KEY_DESTROYED_TYPE}, the expected failure`);
        expect(r.detail).toContain('database db-1 of tenant acme');
      }
    });

    it('when the problem document comes as application/json with parameters, then it still counts', () => {
      expect(judge(response(410, problem(KEY_DESTROYED_TYPE), 'Application/JSON; charset=utf-8')).outcome).toBe('key-destroyed');
    });

    it('when the status is expected but the problem type is another, then it is inconclusive (signature-mismatch), the foreign type unnamed', () => {
      const r = judge(response(410, problem(FOREIGN_TYPE)));
      expect(reasonOf(r)).toBe('signature-mismatch');
      expect(r.detail).not.toContain(FOREIGN_TYPE);
    });

    it('when the status is expected but the body is not a JSON problem document, then it is inconclusive (signature-mismatch)', () => {
      expect(reasonOf(judge(response(410, `<html>${KEY_DESTROYED_TYPE}</html>`, 'text/html')))).toBe('signature-mismatch');
      expect(reasonOf(judge(response(410, `{"type": "${KEY_DESTROYED_TYPE}"`, 'application/problem+json')))).toBe('signature-mismatch');
      expect(reasonOf(judge(response(410, JSON.stringify([KEY_DESTROYED_TYPE]))))).toBe('signature-mismatch');
      expect(reasonOf(judge(response(410, JSON.stringify({ type: 410 }))))).toBe('signature-mismatch');
      expect(reasonOf(judge(response(410, problem(KEY_DESTROYED_TYPE), null)))).toBe('signature-mismatch');
    });

    it('when the status is expected but the body was cut at the cap, then it is inconclusive (body-too-large)', () => {
      const r = judge(response(410, problem(KEY_DESTROYED_TYPE), 'application/problem+json', false));
      expect(reasonOf(r)).toBe('body-too-large');
      expect(r.detail).toContain(String(MAX_PROBE_BODY_BYTES));
    });

    it('when the right problem type comes with a status outside the signature, then it is inconclusive', () => {
      expect(reasonOf(judge(response(404, problem(KEY_DESTROYED_TYPE))))).toBe('client-error');
      expect(reasonOf(judge(response(500, problem(KEY_DESTROYED_TYPE))))).toBe('server-error');
    });
  });

  describe('given a signature of a status and a body pattern', () => {
    it('when the body matches, then the key is destroyed', () => {
      const r = judge(response(410, 'the key has been destroyed', 'text/plain'), byPattern);
      expect(r.outcome).toBe('key-destroyed');
      expect(r.detail).toContain('410 with a body matching the expected pattern');
      expect(r.detail).not.toContain('has been destroyed');
    });

    it('when the body does not match, then it is inconclusive (signature-mismatch)', () => {
      expect(reasonOf(judge(response(410, 'gone fishing', 'text/plain'), byPattern))).toBe('signature-mismatch');
    });
  });

  describe('given a signature with both a problem type and a body pattern', () => {
    it('then both must match', () => {
      expect(judge(response(410, problem(KEY_DESTROYED_TYPE)), byBoth).outcome).toBe('key-destroyed');
      expect(reasonOf(judge(response(410, JSON.stringify({ type: KEY_DESTROYED_TYPE })), byBoth))).toBe('signature-mismatch');
      expect(reasonOf(judge(response(410, problem(FOREIGN_TYPE)), byBoth))).toBe('signature-mismatch');
    });
  });

  describe('given a success', () => {
    it('when it carries data, then the data is readable', () => {
      for (const status of [200, 203, 206]) {
        const r = judge(response(status, SECRET_BODY, 'text/plain'));
        expect(r.outcome).toBe('readable');
        expect(r.detail).toContain(`${status} with data`);
      }
    });

    it('when the data is larger than the cap, then it is still readable', () => {
      expect(judge(response(200, 'x'.repeat(MAX_PROBE_BODY_BYTES), 'application/octet-stream', false)).outcome).toBe('readable');
    });

    it('when it carries nothing, then it is inconclusive (empty-success)', () => {
      expect(reasonOf(judge(response(204, '', null)))).toBe('empty-success');
      expect(reasonOf(judge(response(200, '', 'text/plain')))).toBe('empty-success');
    });

    it('when a body of a success carries the expected problem, then it is still not a failure', () => {
      expect(judge(response(200, problem(KEY_DESTROYED_TYPE))).outcome).toBe('readable');
    });
  });

  describe('given any other status', () => {
    it.each([
      [301, 'redirect'],
      [302, 'redirect'],
      [307, 'redirect'],
      [400, 'client-error'],
      [401, 'client-error'],
      [403, 'client-error'],
      [404, 'client-error'],
      [409, 'client-error'],
      [429, 'client-error'],
      [500, 'server-error'],
      [502, 'server-error'],
      [503, 'server-error'],
      [504, 'server-error'],
      [199, 'unexpected-status'],
      [600, 'unexpected-status'],
    ])('when the service answers %i, then it is inconclusive (%s)', (status, reason) => {
      const r = judge(response(status, problem(FOREIGN_TYPE)));
      expect(r.outcome).toBe('inconclusive');
      expect(reasonOf(r)).toBe(reason);
      expect(r.detail).toContain(`: ${status}`);
    });

    it('when the answer is 401 or 403, then the detail points at the credentials', () => {
      expect(judge(response(401)).detail).toContain('credentials');
      expect(judge(response(403)).detail).toContain('credentials');
    });
  });

  describe('given no answer', () => {
    it('when the time limit passed (before or during the body), then it is inconclusive (timeout) naming the limit', () => {
      const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      const r = judge(failure(timeout));
      expect(reasonOf(r)).toBe('timeout');
      expect(r.detail).toContain('2500 ms');
      expect(reasonOf(judge(failure(new DOMException('This operation was aborted', 'AbortError'))))).toBe('timeout');
    });

    it.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'])(
      'when the connection fails with %s, then it is inconclusive (connection-error) naming the code',
      (code) => {
        const r = judge(failure(networkError(code)));
        expect(reasonOf(r)).toBe('connection-error');
        expect(r.detail).toContain(code);
      },
    );

    it.each(['DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'HOSTNAME_MISMATCH', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER'])(
      'when TLS fails with %s, then it is inconclusive (tls-error)',
      (code) => {
        expect(reasonOf(judge(failure(networkError(code))))).toBe('tls-error');
      },
    );

    it('when fetch fails without a code, then it is still a connection error', () => {
      expect(reasonOf(judge(failure(Object.assign(new TypeError('fetch failed'), { cause: new Error(SECRET_BODY) }))))).toBe('connection-error');
    });

    it('when anything else is thrown, then it is inconclusive (unexpected-error), named by class only', () => {
      const r = judge(failure(new RangeError(SECRET_BODY)));
      expect(reasonOf(r)).toBe('unexpected-error');
      expect(r.detail).toContain('RangeError');
      expect(reasonOf(judge(failure('a string')))).toBe('unexpected-error');
      expect(reasonOf(judge(failure(null)))).toBe('unexpected-error');
    });
  });

  it('never puts a body, a foreign problem type or an error message in a detail', () => {
    expect(results.length).toBeGreaterThan(40);
    for (const r of results) {
      expect(r.detail).not.toContain(SECRET_BODY);
      expect(r.detail).not.toContain(FOREIGN_TYPE);
      expect(r.detail).not.toContain('fetch failed');
      expect(r.detail).toMatch(/^http probe of database db-1 of tenant acme at https:\/\/data\.example: /);
    }
  });
});
