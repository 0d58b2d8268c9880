// What the engine checks about its PostgreSQL before it relies on it: that it can connect (a refused
// certificate or a server without TLS is named as a setting problem), that the server is recent
// enough, and that the direct connection really is one (not a transaction-mode pooler).
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { DatabaseSettingError, type PostgresConnection } from './connection.js';

/**
 * PostgreSQL 13 brought `xid8` and `pg_current_xact_id()`, which the event store records with every
 * append to order readers (ARCHITECTURE.md §4, ordered without gaps).
 */
export const MIN_SERVER_VERSION = { major: 13, num: 130000, why: 'xid8 and pg_current_xact_id()' } as const;

/** Node's codes for a server certificate that failed verification. */
export const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'INVALID_CA',
]);

/**
 * Opens a client on the connection, naming the setting to change when TLS is what failed.
 * @throws DatabaseSettingError for a refused certificate or a server without TLS; other errors as pg raised them.
 */
export async function connectClient(connection: PostgresConnection): Promise<pg.Client> {
  const client = new pg.Client(connection.client);
  // A connection that breaks while idle must not crash the process; the next query fails instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw explainConnectError(error, connection);
  }
}

/** SQLSTATE insufficient_privilege: e.g. no CREATE on the schema the migrations write to. */
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * A TLS failure, or a privilege the role lacks at boot (connecting, checks, migrations), as a setting
 * problem naming the URL's setting; anything else unchanged.
 */
export function explainConnectError(error: unknown, connection: PostgresConnection): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const { setting, sslMode, caSetting } = connection;
  if (code === INSUFFICIENT_PRIVILEGE && error instanceof Error) {
    return new DatabaseSettingError(
      `${setting}: the URL's role lacks a privilege Lethe needs (${error.message}); the role must own the database, or have CREATE on its schema, and own the tables Lethe created (see docs/postgresql.md)`,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new DatabaseSettingError(
      `${setting}: the database server's certificate does not name the host in the URL (sslmode=${sslMode}); connect by a name the certificate carries`,
    );
  }
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    const ca = caSetting ?? 'LETHE_DATABASE_CA_FILE';
    return new DatabaseSettingError(
      `${setting}: the database server's certificate was refused (${code}, sslmode=${sslMode}); ${ca} must name the PEM file of the CA that signed it`,
    );
  }
  if (error instanceof Error && /does not support SSL/i.test(error.message)) {
    return new DatabaseSettingError(`${setting}: sslmode=${sslMode}, but the server does not accept TLS connections`);
  }
  if (code !== undefined && code in WRONG_SETTING_CODES && error instanceof Error) {
    return new DatabaseSettingError(`${setting}: ${WRONG_SETTING_CODES[code]} (${error.message})`);
  }
  // Unreachable (the server may be starting): not a setting error, but say which URL it was.
  if (code !== undefined && UNREACHABLE_CODES.has(code) && error instanceof Error && !error.message.startsWith(setting)) {
    const named = new Error(`${setting}: cannot reach the database server (${code})`);
    named.name = 'DatabaseUnreachableError';
    return named;
  }
  return error;
}

/** Server answers that mean the URL names something that does not exist or may not log in. */
const WRONG_SETTING_CODES: Readonly<Record<string, string>> = {
  '3D000': 'the database in the URL does not exist',
  '28000': 'the server refuses this role or connection (pg_hba.conf, or the role does not exist)',
  '28P01': 'the password in the URL was refused',
};
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

/**
 * Both URLs reach the same database on the same server: a lock the direct session takes is seen by
 * the pooled one. Leases on another database would never meet the pooled writers' fencing, so two
 * instances could both run a processor.
 * @throws DatabaseSettingError naming both settings.
 */
export async function requireSameDatabase(pooled: PostgresConnection, direct: PostgresConnection): Promise<void> {
  const key = randomInt(1, 2 ** 31 - 1);
  const session = await connectClient(direct);
  try {
    await session.query('select pg_advisory_lock($1, $2)', [SAME_DATABASE_LOCK_CLASS, key]);
    const probe = await connectClient(pooled);
    let seen: boolean;
    try {
      const res = await probe.query<{ seen: boolean }>(
        `select exists (select 1 from pg_locks where locktype = 'advisory' and granted and classid = $1 and objid = $2 and objsubid = 2
                          and database = (select oid from pg_database where datname = current_database())) as seen`,
        [SAME_DATABASE_LOCK_CLASS, key],
      );
      seen = res.rows[0].seen;
    } finally {
      await probe.end().catch(() => undefined);
    }
    if (!seen) {
      throw new DatabaseSettingError(
        `${direct.setting} and ${pooled.setting} must reach the same database on the same server (a lock taken through one is not seen through the other)`,
      );
    }
  } finally {
    await session.end().catch(() => undefined);
  }
}

/** Lock class of the same-database check; the key is random, the lock ends with its session. */
const SAME_DATABASE_LOCK_CLASS = 4_242_003;

/**
 * Everything the engine (and `lethe migrate`) checks before relying on its PostgreSQL: the server's
 * version, that both URLs reach one database, and that the direct URL is no transaction-mode pooler.
 * `directSet`: whether LETHE_DIRECT_DATABASE_URL was given (for the message).
 * @throws DatabaseSettingError naming the setting to change.
 */
export async function checkDatabase(pooled: PostgresConnection, direct: PostgresConnection, directSet: boolean): Promise<ServerVersion> {
  const client = await connectClient(pooled);
  let version: ServerVersion;
  try {
    version = await serverVersion(client);
    requireSupportedVersion(version, pooled.setting);
  } finally {
    await client.end().catch(() => undefined);
  }
  if (await isTransactionPooler(direct)) {
    const named = directSet
      ? 'LETHE_DIRECT_DATABASE_URL reaches PostgreSQL through a transaction-mode pooler'
      : 'DATABASE_URL reaches PostgreSQL through a transaction-mode pooler and LETHE_DIRECT_DATABASE_URL is unset, so it would be used for sessions too';
    throw new DatabaseSettingError(
      `${named}; processor leases and LISTEN need a session of their own: set LETHE_DIRECT_DATABASE_URL to a direct connection to PostgreSQL (DATABASE_URL may stay on the pooler)`,
    );
  }
  if (directSet) await requireSameDatabase(pooled, direct);
  return version;
}

export interface ServerVersion {
  /** e.g. 150012 for 15.12 (`server_version_num`). */
  readonly num: number;
  /** As the server reports it, e.g. `15.12 (Debian 15.12-0+deb12u2)`. */
  readonly text: string;
}

export async function serverVersion(client: pg.ClientBase): Promise<ServerVersion> {
  const res = await client.query<{ num: string; text: string }>(
    `select current_setting('server_version_num') as num, current_setting('server_version') as text`,
  );
  return { num: Number(res.rows[0].num), text: res.rows[0].text };
}

/** @throws DatabaseSettingError when the server is older than MIN_SERVER_VERSION. */
export function requireSupportedVersion(version: ServerVersion, setting: string): void {
  if (version.num >= MIN_SERVER_VERSION.num) return;
  throw new DatabaseSettingError(
    `${setting}: PostgreSQL ${version.text} found; Lethe needs PostgreSQL ${MIN_SERVER_VERSION.major} or newer (${MIN_SERVER_VERSION.why})`,
  );
}

/**
 * Whether this connection's settings lead to a pooler that hands out server sessions per transaction
 * (PgBouncer `pool_mode=transaction` or `statement`). Two clients ask for their server process id in
 * turn: on a direct connection, or a session-mode pooler, each client keeps its own process for
 * life; behind a transaction-mode pooler one server process serves both clients, or a client's
 * process changes between transactions. A few rounds, because a pooler may hand the same process
 * back by chance.
 */
export async function isTransactionPooler(connection: PostgresConnection, rounds = 3): Promise<boolean> {
  const a = await connectClient(connection);
  try {
    const b = await connectClient(connection);
    try {
      for (let round = 0; round < rounds; round++) {
        const first = await backendPid(a);
        const other = await backendPid(b);
        const again = await backendPid(a);
        if (other === first || again !== first) return true;
      }
      return false;
    } finally {
      await b.end().catch(() => undefined);
    }
  } finally {
    await a.end().catch(() => undefined);
  }
}

async function backendPid(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
}
