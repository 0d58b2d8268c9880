import { Writable } from 'node:stream';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('logger', () => {
  it('writes JSON lines with level, time and message', () => {
    const { lines, logger } = capture();
    logger.info({ tenant: 't-1' }, 'hello');
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 30, msg: 'hello', tenant: 't-1', service: 'lethe-engine' });
    expect(typeof entry.time).toBe('string');
  });

  it('leaves class instances (requests, responses) to the serializers', () => {
    const { lines, logger } = capture();
    class Response {
      statusCode = 201;
      get headersSent() {
        return true;
      }
    }
    const res = new Response();
    logger.info({ res }, 'done');
    expect(JSON.parse(lines[0]).res.statusCode).toBe(201);
  });

  it('redacts authorization headers and any field named like a key, secret or token, at any depth', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=1', host: 'x' } },
        masterKey: 'AAAA',
        nested: { deeper: { clientSecret: 's3cr3t', apiToken: 't0k3n', list: [{ password: 'pw' }] } },
        keyVersionId: 'kv-1',
        routingKey: 'contract.terminated',
      },
      'request',
    );
    const text = lines[0];
    for (const secret of ['abc.def', 'sid=1', 'AAAA', 's3cr3t', 't0k3n', '"pw"']) expect(text).not.toContain(secret);
    const entry = JSON.parse(text);
    expect(entry.req.headers.host).toBe('x');
    expect(entry.keyVersionId).toBe('kv-1');
    expect(entry.routingKey).toBe('contract.terminated');
    expect(entry.nested.deeper.clientSecret).toBe('[redacted]');
  });

  it('redacts sensitive query values of URLs in any logged string or error', () => {
    const { lines, logger } = capture();
    logger.info({ url: '/v1/tenants?access_token=t0k3n-in-url&limit=2', err: new Error('fetch https://x/y?Signature=s1gn4ture failed') }, 'request');
    const text = lines[0];
    expect(text).not.toContain('t0k3n-in-url');
    expect(text).not.toContain('s1gn4ture');
    expect(JSON.parse(text).url).toBe('/v1/tenants?access_token=[redacted]&limit=2');
  });
});
