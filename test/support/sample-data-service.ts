// A SAMPLE tenant data service, for the http read probe's tests: it serves each database's sentinel the
// way a client of the database would read it, through the data plane (LocalDataPlane.readSentinel:
// the vault unwraps the database's data key, which decrypts the sentinel):
//   GET /v1/tenants/{tenantId}/databases/{databaseId}/sentinel, with `Authorization: Bearer <token>`
//   200 text/plain: the sentinel, while the key lives
//   410 problem+json, type KEY_DESTROYED_TYPE: the key version is destroyed (the expected failure)
//   423 problem+json, type KEY_DISABLED_TYPE: disabled, not destroyed; 404: unknown database;
//   401: no or wrong token; 500: anything else
// Modes simulate what a probe must not take for a pass: 'timeout' (never answers), 'stall-body' (200
// and half a body, then nothing), 'server-error' (503), 'redirect' (302), 'down' (the port is closed:
// connection refused); 'normal' listens again on the same port. HTTPS with a given key and certificate.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KeyVersionDestroyedError, KeyVersionDisabledError } from '@lethe/vault';
import { UnknownDatabaseError } from '@lethe/dataplane';

export const KEY_DESTROYED_TYPE = 'https://sample.invalid/problems/key-destroyed';
export const KEY_DISABLED_TYPE = 'https://sample.invalid/problems/key-disabled';
export const SENTINEL_PATH = '/v1/tenants/{tenantId}/databases/{databaseId}/sentinel';

export type SampleServiceMode = 'normal' | 'timeout' | 'stall-body' | 'server-error' | 'redirect' | 'down';

/** What the service reads through: the local data plane (readSentinel is its client's read). */
export interface SentinelReader {
  readSentinel(tenantId: string, databaseId: string): Promise<Buffer>;
}

export interface SampleDataService {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  /** The probe's URL template for this service. */
  readonly urlTemplate: string;
  /** The bearer token the service requires (to put in the probe's headers file). */
  readonly token: string;
  /** Every request received: what was asked, whether its token was right, the answer's status (undefined: none). */
  readonly requests: { path: string; authorized: boolean; status: number | undefined }[];
  /** Reads through this data plane from now on; until then every sentinel is a 503. */
  attach(reader: SentinelReader): void;
  setMode(mode: SampleServiceMode): Promise<void>;
  close(): Promise<void>;
}

export interface SampleServiceOptions {
  readonly tls?: { readonly key: Buffer | string; readonly cert: Buffer | string };
}

const ROUTE = /^\/v1\/tenants\/([^/]+)\/databases\/([^/]+)\/sentinel$/;

function problem(res: http.ServerResponse, status: number, type: string, title: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type, title, status }));
}

export async function startSampleDataService(options: SampleServiceOptions = {}): Promise<SampleDataService> {
  const token = randomBytes(24).toString('base64url');
  const requests: SampleDataService['requests'] = [];
  let reader: SentinelReader | undefined;
  let mode: SampleServiceMode = 'normal';
  const sockets = new Set<Socket>();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    const entry: (typeof requests)[number] = { path, authorized: req.headers.authorization === `Bearer ${token}`, status: undefined };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    if (mode === 'timeout') return; // held until the client gives up or the service closes
    if (mode === 'stall-body') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('lethe-sentinel:');
      return;
    }
    if (mode === 'server-error') return problem(res, 503, 'https://sample.invalid/problems/unavailable', 'Try again later');
    if (mode === 'redirect') {
      res.writeHead(302, { location: 'https://elsewhere.invalid/' });
      return res.end();
    }
    const route = ROUTE.exec(path);
    if (req.method !== 'GET' || !route) return problem(res, 404, 'https://sample.invalid/problems/not-found', 'No such resource');
    if (!entry.authorized) return problem(res, 401, 'https://sample.invalid/problems/unauthorized', 'A valid bearer token is needed');
    if (!reader) return problem(res, 503, 'https://sample.invalid/problems/unavailable', 'Not attached to a data plane yet');
    const [tenantId, databaseId] = [decodeURIComponent(route[1]), decodeURIComponent(route[2])];
    reader.readSentinel(tenantId, databaseId).then(
      (sentinel) => {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(sentinel);
      },
      (error: unknown) => {
        if (error instanceof KeyVersionDestroyedError) return problem(res, 410, KEY_DESTROYED_TYPE, 'The database key is destroyed');
        if (error instanceof KeyVersionDisabledError) return problem(res, 423, KEY_DISABLED_TYPE, 'The database key is disabled');
        if (error instanceof UnknownDatabaseError) return problem(res, 404, 'https://sample.invalid/problems/not-found', 'No such database');
        return problem(res, 500, 'https://sample.invalid/problems/internal', 'Internal error');
      },
    );
  };

  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    origin,
    urlTemplate: `${origin}${SENTINEL_PATH}`,
    token,
    requests,
    attach(r) {
      reader = r;
    },
    async setMode(next) {
      mode = next;
      if (next === 'down') return stop();
      if (!server.listening) await listen(port);
    },
    close: stop,
  };
}
