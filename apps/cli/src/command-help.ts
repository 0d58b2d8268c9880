// `lethe <command> --help`: each command's own usage, flags and exit codes, on stdout, exit 0.
// A help flag only ever prints: it must never migrate, rotate or rebuild anything.
import { readModels } from '@lethe/readmodel';
import { MASTER_KEY_ROTATE_USAGE } from './master-key-rotate.js';
import { SIMULATE_USAGE } from './simulate.js';

const DATABASE_SETTINGS = `The database: LETHE_DIRECT_DATABASE_URL (else DATABASE_URL), checked as the engine checks it at
boot; with neither set, the embedded PostgreSQL in $LETHE_DATA_DIR/postgres (default ./.lethe) — the
engine's own server when an engine runs on that folder, else one started for the command.`;

/** The help text of `command` (its first word), or undefined for a word that is no command. */
export function commandHelp(command: string): string | undefined {
  switch (command) {
    case 'migrate':
      return `usage: lethe migrate

Applies the engine's migrations, under the migration lock (waits while another migration runs).
No flags. Exits 0 when the schema is up to date, 1 when the database fails, 2 for a bad setting.

${DATABASE_SETTINGS}
`;
    case 'projections':
      return `usage: lethe projections rebuild [--projection <name>]

Rebuilds every read model (or the named one) from the event log, each committed with its checkpoint.
Refused while a running engine owns the projection (its processor lease).

  --projection <name>  one projection, by its name or its processor name (projection:<name>):
                       ${readModels()
                         .map((m) => m.name)
                         .join(', ')}

Exits 0 when rebuilt, 1 when refused or failed (nothing changed), 2 for an unknown name or bad usage.

${DATABASE_SETTINGS}
`;
    case 'signing-key':
      return `usage: lethe signing-key rotate

Writes a new Ed25519 certificate signing key to $LETHE_DATA_DIR/signing.key; engines use it from their
next start, and the old key stays listed (GET /v1/certificate-keys) so its certificates still verify.
No flags. Exits 0 when rotated, 2 when LETHE_SIGNING_KEY is set or the key file is unusable.
`;
    case 'master-key':
      return `${MASTER_KEY_ROTATE_USAGE}
Re-seals everything the master key seals under a new key, in one transaction. The current key is the
one the engine finds (LETHE_MASTER_KEY, else $LETHE_DATA_DIR/master.key).

  --new-key-file <path>   the new key: a file holding base64 of 32 bytes
  --generate-into <path>  generate the new key and write it to this new file (mode 0600)

Every engine must be stopped: refused while one runs (the engine lock), or when the current key is
not the database's. Exits 0 when rotated, 1 when refused or failed (nothing changed), 2 for bad usage.

${DATABASE_SETTINGS}
`;
    case 'certificate':
      return `usage: lethe certificate verify <file> (--keys <keys.json> | --public-key <key>)

Checks a deletion certificate's signature against a trusted key; the key a certificate names proves
nothing about who signed it, so one of these is required:

  --keys <keys.json>  the JSON of GET /v1/certificate-keys (the key is picked by the certificate's key id)
  --public-key <key>  one pinned key: a PEM public key, or the JSON of GET /v1/certificate-key

Exits 0 when valid, 1 when not (saying why), 2 for bad usage or no usable key.
`;
    case 'simulate':
      return SIMULATE_USAGE;
    default:
      return undefined;
  }
}
