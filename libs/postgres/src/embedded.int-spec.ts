// The engine's own PostgreSQL (no DATABASE_URL): reachable on loopback only, and a TLS mode asked of
// it, which has no certificate, is refused as a setting problem rather than silently sent in plain text.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSettingError, postgresConnection } from './connection.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
import { connectClient } from './server-checks.js';

let dataDir: string;
let server: EmbeddedServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lethe-embedded-pg-'));
  server = await startEmbeddedPostgres(join(dataDir, 'postgres'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

it('given the embedded server, when asked, then it listens on 127.0.0.1 only', async () => {
  const client = await connectClient(postgresConnection({ url: server.url, setting: 'the embedded PostgreSQL' }));
  try {
    const res = await client.query<{ listen_addresses: string }>('show listen_addresses');
    expect(res.rows[0].listen_addresses).toBe('127.0.0.1');
  } finally {
    await client.end();
  }
  const port = Number(new URL(server.url).port);
  expect(await accepts('127.0.0.1', port)).toBe(true);
  // The machine's other addresses, where it has any, get no answer on that port.
  const others = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  for (const address of others) expect(await accepts(address, port)).toBe(false);
});

it('given the embedded server (no certificate) and sslmode=require, when connecting, then it is refused as a setting naming the mode', async () => {
  const url = new URL(server.url);
  url.searchParams.set('sslmode', 'require');
  const connection = postgresConnection({ url: url.toString(), setting: 'DATABASE_URL' });
  const error = await connectClient(connection).then(
    (client) => client.end().then(() => undefined),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DatabaseSettingError);
  expect((error as Error).message).toBe('DATABASE_URL: sslmode=require, but the server does not accept TLS connections');
  expect((error as Error).message).not.toContain(decodeURIComponent(url.password));
});
