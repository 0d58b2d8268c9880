// Which Ed25519 keys have signed deletion certificates, and when each was valid: the public halves
// in PostgreSQL (lethe_signing_keys), so a new data folder or a rotation never loses the key an old
// certificate needs. Validity instants come from the engine's clock, the same clock that stamps a
// certificate's issuedAt, so a verifier can check that a certificate was issued while its key was
// current.
import type { KeyObject } from 'node:crypto';
import type pg from 'pg';
import { RetiredSigningKeyError } from '../errors.js';
import { signingKeyId } from '../signing-key.js';

/** A public signing key as GET /v1/certificate-keys lists it. Instants are ISO 8601 UTC. */
export interface PublicSigningKey {
  readonly keyId: string;
  readonly algorithm: 'Ed25519';
  /** SPKI PEM. */
  readonly pem: string;
  readonly validFrom: string;
  /** Null while current. */
  readonly validUntil: string | null;
}

interface Row {
  key_id: string;
  public_key_pem: string;
  valid_from: Date;
  valid_until: Date | null;
}

const toKey = (r: Row): PublicSigningKey => ({
  keyId: r.key_id,
  algorithm: 'Ed25519',
  pem: r.public_key_pem,
  validFrom: r.valid_from.toISOString(),
  validUntil: r.valid_until ? r.valid_until.toISOString() : null,
});

export class PostgresSigningKeyRegistry {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Makes `publicKey` the current signing key as of `at`. Idempotent for the current key. A key seen
   * for the first time closes the validity of the previous current key at `at` (never before its own
   * start) and becomes current from then.
   * @throws RetiredSigningKeyError when the key was current once and has been superseded since.
   */
  async register(publicKey: KeyObject, at: Date): Promise<PublicSigningKey> {
    const keyId = signingKeyId(publicKey);
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('begin');
      // Instances starting together with different keys take turns; the last one wins, visibly.
      await client.query('lock table lethe_signing_keys in exclusive mode');
      const known = await client.query<Row>('select * from lethe_signing_keys where key_id = $1', [keyId]);
      if (known.rows[0]) {
        await client.query('commit');
        const key = toKey(known.rows[0]);
        if (key.validUntil !== null) throw new RetiredSigningKeyError(keyId, key.validUntil);
        return key;
      }
      const newest = await client.query<{ latest: Date | null }>('select max(valid_from) as latest from lethe_signing_keys');
      const latest = newest.rows[0].latest;
      const from = latest && latest > at ? latest : at;
      await client.query('update lethe_signing_keys set valid_until = $1 where valid_until is null', [from]);
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const inserted = await client.query<Row>(
        `insert into lethe_signing_keys (key_id, algorithm, public_key_pem, valid_from) values ($1, 'Ed25519', $2, $3) returning *`,
        [keyId, pem, from],
      );
      await client.query('commit');
      return toKey(inserted.rows[0]);
    } catch (error) {
      if (!(error instanceof RetiredSigningKeyError)) {
        await client.query('rollback').catch(() => {
          broken = true;
        });
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Every key, oldest first. */
  async list(): Promise<PublicSigningKey[]> {
    const res = await this.pool.query<Row>('select * from lethe_signing_keys order by valid_from, key_id');
    return res.rows.map(toKey);
  }

  async find(keyId: string): Promise<PublicSigningKey | undefined> {
    const res = await this.pool.query<Row>('select * from lethe_signing_keys where key_id = $1', [keyId]);
    return res.rows[0] ? toKey(res.rows[0]) : undefined;
  }

  /** The key that signs now, or undefined before any engine has started. */
  async current(): Promise<PublicSigningKey | undefined> {
    const res = await this.pool.query<Row>('select * from lethe_signing_keys where valid_until is null');
    return res.rows[0] ? toKey(res.rows[0]) : undefined;
  }
}
