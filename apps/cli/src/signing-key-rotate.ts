// `lethe signing-key rotate`: a new Ed25519 certificate signing key in $LETHE_DATA_DIR/signing.key
// (see rotateSigningKeyFile in libs/vault). Exit 0 when rotated, 2 when LETHE_SIGNING_KEY is set or
// the key file is unusable.
import { rotateSigningKeyFile } from '@lethe/vault';
import type { EngineConfig } from '../../engine/src/config/engine-config.js';

export async function rotateSigningKey(config: Pick<EngineConfig, 'dataDir' | 'signingKey'>): Promise<number> {
  try {
    const rotated = await rotateSigningKeyFile({ env: config.signingKey, dataDir: config.dataDir });
    process.stdout.write(
      `rotated the certificate signing key in ${rotated.path}: ${rotated.previousKeyId} -> ${rotated.keyId}\n` +
        'Restart the engines: the first to start records the new key as current from then, and the old key stays listed ' +
        '(GET /v1/certificate-keys) with its validity, so the certificates it signed still verify.\n',
    );
    return 0;
  } catch (error) {
    process.stderr.write(`cannot rotate the signing key: ${(error as Error).message}\n`);
    return 2;
  }
}
