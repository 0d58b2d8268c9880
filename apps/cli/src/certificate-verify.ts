// `lethe certificate verify <file> (--public-key <file> | --keys <file>)`: exit 0 for a certificate
// signed by a trusted key, 1 for one that is not (with the reason), 2 when a file cannot be read or no
// trusted key was given. The key embedded in or named by a certificate proves nothing about who
// signed it, so there is no verification without one.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { verifyCertificate, type TrustedSigningKey } from '@lethe/lifecycle';

export interface TrustedKeyFiles {
  /** A PEM (SPKI) public key, or the JSON of GET /v1/certificate-key. */
  readonly publicKey?: string;
  /** The JSON of GET /v1/certificate-keys: the key is picked by the certificate's key id. */
  readonly keys?: string;
}

const keyEntry = z.object({
  pem: z.string().min(1),
  keyId: z.string().optional(),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validUntil: z.iso.datetime({ offset: true }).nullable().optional(),
});
const keysDocument = z.union([z.object({ keys: z.array(keyEntry).min(1) }), z.array(keyEntry).min(1).transform((keys) => ({ keys }))]);

const NO_KEY =
  'refusing to verify without a trusted key: pass --keys <file> (the JSON of GET /v1/certificate-keys) or --public-key <file> ' +
  '(a PEM public key, or the JSON of GET /v1/certificate-key); a certificate cannot vouch for its own signer\n';

/** Reads the trusted keys; a string is the reason they cannot be used. */
async function trustedKeys(files: TrustedKeyFiles): Promise<TrustedSigningKey[] | string> {
  if (files.keys) {
    let parsed: z.infer<typeof keysDocument>;
    try {
      const result = keysDocument.safeParse(JSON.parse(await readFile(files.keys, 'utf8')));
      if (!result.success) return `keys file ${files.keys}: expected {"keys": [{"keyId", "pem", "validFrom", "validUntil"}, ...]} as GET /v1/certificate-keys serves it`;
      parsed = result.data;
    } catch (error) {
      return `cannot read keys file ${files.keys}: ${(error as NodeJS.ErrnoException).code ?? 'not JSON'}`;
    }
    return parsed.keys.map((k) => ({ pem: k.pem, ...(k.validFrom ? { validFrom: k.validFrom, validUntil: k.validUntil ?? null } : {}) }));
  }
  let text: string;
  try {
    text = await readFile(files.publicKey!, 'utf8');
  } catch (error) {
    return `cannot read public key ${files.publicKey}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`;
  }
  // A pinned key is trusted as such: its validity window, if the JSON has one, is not applied.
  if (!text.trimStart().startsWith('{')) return [{ pem: text }];
  try {
    const pem = (JSON.parse(text) as { pem?: unknown }).pem;
    if (typeof pem === 'string') return [{ pem }];
  } catch {
    // reported below
  }
  return `public key ${files.publicKey}: expected a PEM (SPKI) Ed25519 public key or the JSON of GET /v1/certificate-key`;
}

export async function verifyCertificateFile(file: string, files: TrustedKeyFiles): Promise<number> {
  if (!files.publicKey && !files.keys) {
    process.stderr.write(NO_KEY);
    return 2;
  }
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`cannot read certificate ${file}: ${(error as NodeJS.ErrnoException).code ?? 'not JSON'}\n`);
    return 2;
  }
  const keys = await trustedKeys(files);
  if (typeof keys === 'string') {
    process.stderr.write(`${keys}\n`);
    return 2;
  }
  const result = verifyCertificate(document, keys);
  if (!result.valid) {
    process.stderr.write(`INVALID: ${result.reason}\n`);
    return 1;
  }
  const c = (document as { certificate: { tenantId: string; verifiedAt: string; deadline: string; keyMaterial?: { purgedAt: string | null; purgeExpectedAt: string | null } } })
    .certificate;
  process.stdout.write(`VALID: deletion certificate for tenant ${c.tenantId}, verified ${c.verifiedAt} (deadline ${c.deadline}), signed by key ${result.keyId}\n`);
  // v3: a vault that purges after the promise (soft delete) had not purged the key material yet.
  if (c.keyMaterial && c.keyMaterial.purgedAt === null) {
    process.stdout.write(
      `NOTE: the key was unusable when the certificate was issued; the vault purges its material ${c.keyMaterial.purgeExpectedAt ? `by ${c.keyMaterial.purgeExpectedAt}` : 'later'} (see KeyMaterialPurged in the tenant's events)\n`,
    );
  }
  return 0;
}
