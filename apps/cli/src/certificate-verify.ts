// `lethe certificate verify <file> [--public-key <pem>]`: exit 0 for a valid certificate, 1 for
// an invalid one (with the reason), 2 when the files cannot be read.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { verifyCertificate } from '@lethe/lifecycle';

export async function verifyCertificateFile(file: string, publicKeyFile?: string): Promise<number> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`cannot read certificate ${file}: ${(error as NodeJS.ErrnoException).code ?? 'not JSON'}\n`);
    return 2;
  }
  let key: KeyObject | undefined;
  if (publicKeyFile) {
    try {
      const text = await readFile(publicKeyFile, 'utf8');
      // Accept the PEM itself or the JSON that GET /v1/certificate-key serves.
      const pem = text.trimStart().startsWith('{') ? (JSON.parse(text) as { pem: string }).pem : text;
      key = createPublicKey(pem);
    } catch {
      process.stderr.write(`cannot read public key ${publicKeyFile}: expected a PEM (SPKI) Ed25519 public key\n`);
      return 2;
    }
  }
  const result = verifyCertificate(document, key);
  if (!result.valid) {
    process.stderr.write(`INVALID: ${result.reason}\n`);
    return 1;
  }
  const c = (document as { certificate: { tenantId: string; verifiedAt: string; deadline: string } }).certificate;
  process.stdout.write(
    `VALID: deletion certificate for tenant ${c.tenantId}, verified ${c.verifiedAt} (deadline ${c.deadline})` +
      (result.keyPinned ? ', signed by the given key\n' : '\nwarning: checked against the key embedded in the certificate; pass --public-key to pin the signer\n'),
  );
  return 0;
}
