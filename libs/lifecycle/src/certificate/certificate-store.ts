// Where issued certificates live (lethe_certificates): the served bytes, written once per shred.
import type pg from 'pg';

export interface StoredCertificate {
  readonly certificateId: string;
  readonly tenantId: string;
  readonly shredId: string;
  readonly keyId: string;
  /** SHA-256 (hex) of the signed canonical bytes. */
  readonly sha256: string;
  /** The signed document exactly as served (canonical JSON of {certificate, signature}, UTF-8). */
  readonly document: Buffer;
  readonly issuedAt: Date;
}

interface Row {
  certificate_id: string;
  tenant_id: string;
  shred_id: string;
  key_id: string;
  sha256: string;
  document: Buffer;
  issued_at: Date;
}

const toStored = (r: Row): StoredCertificate => ({
  certificateId: r.certificate_id,
  tenantId: r.tenant_id,
  shredId: r.shred_id,
  keyId: r.key_id,
  sha256: r.sha256,
  document: r.document,
  issuedAt: r.issued_at,
});

export class PostgresCertificateStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Stores the certificate unless the shred already has one, and returns the one stored: the first
   * writer wins and every later or concurrent attempt gets its bytes back.
   */
  async storeOnce(certificate: StoredCertificate): Promise<StoredCertificate> {
    await this.pool.query(
      `insert into lethe_certificates (certificate_id, tenant_id, shred_id, key_id, sha256, document, issued_at)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
      [certificate.certificateId, certificate.tenantId, certificate.shredId, certificate.keyId, certificate.sha256, certificate.document, certificate.issuedAt],
    );
    const stored = await this.find(certificate.tenantId, certificate.shredId);
    if (!stored) throw new Error(`certificate of shred ${certificate.shredId} was neither stored nor found`);
    return stored;
  }

  async find(tenantId: string, shredId: string): Promise<StoredCertificate | undefined> {
    const res = await this.pool.query<Row>('select * from lethe_certificates where tenant_id = $1 and shred_id = $2', [tenantId, shredId]);
    return res.rows[0] ? toStored(res.rows[0]) : undefined;
  }

  /** The tenant's newest certificate (a tenant is shredded at most once, so its only one). */
  async latestFor(tenantId: string): Promise<StoredCertificate | undefined> {
    const res = await this.pool.query<Row>('select * from lethe_certificates where tenant_id = $1 order by issued_at desc limit 1', [tenantId]);
    return res.rows[0] ? toStored(res.rows[0]) : undefined;
  }
}
