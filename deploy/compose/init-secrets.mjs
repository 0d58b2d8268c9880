// compose.yaml's first service: makes the stack's secrets on its first start, into the `secrets`
// volume, and keeps them on every later start. Nothing secret is in the repository.
//
//   node init-secrets.mjs <dir>
//
// <dir>/lethe/       (0700, the engine's user)  master.key, signing.key, tokens: the engine's own key
//                     files (it reads them as LETHE_DATA_DIR, see libs/vault and api-tokens.ts), and
//                     database-url, the DATABASE_URL the engine and `lethe migrate` are started with
// <dir>/postgres/    (0700, postgres)           password of the database role `lethe`
// <dir>/prometheus/  (0700, nobody)             ops-reader.token: the ops-reader token, for /metrics
// <dir>/grafana/     (0700, grafana)            admin-password
//
// Each file is 0600. A file that exists is kept as it is (a new master key would lock the vault);
// the derived ones (database-url, ops-reader.token) are rewritten from their sources each time.
// Owners are given only when run as root (in compose); otherwise the files stay the caller's.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

/** The users that read each folder: the image's (deploy/Dockerfile) and the official images' own. */
const OWNERS = { lethe: 10001, postgres: 999, prometheus: 65534, grafana: 472 };
/**
 * The engine's API roles for machines and the first operator (apps/engine/src/config/engine-config.ts,
 * API_ROLES). `approver` is left out on purpose: approvers are people, each with an entry or an OIDC identity of their own.
 */
const API_ROLES = ['contract-system', 'ops-reader', 'operator', 'admin'];
const DATABASE = { host: 'postgres', port: 5432, user: 'lethe', name: 'lethe' };

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: node init-secrets.mjs <dir>\n');
  process.exit(2);
}
const asRoot = process.getuid?.() === 0;
const random = () => randomBytes(32).toString('base64url');

function folder(name) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (asRoot) chownSync(dir, OWNERS[name], OWNERS[name]);
  return dir;
}

/** Writes atomically (a half-written key is never seen), 0600, owned by the folder's user. */
function write(dir, owner, file, content) {
  const path = join(dir, file);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  if (asRoot) chownSync(tmp, OWNERS[owner], OWNERS[owner]);
  renameSync(tmp, path);
}

function keep(dir, owner, file, create) {
  const path = join(dir, file);
  if (!existsSync(path)) {
    write(dir, owner, file, create());
    process.stdout.write(`generated ${owner}/${file}\n`);
  }
  return readFileSync(path, 'utf8');
}

const lethe = folder('lethe');
const postgres = folder('postgres');
const prometheus = folder('prometheus');
const grafana = folder('grafana');

keep(lethe, 'lethe', 'master.key', () => `${randomBytes(32).toString('base64')}\n`);
keep(lethe, 'lethe', 'signing.key', () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
const tokens = keep(lethe, 'lethe', 'tokens', () => API_ROLES.map((role) => `${role}:${random()}\n`).join(''));
// base64url: nothing to escape in a URL.
const password = keep(postgres, 'postgres', 'password', random).trim();
keep(grafana, 'grafana', 'admin-password', random);

const { host, port, user, name } = DATABASE;
write(lethe, 'lethe', 'database-url', `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${name}\n`);
const opsReader = tokens
  .split(/\r?\n/)
  .map((line) => line.trim())
  .find((line) => line.startsWith('ops-reader:'))
  ?.slice('ops-reader:'.length);
if (!opsReader) {
  process.stderr.write(`${join(lethe, 'tokens')} has no ops-reader entry: Prometheus could not read /metrics\n`);
  process.exit(1);
}
write(prometheus, 'prometheus', 'ops-reader.token', opsReader);
process.stdout.write(`secrets ready in ${root}\n`);
