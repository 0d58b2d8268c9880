// Re-sealing one sealed column under a new key, inside the caller's transaction, for the master key
// rotation (see master-key-rotation.ts here and in libs/dataplane). Rows are read in key order, a
// batch at a time (keyset pagination), opened with the old key (AES-GCM authenticates: a row that
// does not open is an error, never skipped), sealed again under the new key with a fresh IV and the
// same authenticated context, and written back in one UPDATE per batch. Rows whose column is null
// (a destroyed key version, a purged asset) hold nothing and are left alone.
//
// Each pass also returns a SHA-256 over every row's context and plaintext, in key order: the
// verification pass (openSealedColumn with the new key) must find the same digest, so every row
// re-sealed is proven to open with the new key to the same content before the caller commits.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { SecretKey } from '../secret-key.js';

/** Where a sealed column lives and how its rows were sealed. Identifiers are constants in code, never input. */
export interface SealedColumn {
  readonly table: string;
  /** The sealed bytea column; null means nothing is sealed there (skipped). */
  readonly column: string;
  /** The text columns that identify a row (its primary key), in a stable order. */
  readonly key: readonly string[];
  /** The authenticated context the row's content was sealed under. */
  readonly context: (key: readonly string[]) => string;
  /** Names a row in an error: ids only, never content. */
  readonly describe: (key: readonly string[]) => string;
}

/** A row that the key it should open with does not open: altered, or sealed under another key. */
export class SealedRowUnreadableError extends Error {
  readonly code = 'SEALED_ROW_UNREADABLE';
  constructor(
    readonly row: string,
    readonly keyName: string,
  ) {
    super(`the ${keyName} does not open ${row} (altered, or sealed under another key)`);
    this.name = 'SealedRowUnreadableError';
  }
}

export interface SealedColumnPass {
  /** Rows opened (and, for a re-seal, sealed again). */
  readonly rows: number;
  /** SHA-256 over every row's context and plaintext, in key order. Derived from secrets: never show it. */
  readonly digest: Buffer;
}

const BATCH_ROWS = 500;

interface Row {
  readonly key: string[];
  readonly sealed: Buffer;
}

/** The number of rows of `spec` that hold sealed content. */
export async function countSealedRows(client: pg.ClientBase, spec: SealedColumn): Promise<number> {
  const res = await client.query<{ n: number }>(`select count(*)::int as n from ${spec.table} where ${spec.column} is not null`);
  return res.rows[0].n;
}

async function* batches(client: pg.ClientBase, spec: SealedColumn): AsyncGenerator<Row[]> {
  const cols = spec.key.join(', ');
  const params = spec.key.map((_, i) => `$${i + 1}`).join(', ');
  let after: string[] | undefined;
  for (;;) {
    const res = await client.query<Record<string, string | Buffer>>(
      `select ${cols}, ${spec.column} as sealed from ${spec.table}
        where ${spec.column} is not null ${after ? `and (${cols}) > (${params})` : ''}
        order by ${cols} limit ${BATCH_ROWS}`,
      after ?? [],
    );
    if (res.rows.length === 0) return;
    const rows = res.rows.map((r) => ({ key: spec.key.map((k) => r[k] as string), sealed: r.sealed as Buffer }));
    yield rows;
    after = rows[rows.length - 1].key;
  }
}

function digestRow(hash: ReturnType<typeof createHash>, context: string, plaintext: Buffer): void {
  // Length-prefixed, so no two different rows hash alike.
  const header = Buffer.alloc(8);
  header.writeUInt32BE(Buffer.byteLength(context), 0);
  header.writeUInt32BE(plaintext.length, 4);
  hash.update(header).update(context, 'utf8').update(plaintext);
}

/**
 * Re-seals every non-null row of `spec` from `from` to `to` in `client`'s open transaction.
 * @param onRows called after each batch with the number of rows it re-sealed.
 * @throws SealedRowUnreadableError naming the row when `from` does not open it (nothing is committed by
 *   this function; the caller rolls back).
 */
export async function resealColumn(
  client: pg.ClientBase,
  spec: SealedColumn,
  from: SecretKey,
  to: SecretKey,
  keyName: string,
  onRows?: (rows: number) => void,
): Promise<SealedColumnPass> {
  const hash = createHash('sha256');
  let count = 0;
  const keyParams = spec.key.map((_, i) => `$${i + 1}::text[]`).join(', ');
  const sealedParam = `$${spec.key.length + 1}::bytea[]`;
  const match = spec.key.map((k) => `t.${k} = u.${k}`).join(' and ');
  for await (const rows of batches(client, spec)) {
    const resealed: Buffer[] = [];
    for (const row of rows) {
      const context = spec.context(row.key);
      let plaintext: Buffer;
      try {
        plaintext = from.open(row.sealed, context);
      } catch {
        throw new SealedRowUnreadableError(spec.describe(row.key), keyName);
      }
      try {
        digestRow(hash, context, plaintext);
        resealed.push(to.seal(plaintext, context));
      } finally {
        plaintext.fill(0);
      }
    }
    const updated = await client.query(
      `update ${spec.table} t set ${spec.column} = u.sealed
         from unnest(${keyParams}, ${sealedParam}) as u(${spec.key.join(', ')}, sealed)
        where ${match} and t.${spec.column} is not null`,
      [...spec.key.map((_, i) => rows.map((r) => r.key[i])), resealed],
    );
    if (updated.rowCount !== rows.length) throw new Error(`${spec.table}: ${updated.rowCount} of ${rows.length} rows were re-sealed; nothing was changed`);
    count += rows.length;
    onRows?.(rows.length);
  }
  return { rows: count, digest: hash.digest() };
}

/**
 * Opens every non-null row of `spec` with `key` (the verification pass after resealColumn).
 * @throws SealedRowUnreadableError naming the first row `key` does not open.
 */
export async function openSealedColumn(
  client: pg.ClientBase,
  spec: SealedColumn,
  key: SecretKey,
  keyName: string,
  onRows?: (rows: number) => void,
): Promise<SealedColumnPass> {
  const hash = createHash('sha256');
  let count = 0;
  for await (const rows of batches(client, spec)) {
    for (const row of rows) {
      const context = spec.context(row.key);
      let plaintext: Buffer;
      try {
        plaintext = key.open(row.sealed, context);
      } catch {
        throw new SealedRowUnreadableError(spec.describe(row.key), keyName);
      }
      digestRow(hash, context, plaintext);
      plaintext.fill(0);
    }
    count += rows.length;
    onRows?.(rows.length);
  }
  return { rows: count, digest: hash.digest() };
}
